"""ID photos uploaded by practitioners: check them, then make the two JPEG copies the register keeps.

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
copy. So the header is priced before any pixel is decoded (``pricing.bytes_per_pixel``), at the
smallest decoding the format allows (a JPEG at 1/8 of its size, a PNG whole), and a file whose
price exceeds ``DECODE_BUDGET`` is refused with the largest size admitted for a file of its kind
(``pixel_limit``): an RGBA or RGB PNG up to 26 megapixels, a 16-bit grey PNG up to the 40 of
``MAX_PIXELS``, a progressive CMYK JPEG up to 13. A JPEG is then decoded at the fraction its crop
allows, or a smaller one if that is what fits the budget. After decoding, nothing of the photo's
size is copied whole: the area kept is cut, turned by its EXIF orientation, flattened onto white
and reduced by an integer factor strip by strip (``pixels.cropped_and_reduced``), the same pixels as
doing each step on the whole area, and only the reduced area (under 2148×2646) is resized. The
worst admitted file of each kind then costs under 150 MB above the worker's baseline, where a
5770×6915 RGBA PNG cost 480 MB (bench/photo_memory_bench.py), and the memory is returned after.

The steps, bottom to top: limits (what is allowed, the errors), pricing, decoding, cropping,
pixels; ``process_photo`` here runs them in order.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _
from PIL import Image

from collection.photos import cropping, decoding, limits, pixels
from collection.photos.decoding import pixel_limit
from collection.photos.limits import (
    DECODE_BUDGET,
    MAX_BYTES,
    MAX_PIXELS,
    MIN_CROP_HEIGHT,
    MIN_CROP_WIDTH,
    MIN_HEIGHT,
    MIN_WIDTH,
    NATIONAL_MAX_BYTES,
    NATIONAL_SIZE,
    STANDARD_QUALITY,
    STANDARD_SIZE,
    CropBox,
    PhotoError,
    ProcessedPhoto,
    sniff_image_format,
)


def process_photo(data: bytes, crop: CropBox | None = None) -> ProcessedPhoto:
    """Check an uploaded ID photo and make its standard and national copies.

    ``crop`` is the area to keep, in pixels of the displayed photo; it is widened or heightened
    about its centre to the 358:441 proportion (and moved back inside the photo if that pushes it
    over an edge). Without it, the largest 358:441 area is kept: centred across, and slightly
    above centre in tall photos (see ``limits.PORTRAIT_TOP_SHARE``).

    Raises ``PhotoError`` with a reason for the practitioner when the file cannot be used.
    """
    data = bytes(data)
    image = decoding.open_checked(data)
    # A PNG is decoded here (its EXIF may follow the pixels).
    orientation = decoding.exif_orientation(image)
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
    rectangle = cropping.crop_rectangle((width, height), crop)
    decoding.draft(image, rectangle, data)
    decoding.load(image)
    decoded = image.size if orientation not in (5, 6, 7, 8) else image.size[::-1]
    if decoded != (width, height):  # decoded at a fraction of its size: the area in its pixels
        rectangle = decoding.scaled(rectangle, decoded, (width, height))
    icc_profile = image.info.get("icc_profile")
    reduced, box = pixels.cropped_and_reduced(image, orientation, rectangle)
    del image  # the decoded original can be large; only the reduced area is needed from here

    resized = reduced.resize(limits.STANDARD_SIZE, Image.Resampling.LANCZOS, box=box)
    del reduced
    standard_image = pixels.to_srgb(resized, icc_profile)
    standard = pixels.encode_jpeg(standard_image, limits.STANDARD_QUALITY)
    national = pixels.national_copy(standard_image)
    return ProcessedPhoto(
        standard=standard,
        national=national,
        width=width,
        height=height,
        sha256=hashlib.sha256(standard).hexdigest(),
    )


__all__ = [
    "CropBox",
    "DECODE_BUDGET",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MIN_CROP_HEIGHT",
    "MIN_CROP_WIDTH",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "NATIONAL_MAX_BYTES",
    "NATIONAL_SIZE",
    "PhotoError",
    "ProcessedPhoto",
    "STANDARD_QUALITY",
    "STANDARD_SIZE",
    "pixel_limit",
    "process_photo",
    "sniff_image_format",
]
