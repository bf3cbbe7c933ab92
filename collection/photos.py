"""ID photos uploaded by practitioners: check them, then make the two JPEG copies the register keeps.

(Over 600 lines on purpose: one pipeline read top to bottom, check, price, decode, crop, convert,
encode, each step a few short functions; split, one upload's path would run across files.)

``process_photo(data)`` takes the raw bytes of an upload and returns a ``ProcessedPhoto``: the
standard copy (358×441, JPEG quality 90) and the national system's copy (102×126, under 50 KB),
both re-encoded from pixels only, so no EXIF (GPS position, camera, time), ICC profile or comment
of the original survives. Anything unusable raises ``PhotoError``, whose text is the reason to
show the practitioner.

What is accepted is decided by the bytes, never by the file name: the JPEG or PNG signature, then
Pillow restricted to that one format must agree. Checks run cheapest first, so that hostile files
cost little: the length before anything is parsed, the declared pixel count before any pixel is
decoded, then Pillow's own checks: ``verify()`` (a PNG's checksums, chunk by chunk to its end)
and a full decode, which fails on a file that ends early.

That last failure depends on ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` being False, Pillow's
default. WeasyPrint switches the process-wide flag on when it is imported, after which Pillow
silently pads a cut-off file with grey; ``core.pdf.import_weasyprint``, the project's one import
of WeasyPrint, switches it off again, and ``process_photo`` refuses to run while it is on.

The callers should refuse an upload whose ``size`` exceeds ``MAX_BYTES`` before reading it into
memory; the length check here is the last line, not the only one.

Memory. A 5 MB file can declare 40 megapixels of one colour, and what decoding costs depends on
the mode, not on the file: Pillow keeps 1 byte a pixel for 1-bit, grey and palette images, 2 for
16-bit grey, 4 for everything else (RGB included, stored as RGBX); a progressive JPEG, or one
whose first scan lacks a component, also has libjpeg keep every DCT coefficient of the photo
(2 bytes a sample: 3 bytes a pixel at 4:2:0, 6 at 4:4:4, 8 for CMYK), however small the decoded
copy. So the header is priced before any pixel is decoded (``_bytes_per_pixel``), at the
smallest decoding the format allows (a JPEG at 1/8 of its size, a PNG whole), and a file whose
price exceeds ``DECODE_BUDGET`` is refused with the largest size admitted for a file of its kind
(``pixel_limit``): an RGBA or RGB PNG up to 26 megapixels, a 16-bit grey PNG up to the 40 of
``MAX_PIXELS``, a progressive CMYK JPEG up to 13. A JPEG is then decoded at the fraction its crop
allows, or a smaller one if that is what fits the budget. After decoding, nothing of the photo's
size is copied whole: the area kept is cut, turned by its EXIF orientation, flattened onto white
and reduced by an integer factor strip by strip (``_cropped_and_reduced``), the same pixels as
doing each step on the whole area, and only the reduced area (under 2148×2646) is resized. The
worst admitted file of each kind then costs under 150 MB above the worker's baseline, where a
5770×6915 RGBA PNG cost 480 MB (bench/photo_memory_bench.py), and the memory is returned after.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageFile

MAX_BYTES = 5 * 1024 * 1024
# Our own decompression-bomb limit, checked on the declared size before any pixel is decoded.
# Independent of PIL.Image.MAX_IMAGE_PIXELS (a process-wide setting that other code may change).
# 12-megapixel phone photos are far below it. What decoding costs is bounded separately, by
# DECODE_BUDGET: 40 megapixels of RGBA would take 160 MB.
MAX_PIXELS = 40_000_000
# The memory decoding one photo may take (the pixels, and libjpeg's coefficients of a progressive
# JPEG), priced from the header before decoding; the strips and the reduced copy made from the
# decoded photo take under 40 MB more (module docstring).
DECODE_BUDGET = 100 * 1024 * 1024
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
# Bytes Pillow keeps per pixel (libImaging/Storage.c); every other mode takes 4.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
_JPEG_FORMATS = {"JPEG", "MPO"}
# libjpeg's DCT scaling: a JPEG can be decoded at 1/2, 1/4 or 1/8 of its size.
_JPEG_REDUCTIONS = (1, 2, 4, 8)
# Bytes libjpeg keeps per coefficient (JCOEF, a short) when it buffers a whole JPEG.
_JPEG_COEFFICIENT_BYTES = 2
# Pixels of one strip the decoded photo is cut, flattened and reduced in (with the copies a
# flattening makes, about 9 MB).
_STRIP_PIXELS = 1 << 19
# Pillow's resize(reducing_gap=3.0), done in two steps here: an integer-factor reduction first
# when shrinking more than 3 times, then LANCZOS; visually the same as LANCZOS all the way.
_REDUCING_GAP = 3.0
# EXIF orientation: the transposition that shows the photo upright (as ImageOps.exif_transpose).
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoError(ValueError):
    """The upload cannot be used as an ID photo. ``str()`` is the reason, for the practitioner.

    ``code`` names the reason for programs: "empty", "too_large", "format", "broken", "animated",
    "too_many_pixels", "too_large_to_process", "too_small", "crop_outside", "crop_too_small".
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
    data = bytes(data)
    image = _open(data)
    orientation = _orientation(image)  # a PNG is decoded here (its EXIF may follow the pixels)
    width, height = image.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
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
    _draft(image, rectangle, data)
    _load(image)
    decoded = image.size if orientation not in (5, 6, 7, 8) else image.size[::-1]
    if decoded != (width, height):  # decoded at a fraction of its size: the area in its pixels
        rectangle = _scaled(rectangle, decoded, (width, height))
    icc_profile = image.info.get("icc_profile")
    reduced, box = _cropped_and_reduced(image, orientation, rectangle)
    del image  # the decoded original can be large; only the reduced area is needed from here

    resized = reduced.resize(STANDARD_SIZE, Image.Resampling.LANCZOS, box=box)
    del reduced
    standard_image = _to_srgb(resized, icc_profile)
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
    """The image, its header and (PNG) checksums checked, but no pixel decoded yet (see
    ``_load``); or PhotoError."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # see the module docstring
        raise RuntimeError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on, so cut-off photos would be accepted; "
            "import WeasyPrint through core.pdf.import_weasyprint, which switches it off"
        )
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

    with _pillow_verdict():
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
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
        if width < 1 or height < 1:
            raise _broken_error()
        price = _bytes_per_pixel(image, data, _JPEG_REDUCTIONS[-1])
        if width * height * price > DECODE_BUDGET:
            raise _too_large_to_process_error(width * height, _pixel_limit(price))
        # What can be checked without decoding: a PNG's chunk checksums up to IEND (a JPEG has
        # none). verify() uses the image up, so the file is opened again for decoding.
        image.verify()
        return Image.open(io.BytesIO(data), formats=[pillow_format])


@contextlib.contextmanager
def _pillow_verdict() -> Iterator[None]:
    """Pillow's errors on the upload as PhotoError: its decompression-bomb error and warning
    (made an error here) "too_many_pixels", any other "broken". Our own, stricter MAX_PIXELS is
    what normally applies; Pillow's limit is a process-wide setting that other code may change."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (PhotoError, MemoryError):
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels_error() from exc
        except Exception as exc:  # any parser error on untrusted bytes, as Django's ImageField
            raise _broken_error() from exc


