"""ID photo checks and copies (collection.photos). Every image is drawn here with Pillow."""

import functools
import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from collection import photos
from collection.photos import (
    MAX_BYTES,
    NATIONAL_MAX_BYTES,
    NATIONAL_SIZE,
    STANDARD_SIZE,
    CropBox,
    PhotoError,
    process_photo,
    sniff_image_format,
)
from tests.helpers import rgba_png, solid_png

RED, GREEN, BLUE, WHITE = (220, 20, 20), (20, 200, 20), (20, 20, 220), (255, 255, 255)


# --- Helpers ------------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def photo(size=(600, 800), color=GREEN, mode="RGB") -> Image.Image:
    return Image.new(mode, size, color)


def jpeg(size=(600, 800), color=GREEN, **params) -> bytes:
    return encode(photo(size, color), "JPEG", quality=92, **params)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def refusal(data: bytes, crop: CropBox | None = None) -> PhotoError:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, crop)
    return caught.value


def black_bilevel_png(width: int, height: int) -> bytes:
    """A complete, valid 1-bit greyscale PNG, all black: a small file of a huge image."""
    return solid_png(width, height, bit_depth=1, colour_type=0, row=b"\x00" * ((width + 7) // 8))


def grey_16_bit_png(width: int, height: int) -> bytes:
    """A mid-grey 16-bit greyscale PNG (colour type 0), which Pillow opens as I;16."""
    return solid_png(width, height, bit_depth=16, colour_type=0, row=b"\x75\x30" * width)


# --- Accepted photos ----------------------------------------------------------------------------


def test_a_valid_jpeg_gives_a_358x441_standard_copy_and_a_small_national_copy():
    result = process_photo(jpeg((600, 800)))

    standard = opened(result.standard)
    assert standard.format == "JPEG" and standard.mode == "RGB"
    assert standard.size == STANDARD_SIZE == (358, 441)
    assert near(standard.getpixel((179, 220)), GREEN)
    national = opened(result.national)
    assert national.format == "JPEG" and national.size == NATIONAL_SIZE == (102, 126)
    assert len(result.national) < NATIONAL_MAX_BYTES == 50 * 1024
    assert (result.width, result.height) == (600, 800)
    assert result.sha256 == hashlib.sha256(result.standard).hexdigest()


def test_the_standard_copy_is_a_baseline_jpeg():
    result = process_photo(jpeg(progressive=True))

    assert "progressive" not in opened(result.standard).info
    assert b"\xff\xc0" in result.standard  # SOF0: baseline DCT
    assert b"\xff\xc2" not in result.standard  # SOF2: progressive


def test_a_valid_png_is_accepted():
    result = process_photo(encode(photo((500, 700), BLUE), "PNG"))

    assert near(opened(result.standard).getpixel((179, 220)), BLUE)


def test_a_sideways_phone_photo_is_turned_upright_and_loses_its_exif_and_gps_position():
    # The camera stored 600×400 landscape pixels with orientation 6 ("rotate 90° clockwise to
    # display"), so the photo is really 400×600 portrait. A red block in the stored top-left
    # corner is, once upright, in the top-right corner.
    stored = photo((600, 400), WHITE)
    stored.paste(RED, (0, 0, 150, 150))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 48.0, 58.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (108.0, 22.0, 1.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(stored, "JPEG", quality=95, exif=exif, icc_profile=icc, comment=b"secret")
    assert opened(source).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source does carry GPS

    result = process_photo(source)

    assert (result.width, result.height) == (400, 600)
    upright = opened(result.standard)
    assert upright.size == (358, 441)
    assert near(upright.getpixel((335, 20)), RED)  # top right
    for corner in [(20, 20), (20, 420), (335, 420)]:
        assert near(upright.getpixel(corner), WHITE)
    for copy in (result.standard, result.national):
        image = opened(copy)
        assert len(image.getexif()) == 0
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        assert b"Exif" not in copy and b"ICC_PROFILE" not in copy
        assert b"secret" not in copy and b"PhoneMaker" not in copy


def test_orientation_is_applied_before_the_minimum_size_is_checked():
    # Stored 400×300 (too short), but orientation 6 makes it 300×400: exactly the minimum.
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    result = process_photo(encode(photo((400, 300)), "JPEG", exif=exif))

    assert (result.width, result.height) == (300, 400)


def test_transparent_parts_of_a_png_become_white_not_black():
    image = Image.new("RGBA", (400, 500), (0, 0, 0, 0))  # transparent black
    image.paste((*BLUE, 255), (100, 100, 300, 400))
    image.paste((*RED, 128), (0, 450, 400, 500))  # half-transparent red strip at the bottom

    standard = opened(process_photo(encode(image, "PNG")).standard)

    assert near(standard.getpixel((5, 5)), WHITE, tolerance=8)
    assert near(standard.getpixel((179, 220)), BLUE)
    assert near(standard.getpixel((179, 430)), (237, 137, 137))  # red over white, not over black


def test_a_cmyk_jpeg_becomes_rgb_with_the_right_colours():
    cmyk_red = Image.new("CMYK", (400, 500), (0, 255, 255, 0))
    source = encode(cmyk_red, "JPEG", quality=95)
    assert opened(source).mode == "CMYK"

    standard = opened(process_photo(source).standard)

    assert standard.mode == "RGB"
    assert near(standard.getpixel((179, 220)), (255, 0, 0))


@pytest.mark.parametrize(
    ("mode", "color", "expected"),
    [
        ("P", None, GREEN),
        ("LA", (128, 255), (128, 128, 128)),
        ("L", 200, (200, 200, 200)),
        ("1", 1, WHITE),
        ("I;16", 32896, (128, 128, 128)),  # 16-bit grey: 32896 / 257 = 128, not clipped to 255
    ],
)
def test_palette_grey_and_16_bit_pngs_are_converted_to_rgb(mode, color, expected):
    image = (
        photo((400, 500), GREEN).quantize() if mode == "P" else Image.new(mode, (400, 500), color)
    )
    source = encode(image, "PNG")
    assert opened(source).mode == mode

    standard = opened(process_photo(source).standard)

    assert standard.mode == "RGB"
    assert near(standard.getpixel((179, 220)), expected, tolerance=12)


def test_a_palette_png_with_a_transparent_colour_gets_a_white_background():
    image = Image.new("P", (400, 500), 0)
    image.putpalette([0, 0, 0] + list(BLUE))
    image.paste(1, (100, 100, 300, 400))
    source = encode(image, "PNG", transparency=0)

    standard = opened(process_photo(source).standard)

    assert near(standard.getpixel((5, 5)), WHITE, tolerance=8)
    assert near(standard.getpixel((179, 220)), BLUE)


def test_a_phone_jpeg_carrying_a_second_picture_is_accepted_using_the_first_one():
    # Android "Ultra HDR" photos are multi-picture JPEGs (MPF): the primary photo plus a gain map.
    source = encode(photo((400, 500), RED), "MPO", save_all=True, append_images=[photo((100, 125))])
    assert Image.open(io.BytesIO(source)).format == "MPO"

    result = process_photo(source)

    assert near(opened(result.standard).getpixel((179, 220)), RED)


def test_the_default_crop_keeps_the_full_width_of_a_tall_photo_a_little_above_centre():
    # 600×1000: the 358:441 box is 600×739; 40 % of the 261 spare rows (104) go above it.
    image = photo((600, 1000), WHITE)
    image.paste(RED, (0, 0, 600, 90))  # above the box: cut off
    image.paste(BLUE, (0, 870, 600, 1000))  # below the box: cut off

    standard = opened(process_photo(encode(image, "PNG")).standard)

    for y in (2, 438):
        assert near(standard.getpixel((179, y)), WHITE, tolerance=10)


def test_the_default_crop_of_a_wide_photo_is_centred():
    image = photo((1200, 600), RED)
    image.paste(GREEN, (356, 0, 844, 600))  # the centred 488×600 box

    standard = opened(process_photo(encode(image, "PNG")).standard)

    for x in (3, 354):
        assert near(standard.getpixel((x, 220)), GREEN)


# --- Crop boxes ---------------------------------------------------------------------------------


def quadrants() -> bytes:
    """1200×1600: red top-left, green top-right, blue bottom-left, white bottom-right."""
    image = photo((1200, 1600), RED)
    image.paste(GREEN, (600, 0, 1200, 800))
    image.paste(BLUE, (0, 800, 600, 1600))
    image.paste(WHITE, (600, 800, 1200, 1600))
    return encode(image, "PNG")


def test_a_crop_box_is_honoured():
    standard = opened(process_photo(quadrants(), CropBox(700, 900, 400, 493)).standard)

    for point in [(3, 3), (354, 3), (3, 437), (354, 437), (179, 220)]:
        assert near(standard.getpixel(point), WHITE, tolerance=10)


def test_a_crop_box_of_another_proportion_is_widened_about_its_centre():
    # 300×600 about x = 600 (the red/green border) becomes 487×600: half red, half green.
    standard = opened(process_photo(quadrants(), CropBox(450, 100, 300, 600)).standard)

    assert near(standard.getpixel((20, 220)), RED)
    assert near(standard.getpixel((338, 220)), GREEN)


def test_a_crop_box_that_would_grow_past_the_edge_is_moved_back_inside():
    # 1200×400 is far wider than 358:441: it becomes 1200×1478 and is moved up to fit (not refused).
    result = process_photo(quadrants(), CropBox(0, 1200, 1200, 400))

    assert opened(result.standard).size == STANDARD_SIZE


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two decoded copies, per channel (0-255)."""
    first, second = opened(a).convert("RGB"), opened(b).convert("RGB")
    pairs = zip(first.get_flattened_data(), second.get_flattened_data(), strict=True)
    return sum(abs(x - y) for p, q in pairs for x, y in zip(p, q, strict=True)) / (
        first.width * first.height * 3
    )


def landmarks(size=(2400, 3200)) -> Image.Image:
    """A large photo whose every region differs: a gradient with a grid of dark squares."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.merge(
        "RGB",
        (
            image.getchannel(0),
            image.rotate(90).resize(size).getchannel(0),
            Image.new("L", size, 128),
        ),
    )
    for x in range(0, width, 160):
        for y in range(0, height, 160):
            image.paste((20, 20, 20), (x, y, x + 40 + x % 70, y + 40 + y % 50))
    return image


@pytest.mark.parametrize("orientation", [None, 6])
@pytest.mark.parametrize(
    "crop", [None, CropBox(700, 500, 1200, 1478), CropBox(1500, 2000, 716, 882)]
)
def test_a_large_jpeg_decoded_at_a_fraction_gives_the_same_copy_as_every_pixel(orientation, crop):
    # A large JPEG is decoded at 1/2, 1/4 or 1/8 of its size (collection.photos.decoding.draft); the
    # same photo as a PNG is decoded whole. The area kept must be the same, turned alike.
    image, params = landmarks(), {}
    if orientation:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        image, params = image.rotate(90, expand=True), {"exif": exif}  # displayed 2400×3200
    drafted = process_photo(encode(image, "JPEG", quality=95, **params), crop)
    whole = process_photo(encode(image, "PNG", **params), crop)

    assert (drafted.width, drafted.height) == (whole.width, whole.height) == (2400, 3200)
    assert difference(drafted.standard, whole.standard) < 4
    shifted = process_photo(encode(image, "PNG", **params), CropBox(760, 560, 1200, 1478))
    assert difference(shifted.standard, whole.standard) > 3 * difference(
        drafted.standard, whole.standard
    )


@pytest.mark.parametrize(
    "crop",
    [
        CropBox(1000, 100, 400, 500),  # past the right edge
        CropBox(0, 1200, 400, 500),  # past the bottom
        CropBox(-1, 0, 400, 500),
        CropBox(0, 0, 0, 500),
        CropBox(0, 0, float("nan"), 500),
        CropBox(5000, 5000, 400, 500),
    ],
)
def test_a_crop_box_outside_the_photo_is_refused(crop):
    error = refusal(quadrants(), crop)

    assert error.code == "crop_outside"
    assert "inside the photo (1200×1600 pixels)" in str(error)


def test_a_crop_box_smaller_than_the_minimum_is_refused_with_the_sizes():
    error = refusal(quadrants(), CropBox(10, 10, 200, 250))

    assert error.code == "crop_too_small"
    assert "200×250" in str(error) and "300×369" in str(error)


def test_a_cropper_locked_to_the_proportion_can_select_the_full_width_of_the_smallest_photo():
    result = process_photo(jpeg((300, 400)), CropBox(0, 15, 300, 369))

    assert opened(result.standard).size == STANDARD_SIZE


# --- Refused files ------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    error = refusal(b"")

    assert error.code == "empty" and "empty" in str(error)


def test_a_file_over_5_mb_is_refused_before_it_is_read_as_an_image():
    error = refusal(jpeg()[:3] + b"\x00" * (6 * 1024 * 1024))

    assert error.code == "too_large"
    assert str(error) == "The file is too large (6.0 MB); the limit is 5 MB."
    just_over = refusal(b"\x00" * (MAX_BYTES + 1))
    assert str(just_over) == "The file is too large (5.1 MB); the limit is 5 MB."


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "WEBP", "BMP"])
def test_other_image_formats_are_refused_whatever_the_file_is_called(fmt):
    # Only bytes reach process_photo: a GIF named "photo.jpg" is still a GIF.
    error = refusal(encode(photo((400, 500)), fmt))

    assert error.code == "format"
    assert "Only JPEG or PNG" in str(error)


