"""Pixels and encoding: the area cut, turned, flattened and reduced strip by strip, converted to
sRGB and encoded as the two JPEG copies."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageCms

from collection.photos import limits


def cropped_and_reduced(
    image: Image.Image, orientation: int, rectangle: tuple[int, int, int, int]
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The area ``rectangle`` of the photo as displayed, flattened (``flatten``) and reduced by
    the integer factor Pillow's resize(reducing_gap=3.0) would use, and the box of the area in
    it to resize to the standard size.

    Cutting, turning and flattening are pixel by pixel and a reduction averages blocks of
    pixels, so doing them strip by strip (strips a whole number of blocks high) gives exactly
    the pixels of doing them on the whole area, without a copy of the photo's size; the result
    is under 2148×2646 pixels (a factor of n is used from 3n times the standard size on)."""
    left, top, right, bottom = rectangle
    width, height = right - left, bottom - top
    factor_x = int(width / limits.STANDARD_SIZE[0] / limits.REDUCING_GAP) or 1
    factor_y = int(height / limits.STANDARD_SIZE[1] / limits.REDUCING_GAP) or 1
    strip_height = factor_y * max(1, limits.STRIP_PIXELS // (width * factor_y))
    reduced: Image.Image | None = None
    for y in range(top, bottom, strip_height):
        strip = flatten(
            displayed_crop(image, orientation, (left, y, right, min(y + strip_height, bottom)))
        )
        if (factor_x, factor_y) != (1, 1):
            strip = strip.reduce((factor_x, factor_y))
        if reduced is None:
            size = (-(-width // factor_x), -(-height // factor_y))
            reduced = Image.new(strip.mode, size)
        reduced.paste(strip, (0, (y - top) // factor_y))
    assert reduced is not None  # for the type checker: the rectangle is never empty
    return reduced, (0, 0, width / factor_x, height / factor_y)


def displayed_crop(
    image: Image.Image, orientation: int, box: tuple[int, int, int, int]
) -> Image.Image:
    """The area ``box`` (left, top, right, bottom) of the photo as displayed, that is turned by
    its EXIF orientation: the same area of the stored pixels, cut, then turned."""
    method = limits.ORIENTATIONS.get(orientation)
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


def flatten(image: Image.Image) -> Image.Image:
    """The image in mode L, RGB or CMYK (8 bits), transparency composited onto white."""
    if image.mode in limits.HIGH_BIT_DEPTH_MODES:
        # 16-bit grey PNG: scale 0..65535 to 0..255 (a plain convert("L") clips at 255, which
        # would turn most of the photo white). Its rare tRNS colour key is dropped.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
        image.info.pop("transparency", None)

    if image.mode in limits.ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")  # also applies a palette's or colour key's transparency
        flat = Image.new("RGB", rgba.size, limits.WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in {"L", "RGB", "CMYK"}:
        return image
    return image.convert("RGB")  # 1, P without transparency, ...


def resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    # reducing_gap: a fast integer-factor reduction first when shrinking more than 3×, then
    # LANCZOS; visually the same as LANCZOS all the way (Pillow documentation).
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


@functools.cache
def srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB pixels in sRGB. The original's embedded ICC profile (a CMYK press profile, an
    iPhone's Display P3, ...) is honoured here because the copies carry no profile; without one,
    or if it is unusable, Pillow's plain conversion is used (CMYK: the usual 255 - C - K)."""
    if icc_profile:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                srgb_profile(),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that does not match the pixels, or a broken one
    return image if image.mode == "RGB" else image.convert("RGB")


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """Baseline JPEG of the pixels alone: the image is rebuilt from its raw bytes, so nothing of
    the original's ``info`` (EXIF, ICC profile, comment, DPI) can reach the encoder."""
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=quality, optimize=True, progressive=False, subsampling="4:2:0")
    return out.getvalue()


def national_copy(standard_image: Image.Image) -> bytes:
    image = resized(standard_image, limits.NATIONAL_SIZE)
    for quality in range(
        limits.STANDARD_QUALITY, limits.NATIONAL_MIN_QUALITY - 1, -limits.NATIONAL_QUALITY_STEP
    ):
        encoded = encode_jpeg(image, quality)
        if len(encoded) < limits.NATIONAL_MAX_BYTES:
            return encoded
    # Cannot happen with a 102×126 image (its raw pixels are 38 KB); kept as a hard check
    # (not an assert statement, which python -O removes).
    raise AssertionError(
        f"national copy still {len(encoded)} bytes at quality {limits.NATIONAL_MIN_QUALITY}"
    )
