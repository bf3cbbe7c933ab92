"""ID photos uploaded by practitioners: check them, then make the two JPEG copies the register keeps.

``process_photo(data)`` takes the raw bytes of an upload and returns a ``ProcessedPhoto``: the
standard copy (358×441, JPEG quality 90) and the national system's copy (102×126, under 50 KB),
both re-encoded from pixels only, so no EXIF (GPS position, camera, time), ICC profile or comment
of the original survives. Anything unusable raises ``PhotoError``, whose text is the reason to
show the practitioner.

What is accepted is decided by the bytes, never by the file name: the JPEG or PNG signature, then
Pillow restricted to that one format must agree. Checks run cheapest first, so that hostile files
cost little: the length before anything is parsed, the declared pixel count before any pixel is
decoded, then a full decode.

Truncated files are refused even when ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` is True: WeasyPrint
(a dependency of this project) sets that process-wide flag to True when it is imported, after which
Pillow silently pads a cut-off file with grey. So the structure of the file is also walked here
(JPEG segments up to the end-of-image marker, PNG chunks up to IEND), independently of the flag.

The callers should refuse an upload whose ``size`` exceeds ``MAX_BYTES`` before reading it into
memory; the length check here is the last line, not the only one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import warnings
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps

__all__ = [
    "MAX_BYTES",
    "MAX_PIXELS",
    "MIN_CROP_HEIGHT",
    "MIN_CROP_WIDTH",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "NATIONAL_MAX_BYTES",
    "NATIONAL_SIZE",
    "STANDARD_QUALITY",
    "STANDARD_SIZE",
    "CropBox",
    "PhotoError",
    "ProcessedPhoto",
    "process_photo",
    "sniff_image_format",
]

MAX_BYTES = 5 * 1024 * 1024
# Our own decompression-bomb limit, checked on the declared size before any pixel is decoded.
# Independent of PIL.Image.MAX_IMAGE_PIXELS (a process-wide setting that other code may change).
# 40 megapixels decode to 120-160 MB (RGB/CMYK); 12-megapixel phone photos are far below it.
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 300, 400
STANDARD_SIZE = (358, 441)
STANDARD_QUALITY = 90
NATIONAL_SIZE = (102, 126)
NATIONAL_MAX_BYTES = 50 * 1024
# The smallest crop box accepted: the ID-photo proportion at the minimum photo width (300×369),
# so a cropper locked to 358:441 can always select the full width of a minimum-size photo.
MIN_CROP_WIDTH = MIN_WIDTH
MIN_CROP_HEIGHT = MIN_WIDTH * STANDARD_SIZE[1] // STANDARD_SIZE[0]

# The default crop of a photo taller than 358:441 keeps the full width and puts 40 % of the
# surplus height above the box and 60 % below (0.5 would be centred): faces sit in the upper part
# of portraits, so this keeps the head and loses more of the body.
PORTRAIT_TOP_SHARE = 0.4
# Lowest quality tried for the national copy before giving up (never reached in practice: a
# 102×126 JPEG at quality 90 is 5-25 KB).
_NATIONAL_MIN_QUALITY = 30
_NATIONAL_QUALITY_STEP = 5

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Pillow names: a JPEG carrying a multi-picture (MPF) segment opens as "MPO"; Android "Ultra HDR"
# photos are such files (the second picture is a gain map), so MPO is a JPEG here, not an animation.
_PILLOW_FORMATS = {"jpeg": ("JPEG", {"JPEG", "MPO"}), "png": ("PNG", {"PNG"})}
_WHITE = (255, 255, 255)
_HIGH_BIT_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
_ALPHA_MODES = {"LA", "La", "PA", "RGBA", "RGBa"}


class PhotoError(ValueError):
    """The upload cannot be used as an ID photo. ``str()`` is the reason, for the practitioner.

    ``code`` names the reason for programs: "empty", "too_large", "format", "broken", "animated",
    "too_many_pixels", "too_small", "crop_outside", "crop_too_small".
    """

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CropBox:
    """The area the practitioner chose, in pixels of the photo as displayed (EXIF orientation
    applied): left edge ``x``, top edge ``y``, ``width`` and ``height``."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    """``standard``: 358×441 JPEG; ``national``: 102×126 JPEG under 50 KB; ``width`` and
    ``height``: the uploaded photo as displayed; ``sha256``: hex digest of ``standard``."""

    standard: bytes
    national: bytes
    width: int
    height: int
    sha256: str


def sniff_image_format(data: bytes) -> str | None:
    """Return "jpeg" or "png" from the file's first bytes (its signature), else None."""
    head = bytes(data[:8])
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head == _PNG_MAGIC:
        return "png"
    return None