def test_an_html_page_named_like_a_png_is_refused():
    error = refusal(b"<html><body><script>alert(1)</script></body></html>")

    assert error.code == "format" and "Only JPEG or PNG" in str(error)


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_file_cut_in_half_is_refused_as_broken(kind):
    data = encode(Image.effect_noise((400, 500), 64).convert("RGB"), kind)

    error = refusal(data[: len(data) // 2])

    assert error.code == "broken"
    assert "damaged or incomplete" in str(error)


@pytest.mark.parametrize(
    ("kind", "cut"),
    [
        ("JPEG", 1),  # half of the end-of-image marker
        ("JPEG", 2),  # the end-of-image marker
        ("PNG", 12),  # the IEND chunk
        ("PNG", 13),  # IEND and a byte of the last image data chunk's checksum
    ],
)
def test_a_file_missing_only_its_last_bytes_is_refused_as_broken(kind, cut):
    data = encode(Image.effect_noise((400, 500), 64).convert("RGB"), kind)

    assert refusal(data[:-cut]).code == "broken"
    assert process_photo(data).standard  # the complete file is fine


def test_a_cut_large_jpeg_decoded_at_a_fraction_of_its_size_is_refused():
    # 2,400×3,200 is decoded at 1/4 (collection.photos.decoding.draft): libjpeg still reads every byte.
    data = encode(landmarks(), "JPEG", quality=90)

    assert refusal(data[: len(data) // 2]).code == "broken"
    assert refusal(data[:-2]).code == "broken"
    assert process_photo(data).standard


def test_no_photo_is_judged_while_pillow_accepts_truncated_files(monkeypatch):
    # What importing WeasyPrint does to the whole process (weasyprint/images.py), had core.pdf
    # not switched it off again: Pillow would pad a cut-off photo with grey.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(jpeg())


def test_a_cut_photo_is_still_refused_after_weasyprint_is_imported_and_prints_a_pdf():
    # In a fresh interpreter, where core.pdf's import of WeasyPrint is really the first one (in
    # this one, an earlier test may have done it).
    script = textwrap.dedent(
        """
        import io, json, sys
        import django

        django.setup()
        from PIL import Image, ImageFile
        from collection.photos import PhotoError, process_photo
        from core.pdf import render_html_to_pdf

        assert "weasyprint" not in sys.modules
        pdf = render_html_to_pdf("<p>照片</p>")
        out = io.BytesIO()
        Image.effect_noise((400, 500), 64).convert("RGB").save(out, "JPEG")
        whole = out.getvalue()
        try:
            process_photo(whole[: len(whole) // 2])
            cut = "accepted"
        except PhotoError as error:
            cut = error.code
        print(json.dumps({
            "pdf": pdf.startswith(b"%PDF"),
            "weasyprint": "weasyprint.images" in sys.modules,
            "flag": ImageFile.LOAD_TRUNCATED_IMAGES,
            "cut": cut,
            "whole": len(process_photo(whole).standard) > 0,
        }))
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.test"}
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr

    outcome = json.loads(finished.stdout.splitlines()[-1])
    assert outcome == {
        "pdf": True,
        "weasyprint": True,
        "flag": False,
        "cut": "broken",
        "whole": True,
    }


@pytest.mark.parametrize("signature", [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n"])
def test_a_jpeg_or_png_signature_followed_by_garbage_is_refused_as_broken(signature):
    assert refusal(signature + b"garbage" * 100).code == "broken"


def test_an_animated_png_is_refused():
    frames = [photo((400, 500), color) for color in (RED, GREEN, BLUE)]
    source = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(source)).n_frames == 3

    error = refusal(source)

    assert error.code == "animated" and "Animated" in str(error)


def test_a_30000x30000_png_bomb_is_refused_without_decoding_it(monkeypatch):
    bomb = black_bilevel_png(30000, 30000)  # 900 megapixels in about 110 KB
    assert len(bomb) < 200 * 1024

    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    # No wall-clock assertion (the suite never times things): refusing without decoding is
    # what keeps it fast, and the patched load() proves the pixels are never decoded.
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    error = refusal(bomb)

    assert error.code == "too_many_pixels"
    assert "more than 40 megapixels" in str(error)


@pytest.mark.parametrize(
    "size",
    [
        (8000, 6000),  # 48 megapixels: under Pillow's own limit, over ours
        (10000, 10000),  # 100: over Image.MAX_IMAGE_PIXELS (a warning in Pillow)
    ],
)
def test_images_over_40_megapixels_are_refused_before_decoding(size, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    assert refusal(black_bilevel_png(*size)).code == "too_many_pixels"


def test_pillows_decompression_bomb_warning_is_a_refusal_not_a_warning(monkeypatch):
    # With our own limit out of the way, a 100-megapixel image only triggers Pillow's warning.
    monkeypatch.setattr(photos.limits, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    assert refusal(black_bilevel_png(10000, 10000)).code == "too_many_pixels"


def test_the_pixel_limit_holds_even_if_pillows_own_limit_is_switched_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    assert refusal(black_bilevel_png(30000, 30000)).code == "too_many_pixels"


def test_a_50x50_image_is_refused_as_too_small_with_both_sizes():
    error = refusal(jpeg((50, 50)))

    assert error.code == "too_small"
    assert "50×50" in str(error) and "300×400" in str(error)


def test_a_landscape_photo_shorter_than_400_pixels_is_too_small():
    assert refusal(jpeg((800, 399))).code == "too_small"


def test_photo_errors_are_value_errors_with_the_reason_as_text():
    error = refusal(b"GIF89a")

    assert isinstance(error, ValueError)
    assert str(error) == error.message
    assert error.args == (error.message,)


# --- The national copy --------------------------------------------------------------------------


def test_the_national_copy_of_a_noisy_photo_is_102x126_and_under_50_kb():
    noise = Image.merge("RGB", [Image.effect_noise((400, 500), 120) for _ in range(3)])

    result = process_photo(encode(noise, "JPEG", quality=95))

    assert opened(result.national).size == (102, 126)
    assert len(result.national) < 50 * 1024


def test_the_national_copy_lowers_its_quality_until_it_fits(monkeypatch):
    noise = encode(Image.merge("RGB", [Image.effect_noise((400, 500), 120)] * 3), "PNG")
    at_full_quality = len(process_photo(noise).national)
    monkeypatch.setattr(photos.limits, "NATIONAL_MAX_BYTES", at_full_quality // 2)

    smaller = process_photo(noise).national

    assert len(smaller) < at_full_quality // 2
    assert opened(smaller).size == (102, 126)


# --- sniff_image_format -------------------------------------------------------------------------


def test_the_format_is_sniffed_from_the_first_bytes():
    assert sniff_image_format(jpeg((10, 10))) == "jpeg"
    assert sniff_image_format(encode(photo((10, 10)), "PNG")) == "png"
    assert sniff_image_format(encode(photo((10, 10)), "GIF")) is None
    assert sniff_image_format(b"<html>") is None
    assert sniff_image_format(b"") is None


# --- Memory -------------------------------------------------------------------------------------

# The file that took 544 MB in one request (step 11): a 171 KB PNG just under 40 megapixels.
HEAVY_SIZE = (5770, 6915)
MB = 1024 * 1024


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(rgba_png(*HEAVY_SIZE), id="RGBA"),
        pytest.param(
            solid_png(*HEAVY_SIZE, bit_depth=16, colour_type=6, row=b"\x13\x88" * 4 * 5770),
            id="16-bit RGBA",
        ),
        pytest.param(
            solid_png(*HEAVY_SIZE, bit_depth=8, colour_type=2, row=b"\x14\xc8\x14" * 5770),
            id="RGB",
        ),
    ],
)
def test_a_40_megapixel_png_of_4_bytes_a_pixel_is_refused_before_decoding(data, monkeypatch):
    # Pillow keeps RGB, RGBA and 16-bit RGBA alike at 4 bytes a pixel: 160 MB for this one.
    assert len(data) < MAX_BYTES
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    error = refusal(data)

    assert error.code == "too_large_to_process"
    assert str(error) == (
        "The photo is too large to process: it has 39.9 megapixels, but a file of this kind "
        "(its format and colour depth) may have at most 26 megapixels. Please send a smaller "
        "photo, for example one saved at a lower resolution."
    )


def test_a_40_megapixel_16_bit_grey_png_is_within_the_budget_at_2_bytes_a_pixel():
    # 80 MB decoded, and nothing of its size copied after (the subprocess test below measures it).
    data = grey_16_bit_png(*HEAVY_SIZE)

    assert photos.pixel_limit(data) == photos.MAX_PIXELS
    assert HEAVY_SIZE[0] * HEAVY_SIZE[1] * 2 <= photos.DECODE_BUDGET


def jpeg_of(mode: str, **params) -> bytes:
    return encode(Image.new(mode, (400, 500), 128 if mode == "L" else None), "JPEG", **params)


@pytest.mark.parametrize(
    ("data", "megapixels"),
    [
        (rgba_png(400, 500), 26),  # 4 bytes a pixel
        (encode(photo((400, 500)), "PNG"), 26),  # RGB is kept as RGBX: 4 as well
        (encode(photo((400, 500), 30000, "I;16"), "PNG"), 40),  # 2: the 40-megapixel limit
        (encode(photo((400, 500), 128, "L"), "PNG"), 40),  # 1
        (encode(photo((400, 500)).quantize(16), "PNG"), 40),  # palette: 1
        # A baseline JPEG can be decoded at 1/8 of its size: 40.
        (jpeg_of("RGB"), 40),
        (jpeg_of("CMYK"), 40),
        # A progressive one has libjpeg keep its coefficients, 2 bytes a sample, at any scale.
        (jpeg_of("RGB", progressive=True), 34),  # 4:2:0, 3 bytes a pixel
        (jpeg_of("RGB", progressive=True, subsampling=0), 17),  # 4:4:4, 6 bytes
        (jpeg_of("CMYK", progressive=True), 13),  # 8 bytes
        (jpeg_of("L", progressive=True), 40),  # 2 bytes
    ],
)
def test_the_pixel_limit_follows_what_a_pixel_of_the_file_costs_to_decode(data, megapixels):
    assert photos.pixel_limit(data) // 1_000_000 == megapixels


def test_a_progressive_jpeg_over_its_limit_is_refused_before_decoding_a_baseline_one_is_not(
    monkeypatch,
):
    monkeypatch.setattr(photos.limits, "DECODE_BUDGET", 1 * MB)  # 600×800 at 4:4:4 needs 2.9 MB
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    assert refusal(jpeg(progressive=True, subsampling=0)).code == "too_large_to_process"
    with pytest.raises(pytest.fail.Exception, match="decoded"):  # priced at 1/8: 0.03 MB
        process_photo(jpeg(subsampling=0))


def test_a_large_jpeg_with_a_small_area_chosen_is_decoded_at_the_scale_the_budget_allows(
    monkeypatch,
):
    # Whole, 1600×2000 RGB takes 12.8 MB; at 1/2, 3.2 MB. The small area chosen would have it
    # decoded whole for sharpness; the budget has it decoded at 1/2 instead of refusing it.
    monkeypatch.setattr(photos.limits, "DECODE_BUDGET", 4 * MB)
    decoded = []
    load = photos.decoding.load
    monkeypatch.setattr(
        photos.decoding, "load", lambda image: (decoded.append(image.size), load(image))
    )

    result = process_photo(encode(landmarks((1600, 2000)), "JPEG"), CropBox(600, 800, 300, 369))

    assert decoded == [(800, 1000)]
    assert opened(result.standard).size == STANDARD_SIZE
    assert (result.width, result.height) == (1600, 2000)


def whole_area_copy(data: bytes, crop: CropBox | None) -> bytes:
    """The standard copy made as before step 11: the photo decoded, turned, cut, flattened and
    resized whole, each step a copy of (almost) the photo's size."""
    image = Image.open(io.BytesIO(data))
    image.load()
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    region = photos.pixels.flatten(image.crop(photos.cropping.crop_rectangle(image.size, crop)))
    resized = region.resize(STANDARD_SIZE, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return photos.pixels.encode_jpeg(
        photos.pixels.to_srgb(resized, icc_profile), photos.STANDARD_QUALITY
    )


def in_mode(image: Image.Image, mode: str) -> Image.Image:
    if mode == "RGBA":  # transparency growing from the left edge to the right
        return Image.merge(
            "RGBA", (*image.split(), Image.linear_gradient("L").rotate(90).resize(image.size))
        )
    if mode == "LA":
        return Image.merge("LA", (image.convert("L"), image.getchannel(1)))
    if mode == "I;16":
        return image.convert("L").convert("I").point(lambda value: value * 257).convert("I;16")
    return image.convert(mode)


@functools.cache
def large_landmarks() -> Image.Image:
    return landmarks((2301, 2899))


DEFAULT, BOX = None, CropBox(101, 203, 2050, 2213)


@pytest.mark.parametrize(
    ("mode", "orientation", "crop"),
    [("RGBA", orientation, DEFAULT) for orientation in range(1, 9)]
    + [("RGBA", orientation, BOX) for orientation in (1, 6, 7)]
    + [(mode, 1, DEFAULT) for mode in ("RGB", "LA", "L", "P", "1", "I;16")],
)
def test_cutting_flattening_and_reducing_strip_by_strip_gives_the_copy_made_whole(
    mode, orientation, crop, monkeypatch
):
    # Strips of a few rows, the last one shorter, and an odd size: every strip boundary and
    # the reduction's last partial blocks are crossed. The default crop is reduced 2×2, the
    # box (widened to 2050×2525) is not.
    monkeypatch.setattr(photos.limits, "STRIP_PIXELS", 20_000)
    image = in_mode(large_landmarks(), mode)
    params = {}
    if orientation != 1:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        params["exif"] = exif
        if orientation > 4:  # stored turned, so that it is displayed 2301×2899
            image = image.transpose(Image.Transpose.TRANSPOSE)
    data = encode(image, "PNG", compress_level=1, **params)

    assert process_photo(data, crop).standard == whole_area_copy(data, crop)


@pytest.mark.slow  # a child process, a photo of 26 and one of 40 megapixels
@pytest.mark.parametrize("kind", ["worst admitted RGBA", "40-megapixel 16-bit grey"])
def test_the_worst_admitted_png_costs_under_150_mb_above_the_baseline_and_returns_it(
    kind, tmp_path
):
    if kind == "worst admitted RGBA":
        limit = photos.pixel_limit(rgba_png(400, 500))
        height = int((limit * HEAVY_SIZE[1] / HEAVY_SIZE[0]) ** 0.5)
        width = limit // height
        path = tmp_path / "rgba.png"
        path.write_bytes(rgba_png(width, height))
    else:
        width, height = HEAVY_SIZE
        path = tmp_path / "grey16.png"
        path.write_bytes(grey_16_bit_png(width, height))
    # The peak is Linux's VmHWM, which a new program starts afresh (ru_maxrss would keep the
    # parent's peak across fork and exec); Pillow's buffers are not seen by tracemalloc.
    script = textwrap.dedent(
        """
        import gc, io, json, sys
        import django

        django.setup()
        from PIL import Image
        from collection.photos import process_photo

        def status(field):
            with open("/proc/self/status") as lines:
                return next(int(l.split()[1]) / 1024 for l in lines if l.startswith(field))

        small = io.BytesIO()
        Image.new("RGBA", (400, 500), (1, 2, 3, 4)).save(small, "PNG")
        process_photo(small.getvalue())  # a serving process has processed a photo before
        data = open(sys.argv[1], "rb").read()
        gc.collect()
        baseline = status("VmRSS:")
        result = process_photo(data)
        peak = status("VmHWM:")
        del result
        gc.collect()
        print(json.dumps({"peak": peak - baseline, "kept": status("VmRSS:") - baseline}))
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.test"}
    finished = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=root, env=env, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr

    measured = json.loads(finished.stdout.splitlines()[-1])
    assert width * height > 25_000_000
    assert measured["peak"] < 150, measured
    assert measured["kept"] < 20, measured
