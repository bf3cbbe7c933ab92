"""No request body larger than its page takes is read (core.requestsize): refused with 413 before
the CSRF check or a form reads a byte, whatever the URL; the register import and the work
plan take their larger files; the proxy's cap in the README admits the largest."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from core.requestsize import body_limit
from reporting.constants import PLAN_MAX_BYTES

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path: str, length: int, content_type: str = "multipart/form-data"):
    """A POST whose body declares `length` bytes and cannot be read."""
    return client.generic(
        "POST",
        path,
        content_type=f"{content_type}; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unreadable()},
    )


@pytest.mark.parametrize(
    "length", [10 * 1024 * MB, settings.REGISTRY_REQUEST_MAX_BYTES + 1], ids=["10GB", "just-over"]
)
def test_a_body_larger_than_the_page_takes_is_refused_unread(client, account_a, length):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post_declaring(client, reverse("collection:photo_upload"), length)
    assert response.status_code == 413
    assert "This page takes at most 6.0\xa0MB at a time." in response.text


def test_anonymous_and_unknown_urls_are_capped_too(client):
    for path in (reverse("login"), "/no/such/page/"):
        response = post_declaring(client, path, 50 * MB, "application/x-www-form-urlencoded")
        assert response.status_code == 413, path


def test_the_413_page_is_in_the_users_language(client):
    response = post_declaring(client, reverse("login"), 50 * MB)
    assert response.status_code == 413 and 'lang="zh-hans"' in response.text


def test_a_photo_over_its_limit_but_within_the_cap_gets_the_forms_message(
    client, account_a, campaign
):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    photo = SimpleUploadedFile("big.jpg", b"\xff" * (5 * MB + 1), content_type="image/jpeg")
    response = client.post(reverse("collection:photo_upload"), {"photo": photo})
    assert response.status_code != 413
    assert "at most 5 MB" in response.text


def test_the_register_import_and_the_work_plan_take_their_larger_files(admin_a):
    factory = RequestFactory()
    imports = factory.post(reverse("business:register_import"))
    assert body_limit(imports) > settings.REGISTRY_IMPORT_MAX_BYTES + 64 * 1024
    plan = factory.post(reverse("reporting:plan", args=[admin_a.bureau.code]))
    assert body_limit(plan) > PLAN_MAX_BYTES + 64 * 1024
    assert body_limit(factory.post(reverse("collection:photo_upload"))) < 10 * MB


def test_a_register_file_within_the_import_limit_reaches_the_form(client, admin_a):
    client.force_login(admin_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    junk = SimpleUploadedFile("register.csv", b"x" * (8 * MB))
    response = client.post(reverse("business:register_import"), {"file": junk})
    assert response.status_code != 413
    over = post_declaring(
        client, reverse("business:register_import"), settings.REGISTRY_IMPORT_MAX_BYTES + 2 * MB
    )
    assert over.status_code == 413


def test_the_proxy_cap_in_the_readme_admits_the_largest_page():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", readme)[1])
    largest = max(
        settings.REGISTRY_REQUEST_MAX_BYTES, *settings.REGISTRY_REQUEST_MAX_BYTES_BY_ROUTE.values()
    )
    assert megabytes * MB >= largest
