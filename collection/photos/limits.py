"""What a photo may be, and the words for what it may not: the limits, the sizes of the copies,
the errors, the crop box, the result, and the signature check."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image

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
NATIONAL_MIN_QUALITY = 30
NATIONAL_QUALITY_STEP = 5

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Pillow names: a JPEG carrying a multi-picture (MPF) segment opens as "MPO"; Android "Ultra HDR"
# photos are such files (the second picture is a gain map), so MPO is a JPEG here, not an animation.
PILLOW_FORMATS = {"jpeg": ("JPEG", {"JPEG", "MPO"}), "png": ("PNG", {"PNG"})}
WHITE = (255, 255, 255)
HIGH_BIT_DEPTH_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
ALPHA_MODES = {"LA", "La", "PA", "RGBA", "RGBa"}
# Bytes Pillow keeps per pixel (libImaging/Storage.c); every other mode takes 4.
PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
JPEG_FORMATS = {"JPEG", "MPO"}
# libjpeg's DCT scaling: a JPEG can be decoded at 1/2, 1/4 or 1/8 of its size.
JPEG_REDUCTIONS = (1, 2, 4, 8)
# Bytes libjpeg keeps per coefficient (JCOEF, a short) when it buffers a whole JPEG.
JPEG_COEFFICIENT_BYTES = 2
# Pixels of one strip the decoded photo is cut, flattened and reduced in (with the copies a
# flattening makes, about 9 MB).
STRIP_PIXELS = 1 << 19
# Pillow's resize(reducing_gap=3.0), done in two steps here: an integer-factor reduction first
# when shrinking more than 3 times, then LANCZOS; visually the same as LANCZOS all the way.
REDUCING_GAP = 3.0
# EXIF orientation: the transposition that shows the photo upright (as ImageOps.exif_transpose).
ORIENTATIONS = {
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
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head == PNG_MAGIC:
        return "png"
    return None


def format_error() -> PhotoError:
    return PhotoError(
        _("Only JPEG or PNG photos are accepted. Please save the photo as JPEG or PNG."),
        code="format",
    )


def broken_error() -> PhotoError:
    return PhotoError(
        _(
            "The file could not be read as a photo: it is damaged or incomplete. "
            "Please take or choose the photo again."
        ),
        code="broken",
    )


def too_large_to_process_error(pixels: int, limit: int) -> PhotoError:
    return PhotoError(
        _(
            "The photo is too large to process: it has %(pixels).1f megapixels, but a file of "
            "this kind (its format and colour depth) may have at most %(limit)s megapixels. "
            "Please send a smaller photo, for example one saved at a lower resolution."
        )
        % {"pixels": pixels / 1_000_000, "limit": limit // 1_000_000},
        code="too_large_to_process",
    )


def too_many_pixels_error() -> PhotoError:
    return PhotoError(
        _(
            "The image has too many pixels (more than %(limit)s megapixels). "
            "Please upload a smaller photo."
        )
        % {"limit": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
