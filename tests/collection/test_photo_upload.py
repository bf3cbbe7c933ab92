"""Uploading the ID photo through the page: refusals next to the field, preview after saving."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from collection.models import Application
from tests.helpers import jpeg_bytes, rgba_png

pytestmark = pytest.mark.django_db
UPLOAD = reverse("collection:photo_upload")


@pytest.fixture
def logged_in(client, account_a, campaign):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def test_a_valid_photo_is_saved_and_previewed(logged_in, practitioner_a):
    response = logged_in.post(
        UPLOAD, {"photo": named(jpeg_bytes((900, 1200)), "me.jpg")}, follow=True
    )
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.photo is not None
    assert (
        f'src="{reverse("collection:photo", args=[application.photo_id])}"'
        in response.content.decode()
    )


def test_a_chosen_frame_is_applied(logged_in, practitioner_a):
    image = Image.new("RGB", (1000, 1000), "white")
    image.paste((255, 0, 0), (0, 0, 400, 500))  # red top-left block
    out = io.BytesIO()
    image.save(out, "JPEG")
    logged_in.post(
        UPLOAD,
        {
            "photo": named(out.getvalue(), "me.jpg"),
            "crop_x": 0,
            "crop_y": 0,
            "crop_width": 358,
            "crop_height": 441,
        },
    )
    photo = Application.objects.get(practitioner=practitioner_a).photo
    with photo.image.open("rb") as f:
        stored = Image.open(f)
        stored.load()
    assert stored.size == (358, 441)
    assert stored.getpixel((179, 220))[0] > 200 and stored.getpixel((179, 220))[1] < 60  # all red


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), "blue").save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (gif_bytes(), "photo.jpg", "JPEG or PNG"),
        (b"<html><body>hello</body></html>", "photo.png", "JPEG or PNG"),
        (jpeg_bytes((50, 50)), "small.jpg", "300"),
        (jpeg_bytes()[:2000], "cut.jpg", "damaged"),
        # Over 5 MB, under the 6 MB a request may carry (above that the request-size cap answers
        # 413 before the form: tests/test_request_size.py).
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 512 * 1024), "big.jpg", "5 MB"),
        # 171 KB, 40 megapixels of RGBA: 160 MB to decode, refused from its header.
        (rgba_png(5770, 6915), "heavy.png", "too large to process"),
    ],
    ids=["gif-renamed", "html-renamed", "too-small", "truncated", "over-5mb", "too-heavy"],
)
def test_bad_photos_are_refused_next_to_the_field(logged_in, practitioner_a, data, name, reason):
    response = logged_in.post(UPLOAD, {"photo": named(data, name)})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["photo"])
    assert reason.lower() in errors.lower(), errors
    assert not Application.objects.filter(practitioner=practitioner_a, photo__isnull=False).exists()
