"""Checking and decoding: the header, Pillow's own checks, the price against the budget, a JPEG
decoded at the fraction its crop allows."""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Iterator

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageFile

from collection.photos import cropping, limits, pricing
from collection.photos.limits import (
    PhotoError,
    broken_error,
    format_error,
    sniff_image_format,
    too_large_to_process_error,
    too_many_pixels_error,
)


def open_checked(data: bytes) -> Image.Image:
    """The image, its header and (PNG) checksums checked, but no pixel decoded yet (see
    ``load``); or PhotoError."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # see the module docstring
        raise RuntimeError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on, so cut-off photos would be accepted; "
            "import WeasyPrint through core.pdf.import_weasyprint, which switches it off"
        )
    if not data:
        raise PhotoError(_("The file is empty. Please choose a photo."), code="empty")
    if len(data) > limits.MAX_BYTES:
        limit_mb = limits.MAX_BYTES / (1024 * 1024)
        # Never show "5.0 MB" for a file just over the limit.
        size_mb = max(round(len(data) / (1024 * 1024), 1), limit_mb + 0.1)
        raise PhotoError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)g MB.")
            % {"size": size_mb, "limit": limit_mb},
            code="too_large",
        )
    kind = sniff_image_format(data)
    if kind is None:
        raise format_error()
    pillow_format, accepted_formats = limits.PILLOW_FORMATS[kind]

    with pillow_verdict():
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
        if image.format not in accepted_formats:
            raise format_error()
        if image.format != "MPO" and getattr(image, "is_animated", False):
            raise PhotoError(
                _("Animated images are not accepted. Please upload a still photo."),
                code="animated",
            )
        width, height = image.size
        if width * height > limits.MAX_PIXELS:
            raise too_many_pixels_error()
        if width < 1 or height < 1:
            raise broken_error()
        price = pricing.bytes_per_pixel(image, data, limits.JPEG_REDUCTIONS[-1])
        if width * height * price > limits.DECODE_BUDGET:
            raise too_large_to_process_error(width * height, pricing.limit_for_price(price))
        # What can be checked without decoding: a PNG's chunk checksums up to IEND (a JPEG has
        # none). verify() uses the image up, so the file is opened again for decoding.
        image.verify()
        return Image.open(io.BytesIO(data), formats=[pillow_format])


@contextlib.contextmanager
def pillow_verdict() -> Iterator[None]:
    """Pillow's errors on the upload as PhotoError: its decompression-bomb error and warning
    (made an error here) "too_many_pixels", any other "broken". Our own, stricter limits.MAX_PIXELS is
    what normally applies; Pillow's limit is a process-wide setting that other code may change."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (PhotoError, MemoryError):
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_many_pixels_error() from exc
        except Exception as exc:  # any parser error on untrusted bytes, as Django's ImageField
            raise broken_error() from exc


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation, 1 to 8 (1: upright), as ImageOps.exif_transpose reads it."""
    with pillow_verdict():  # a hostile EXIF block (any value); a PNG is decoded here
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        return orientation if orientation in limits.ORIENTATIONS else 1


def draft(image: Image.Image, rectangle: tuple[int, int, int, int], data: bytes) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling) when the
    area kept is still at least the standard copy's size at that scale: a phone's 12-megapixel
    photo then takes a fifth of the CPU (docs/decisions.md), at no visible cost. A larger
    photo, with a small area chosen, is decoded at the largest scale within limits.DECODE_BUDGET
    instead (``open_checked`` has checked that 1/8 is)."""
    if image.format not in limits.JPEG_FORMATS:
        return
    left, top, right, bottom = rectangle
    standard_width, standard_height = limits.STANDARD_SIZE
    scale = min((right - left) / standard_width, (bottom - top) / standard_height)
    reduction = 1 if scale < 2 else min(8, 2 ** int(math.log2(scale)))
    width, height = image.size
    while (
        reduction < limits.JPEG_REDUCTIONS[-1]
        and width * height * pricing.bytes_per_pixel(image, data, reduction) > limits.DECODE_BUDGET
    ):
        reduction *= 2
    if reduction == 1:
        return
    # Pillow picks the largest of 1/2, 1/4, 1/8 that gives at least the size asked for.
    image.draft(image.mode, (width // reduction, height // reduction))


def load(image: Image.Image) -> None:
    """Decode every pixel now (a damaged or cut-off file fails here, not later); or
    PhotoError."""
    with pillow_verdict():
        image.load()


def scaled(
    rectangle: tuple[int, int, int, int], size: tuple[int, int], full: tuple[int, int]
) -> tuple[int, int, int, int]:
    """``rectangle`` (in pixels of an image of ``full`` size) in pixels of the same image
    decoded at ``size``."""
    x, y = size[0] / full[0], size[1] / full[1]
    left, top, right, bottom = rectangle
    return cropping.rounded(left * x, top * y, (right - left) * x, (bottom - top) * y, size)


def pixel_limit(data: bytes) -> int:
    """The most pixels a photo like ``data`` may have: its format, mode and bit depth (and a
    JPEG's scans and sampling) priced as ``open_checked`` does, at most
    ``limits.MAX_PIXELS``. Or PhotoError when ``data`` is itself refused."""
    data = bytes(data)
    return pricing.limit_for_price(
        pricing.bytes_per_pixel(open_checked(data), data, limits.JPEG_REDUCTIONS[-1])
    )