def process_photo(data: bytes, crop: CropBox | None = None) -> ProcessedPhoto:
    """Check an uploaded ID photo and make its standard and national copies.

    ``crop`` is the area to keep, in pixels of the displayed photo; it is widened or heightened
    about its centre to the 358:441 proportion (and moved back inside the photo if that pushes it
    over an edge). Without it, the largest 358:441 area is kept: centred across, and slightly
    above centre in tall photos (see ``PORTRAIT_TOP_SHARE``).

    Raises ``PhotoError`` with a reason for the practitioner when the file cannot be used.
    """
    image = _open(bytes(data))
    width, height = _displayed_size(image)
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise PhotoError(
            _(
                "The photo is too small: it is %(width)s×%(height)s pixels, but it must be at "
                "least %(min_width)s×%(min_height)s pixels (width × height). Please take or choose "
                "a larger photo."
            )
            % {"width": width, "height": height, "min_width": MIN_WIDTH, "min_height": MIN_HEIGHT},
            code="too_small",
        )
    rectangle = _crop_rectangle((width, height), crop)
    _draft(image, rectangle)
    _load(image)
    if image.size != (width, height):  # decoded at a fraction of its size: the area in its pixels
        rectangle = _scaled(rectangle, image.size, (width, height))
    icc_profile = image.info.get("icc_profile")
    region = image.crop(rectangle)
    del image  # the decoded original can be large; only the cropped region is needed from here

    standard_image = _to_srgb(_resize(_flatten(region), STANDARD_SIZE), icc_profile)
    standard = _encode_jpeg(standard_image, STANDARD_QUALITY)
    national = _national_copy(standard_image)
    return ProcessedPhoto(
        standard=standard,
        national=national,
        width=width,
        height=height,
        sha256=hashlib.sha256(standard).hexdigest(),
    )


