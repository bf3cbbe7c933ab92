"""Where in the photo: the area kept, in the 358:441 proportion."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from collection.photos import limits
from collection.photos.limits import CropBox, PhotoError


def crop_rectangle(size: tuple[int, int], crop: CropBox | None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the area to keep, in the 358:441 proportion."""
    image_width, image_height = size
    if crop is None:
        width, height = fit_proportion(image_width, image_height, image_width, image_height)
        left = (image_width - width) / 2
        top = (image_height - height) * limits.PORTRAIT_TOP_SHARE
        return rounded(left, top, width, height, size)

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
    if crop.width < limits.MIN_CROP_WIDTH or crop.height < limits.MIN_CROP_HEIGHT:
        raise PhotoError(
            _(
                "The selected area is too small: it is %(crop_width)d×%(crop_height)d pixels, but "
                "it must be at least %(min_width)s×%(min_height)s pixels. Please select a larger "
                "area."
            )
            % {
                "crop_width": crop.width,
                "crop_height": crop.height,
                "min_width": limits.MIN_CROP_WIDTH,
                "min_height": limits.MIN_CROP_HEIGHT,
            },
            code="crop_too_small",
        )
    # Grow the short side about the box's centre; if the grown box is wider or taller than the
    # photo, shrink it to fit instead; then move it back inside the photo.
    standard_width, standard_height = limits.STANDARD_SIZE
    if crop.width * standard_height < crop.height * standard_width:
        width, height = crop.height * standard_width / standard_height, float(crop.height)
    else:
        width, height = float(crop.width), crop.width * standard_height / standard_width
    width, height = fit_proportion(width, height, image_width, image_height)
    left = min(max(crop.x + crop.width / 2 - width / 2, 0), image_width - width)
    top = min(max(crop.y + crop.height / 2 - height / 2, 0), image_height - height)
    return rounded(left, top, width, height, size)


def fit_proportion(
    width: float, height: float, max_width: float, max_height: float
) -> tuple[float, float]:
    """The largest 358:441 box no wider than min(width, max_width), no taller than
    min(height, max_height)."""
    standard_width, standard_height = limits.STANDARD_SIZE
    width, height = min(width, max_width), min(height, max_height)
    if width * standard_height > height * standard_width:
        width = height * standard_width / standard_height
    else:
        height = width * standard_height / standard_width
    return width, height


def rounded(
    left: float, top: float, width: float, height: float, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    right, bottom = min(round(left + width), size[0]), min(round(top + height), size[1])
    return max(round(left), 0), max(round(top), 0), right, bottom