def pixel_limit(data: bytes) -> int:
    """The most pixels a photo like ``data`` may have: its format, mode and bit depth (and a
    JPEG's scans and sampling) priced as ``_open`` does, at most ``MAX_PIXELS``. Or PhotoError
    when ``data`` is itself refused."""
    data = bytes(data)
    return _pixel_limit(_bytes_per_pixel(_open(data), data, _JPEG_REDUCTIONS[-1]))


def _pixel_limit(price: float) -> int:
    return min(MAX_PIXELS, int(DECODE_BUDGET / price))


def _bytes_per_pixel(image: Image.Image, data: bytes, reduction: int) -> float:
    """Bytes of memory that decoding the file at 1/``reduction`` of its size (a JPEG; any other
    file whole) takes per pixel it declares, known from its header: the decoded pixels, and for
    a JPEG that libjpeg must buffer whole, its coefficients at full size."""
    decoded = _PIXEL_BYTES.get(image.mode, 4)
    if image.format not in _JPEG_FORMATS:
        return float(decoded)
    return decoded / reduction**2 + _jpeg_coefficient_bytes(image, data)


def _jpeg_coefficient_bytes(image: Image.Image, data: bytes) -> float:
    """Bytes per pixel of the coefficient buffer libjpeg keeps for a progressive JPEG or one
    whose first scan lacks a component (jdinput.c: ``has_multiple_scans``); 0 for a baseline
    JPEG in one scan, which libjpeg decodes a row of blocks at a time. Each component is
    sampled at (h × v) / (max h × max v) of the pixels, 2 bytes a sample."""
    layers = getattr(image, "layer", [])
    if not layers:
        return 0.0
    first_scan = _jpeg_first_scan_components(data)
    if not image.info.get("progressive") and first_scan == len(layers):
        return 0.0
    # Pillow's layer: (id, horizontal sampling, vertical sampling, table): the order of the two
    # factors does not matter here.
    max_h = max(layer[1] for layer in layers) or 1
    max_v = max(layer[2] for layer in layers) or 1
    samples = sum(layer[1] * layer[2] for layer in layers) / (max_h * max_v)
    return _JPEG_COEFFICIENT_BYTES * samples