# --- Checking and decoding ------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    """The image, its header checked and its structure walked, but no pixel decoded yet (see
    ``_load``); or PhotoError."""
    if not data:
        raise PhotoError(_("The file is empty. Please choose a photo."), code="empty")
    if len(data) > MAX_BYTES:
        limit_mb = MAX_BYTES / (1024 * 1024)
        # Never show "5.0 MB" for a file just over the limit.
        size_mb = max(round(len(data) / (1024 * 1024), 1), limit_mb + 0.1)
        raise PhotoError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)g MB.")
            % {"size": size_mb, "limit": limit_mb},
            code="too_large",
        )
    kind = sniff_image_format(data)
    if kind is None:
        raise _format_error()
    pillow_format, accepted_formats = _PILLOW_FORMATS[kind]

    # Pillow warns about images over Image.MAX_IMAGE_PIXELS and raises over twice that; make the
    # warning an error too. (Our own, stricter MAX_PIXELS check below is what normally applies.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels_error() from exc
        except MemoryError:
            raise
        except Exception as exc:  # any parser error on untrusted bytes, as Django's ImageField
            raise _broken_error() from exc

        if image.format not in accepted_formats:
            raise _format_error()
        if image.format != "MPO" and getattr(image, "is_animated", False):
            raise PhotoError(
                _("Animated images are not accepted. Please upload a still photo."),
                code="animated",
            )
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels_error()
        if width < 1 or height < 1 or not _is_complete(data, kind):
            raise _broken_error()
    return image


def _displayed_size(image: Image.Image) -> tuple[int, int]:
    """(width, height) as the photo is shown: turned by its EXIF orientation."""
    width, height = image.size
    try:
        turned = image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
    except Exception as exc:  # a hostile EXIF block
        raise _broken_error() from exc
    return (height, width) if turned else (width, height)


def _draft(image: Image.Image, rectangle: tuple[int, int, int, int]) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling) when the
    area kept is still at least the standard copy's size at that scale: a phone's 12-megapixel
    photo then takes a fifth of the CPU (docs/decisions.md), at no visible cost."""
    if image.format not in ("JPEG", "MPO"):
        return
    left, top, right, bottom = rectangle
    standard_width, standard_height = STANDARD_SIZE
    scale = min((right - left) / standard_width, (bottom - top) / standard_height)
    if scale < 2:
        return
    reduction = min(8, 2 ** int(math.log2(scale)))
    width, height = image.size
    # Pillow picks the largest of 1/2, 1/4, 1/8 that gives at least the size asked for.
    image.draft(image.mode, (width // reduction, height // reduction))


def _load(image: Image.Image) -> None:
    """Decode every pixel now (broken data fails here, not later) and turn the image by its
    EXIF orientation; or PhotoError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels_error() from exc
        except MemoryError:
            raise
        except Exception as exc:
            raise _broken_error() from exc


def _scaled(
    rectangle: tuple[int, int, int, int], size: tuple[int, int], full: tuple[int, int]
) -> tuple[int, int, int, int]:
    """``rectangle`` (in pixels of an image of ``full`` size) in pixels of the same image
    decoded at ``size``."""
    x, y = size[0] / full[0], size[1] / full[1]
    left, top, right, bottom = rectangle
    return _rounded(left * x, top * y, (right - left) * x, (bottom - top) * y, size)


def _format_error() -> PhotoError:
    return PhotoError(
        _("Only JPEG or PNG photos are accepted. Please save the photo as JPEG or PNG."),
        code="format",
    )


def _broken_error() -> PhotoError:
    return PhotoError(
        _(
            "The file could not be read as a photo: it is damaged or incomplete. "
            "Please take or choose the photo again."
        ),
        code="broken",
    )


def _too_many_pixels_error() -> PhotoError:
    return PhotoError(
        _(
            "The image has too many pixels (more than %(limit)s megapixels). "
            "Please upload a smaller photo."
        )
        % {"limit": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _is_complete(data: bytes, kind: str) -> bool:
    """Whether the file's structure runs to its end marker (see the module docstring)."""
    return _jpeg_is_complete(data) if kind == "jpeg" else _png_is_complete(memoryview(data))


# The end of entropy-coded data: 0xFF followed by neither a stuffed 0x00, an RSTn marker nor a
# fill byte (the last 0xFF of a run of fill bytes, then, is where the next marker starts).
_ENTROPY_CODED_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


def _jpeg_is_complete(data: bytes) -> bool:
    """Walk the segments of the (first) JPEG image up to its EOI marker, as libjpeg reads them.

    Bytes after EOI (a second MPO picture, a camera trailer) are not looked at."""
    end = len(data)
    pos = 2  # after SOI
    while True:
        pos = data.find(b"\xff", pos)  # like libjpeg, skip stray bytes before a marker
        if pos < 0:
            return False
        while pos < end and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= end:
            return False
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return True
        if marker == 0x00 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # stray stuffed byte, RSTn or TEM: no length follows
        if marker == 0xD8:  # a second SOI before EOI
            return False
        if pos + 2 > end:
            return False
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > end:
            return False
        pos += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next marker other than RSTn
            found = _ENTROPY_CODED_END.search(data, pos)
            if found is None:
                return False
            pos = found.start()


def _png_is_complete(data: memoryview) -> bool:
    """Walk the PNG chunks up to IEND; critical chunks (IHDR, PLTE, IDAT, IEND) must have a
    correct CRC, as libpng requires by default."""
    end = len(data)
    pos = len(_PNG_MAGIC)
    while pos + 12 <= end:
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = bytes(data[pos + 4 : pos + 8])
        crc_at = pos + 8 + length
        if length > 0x7FFFFFFF or crc_at + 4 > end:
            return False
        if not chunk_type[0] & 0x20:  # critical chunk: upper-case first letter
            crc = int.from_bytes(data[crc_at : crc_at + 4], "big")
            if zlib.crc32(data[pos + 4 : crc_at]) != crc:
                return False
        if chunk_type == b"IEND":
            return True
        pos = crc_at + 4
    return False


# --- Cropping -------------------------------------------------------------------------------


def _crop_rectangle(size: tuple[int, int], crop: CropBox | None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the area to keep, in the 358:441 proportion."""
    image_width, image_height = size
    if crop is None:
        width, height = _fit_proportion(image_width, image_height, image_width, image_height)
        left = (image_width - width) / 2
        top = (image_height - height) * PORTRAIT_TOP_SHARE
        return _rounded(left, top, width, height, size)

    values = (crop.x, crop.y, crop.width, crop.height)
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values) or (
        crop.x < 0
        or crop.y < 0
        or crop.width <= 0
        or crop.height <= 0
        or crop.x + crop.width > image_width
        or crop.y + crop.height > image_height
    ):
        raise PhotoError(
            _(
                "The selected area must lie inside the photo (%(width)s×%(height)s pixels). "
                "Please select the area again."
            )
            % {"width": image_width, "height": image_height},
            code="crop_outside",
        )
    if crop.width < MIN_CROP_WIDTH or crop.height < MIN_CROP_HEIGHT:
        raise PhotoError(
            _(
                "The selected area is too small: it is %(crop_width)d×%(crop_height)d pixels, but "
                "it must be at least %(min_width)s×%(min_height)s pixels. Please select a larger "
                "area."
            )
            % {
                "crop_width": crop.width,
                "crop_height": crop.height,
                "min_width": MIN_CROP_WIDTH,
                "min_height": MIN_CROP_HEIGHT,
            },
            code="crop_too_small",
        )
    # Grow the short side about the box's centre; if the grown box is wider or taller than the
    # photo, shrink it to fit instead; then move it back inside the photo.
    standard_width, standard_height = STANDARD_SIZE
    if crop.width * standard_height < crop.height * standard_width:
        width, height = crop.height * standard_width / standard_height, float(crop.height)
    else:
        width, height = float(crop.width), crop.width * standard_height / standard_width
    width, height = _fit_proportion(width, height, image_width, image_height)
    left = min(max(crop.x + crop.width / 2 - width / 2, 0), image_width - width)
    top = min(max(crop.y + crop.height / 2 - height / 2, 0), image_height - height)
    return _rounded(left, top, width, height, size)


def _fit_proportion(
    width: float, height: float, max_width: float, max_height: float
) -> tuple[float, float]:
    """The largest 358:441 box no wider than min(width, max_width), no taller than
    min(height, max_height)."""
    standard_width, standard_height = STANDARD_SIZE
    width, height = min(width, max_width), min(height, max_height)
    if width * standard_height > height * standard_width:
        width = height * standard_width / standard_height
    else:
        height = width * standard_height / standard_width
    return width, height


def _rounded(
    left: float, top: float, width: float, height: float, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    right, bottom = min(round(left + width), size[0]), min(round(top + height), size[1])
    return max(round(left), 0), max(round(top), 0), right, bottom


# --- Pixels and encoding --------------------------------------------------------------------


def _flatten(image: Image.Image) -> Image.Image:
    """The image in mode L, RGB or CMYK (8 bits), transparency composited onto white."""
    if image.mode in _HIGH_BIT_DEPTH_MODES:
        # 16-bit grey PNG: scale 0..65535 to 0..255 (a plain convert("L") clips at 255, which
        # would turn most of the photo white). Its rare tRNS colour key is dropped.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
        image.info.pop("transparency", None)
    elif image.mode == "F":
        image = image.convert("L")
    elif image.mode == "1":
        image = image.convert("L")

    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")  # also applies a palette's or colour key's transparency
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in {"L", "RGB", "CMYK"}:
        return image
    return image.convert("RGB")  # P without transparency, YCbCr, ...


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    # reducing_gap: a fast integer-factor reduction first when shrinking more than 3×, then
    # LANCZOS; visually the same as LANCZOS all the way (Pillow documentation).
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB pixels in sRGB. The original's embedded ICC profile (a CMYK press profile, an
    iPhone's Display P3, ...) is honoured here because the copies carry no profile; without one,
    or if it is unusable, Pillow's plain conversion is used (CMYK: the usual 255 - C - K)."""
    if icc_profile:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                _srgb_profile(),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that does not match the pixels, or a broken one
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """Baseline JPEG of the pixels alone: the image is rebuilt from its raw bytes, so nothing of
    the original's ``info`` (EXIF, ICC profile, comment, DPI) can reach the encoder."""
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=False, subsampling="4:2:0")
    return out.getvalue()


def _national_copy(standard_image: Image.Image) -> bytes:
    image = _resize(standard_image, NATIONAL_SIZE)
    for quality in range(STANDARD_QUALITY, _NATIONAL_MIN_QUALITY - 1, -_NATIONAL_QUALITY_STEP):
        encoded = _encode_jpeg(image, quality)
        if len(encoded) < NATIONAL_MAX_BYTES:
            return encoded
    # Cannot happen with a 102×126 image (its raw pixels are 38 KB); kept as a hard check
    # (not an assert statement, which python -O removes).
    raise AssertionError(
        f"national copy still {len(encoded)} bytes at quality {_NATIONAL_MIN_QUALITY}"
    )