def _jpeg_first_scan_components(data: bytes) -> int | None:
    """How many components the first scan (SOS segment) of a JPEG holds, found by walking the
    segments before it (each has its length); None when the walk fails, which is then priced
    as the dearest case."""
    position = 2  # after the start-of-image marker
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a segment
            position += 2
            continue
        if marker == 0xDA:
            return data[position + 4] if position + 4 < len(data) else None
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return None


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, 1 to 8 (1: upright), as ImageOps.exif_transpose reads it."""
    with _pillow_verdict():  # a hostile EXIF block (any value); a PNG is decoded here
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        return orientation if orientation in _ORIENTATIONS else 1


def _draft(image: Image.Image, rectangle: tuple[int, int, int, int], data: bytes) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling) when the
    area kept is still at least the standard copy's size at that scale: a phone's 12-megapixel
    photo then takes a fifth of the CPU (docs/decisions.md), at no visible cost. A larger
    photo, with a small area chosen, is decoded at the largest scale within DECODE_BUDGET
    instead (``_open`` has checked that 1/8 is)."""
    if image.format not in _JPEG_FORMATS:
        return
    left, top, right, bottom = rectangle
    standard_width, standard_height = STANDARD_SIZE
    scale = min((right - left) / standard_width, (bottom - top) / standard_height)
    reduction = 1 if scale < 2 else min(8, 2 ** int(math.log2(scale)))
    width, height = image.size
    while (
        reduction < _JPEG_REDUCTIONS[-1]
        and width * height * _bytes_per_pixel(image, data, reduction) > DECODE_BUDGET
    ):
        reduction *= 2
    if reduction == 1:
        return
    # Pillow picks the largest of 1/2, 1/4, 1/8 that gives at least the size asked for.
    image.draft(image.mode, (width // reduction, height // reduction))


def _load(image: Image.Image) -> None:
    """Decode every pixel now (a damaged or cut-off file fails here, not later); or
    PhotoError."""
    with _pillow_verdict():
        image.load()


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


def _too_large_to_process_error(pixels: int, limit: int) -> PhotoError:
    return PhotoError(
        _(
            "The photo is too large to process: it has %(pixels).1f megapixels, but a file of "
            "this kind (its format and colour depth) may have at most %(limit)s megapixels. "
            "Please send a smaller photo, for example one saved at a lower resolution."
        )
        % {"pixels": pixels / 1_000_000, "limit": limit // 1_000_000},
        code="too_large_to_process",
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


def _cropped_and_reduced(
    image: Image.Image, orientation: int, rectangle: tuple[int, int, int, int]
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The area ``rectangle`` of the photo as displayed, flattened (``_flatten``) and reduced by
    the integer factor Pillow's resize(reducing_gap=3.0) would use, and the box of the area in
    it to resize to the standard size.

    Cutting, turning and flattening are pixel by pixel and a reduction averages blocks of
    pixels, so doing them strip by strip (strips a whole number of blocks high) gives exactly
    the pixels of doing them on the whole area, without a copy of the photo's size; the result
    is under 2148×2646 pixels (a factor of n is used from 3n times the standard size on)."""
    left, top, right, bottom = rectangle
    width, height = right - left, bottom - top
    factor_x = int(width / STANDARD_SIZE[0] / _REDUCING_GAP) or 1
    factor_y = int(height / STANDARD_SIZE[1] / _REDUCING_GAP) or 1
    strip_height = factor_y * max(1, _STRIP_PIXELS // (width * factor_y))
    reduced: Image.Image | None = None
    for y in range(top, bottom, strip_height):
        strip = _flatten(
            _displayed_crop(image, orientation, (left, y, right, min(y + strip_height, bottom)))
        )
        if (factor_x, factor_y) != (1, 1):
            strip = strip.reduce((factor_x, factor_y))
        if reduced is None:
            size = (-(-width // factor_x), -(-height // factor_y))
            reduced = Image.new(strip.mode, size)
        reduced.paste(strip, (0, (y - top) // factor_y))
    assert reduced is not None  # for the type checker: the rectangle is never empty
    return reduced, (0, 0, width / factor_x, height / factor_y)


def _displayed_crop(
    image: Image.Image, orientation: int, box: tuple[int, int, int, int]
) -> Image.Image:
    """The area ``box`` (left, top, right, bottom) of the photo as displayed, that is turned by
    its EXIF orientation: the same area of the stored pixels, cut, then turned."""
    method = _ORIENTATIONS.get(orientation)
    if method is None:
        return image.crop(box)
    w, h = image.size
    left, top, right, bottom = box
    source = {
        Image.Transpose.FLIP_LEFT_RIGHT: (w - right, top, w - left, bottom),
        Image.Transpose.ROTATE_180: (w - right, h - bottom, w - left, h - top),
        Image.Transpose.FLIP_TOP_BOTTOM: (left, h - bottom, right, h - top),
        Image.Transpose.TRANSPOSE: (top, left, bottom, right),
        Image.Transpose.ROTATE_270: (top, h - right, bottom, h - left),
        Image.Transpose.TRANSVERSE: (w - bottom, h - right, w - top, h - left),
        Image.Transpose.ROTATE_90: (w - bottom, left, w - top, right),
    }[method]
    return image.crop(source).transpose(method)


def _flatten(image: Image.Image) -> Image.Image:
    """The image in mode L, RGB or CMYK (8 bits), transparency composited onto white."""
    if image.mode in _HIGH_BIT_DEPTH_MODES:
        # 16-bit grey PNG: scale 0..65535 to 0..255 (a plain convert("L") clips at 255, which
        # would turn most of the photo white). Its rare tRNS colour key is dropped.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
        image.info.pop("transparency", None)

    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")  # also applies a palette's or colour key's transparency
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in {"L", "RGB", "CMYK"}:
        return image
    return image.convert("RGB")  # 1, P without transparency, ...


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
