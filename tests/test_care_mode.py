"""Care mode (关怀模式, accounting_registry.care): the footer's switch sets a cookie and goes back
to the page it was on (never to another site), and a page read with the cookie has `care` on
<html> and the application form's plain-language help."""

import re

import pytest
from django.urls import reverse

from accounting_registry import care

pytestmark = pytest.mark.django_db


def html_class(response) -> str:
    match = re.search(r"<html[^>]*>", response.content.decode())
    assert match
    found = re.search(r'class="([^"]*)"', match.group(0))
    return found.group(1) if found else ""


def test_the_switch_turns_care_mode_on_and_goes_back(client):
    response = client.post(reverse("care_mode"), {"care_mode": "1", "next": "/accounts/login/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?x=1"
    cookie = response.cookies[care.COOKIE_NAME]
    assert cookie.value == "1"
    assert cookie["max-age"] == care.COOKIE_AGE
    assert cookie["samesite"] == "Lax"


def test_the_switch_turns_care_mode_off(client):
    client.cookies[care.COOKIE_NAME] = "1"
    response = client.post(reverse("care_mode"), {"care_mode": "0", "next": "/accounts/login/"})
    assert response.cookies[care.COOKIE_NAME].value == ""
    assert response.cookies[care.COOKIE_NAME]["max-age"] == 0


def test_without_a_choice_the_switch_toggles(client):
    first = client.post(reverse("care_mode"), {"next": "/accounts/login/"})
    assert first.cookies[care.COOKIE_NAME].value == "1"
    second = client.post(reverse("care_mode"), {"next": "/accounts/login/"})
    assert second.cookies[care.COOKIE_NAME].value == ""


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http://evil.example", "javascript:alert(1)"],
)
def test_a_next_to_another_site_is_refused(client, target):
    response = client.post(reverse("care_mode"), {"care_mode": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[care.COOKIE_NAME].value == "1"


def test_the_switch_only_takes_a_post(client):
    assert client.get(reverse("care_mode")).status_code == 405


def test_city_staff_before_the_second_factor_may_switch(client, city_staff, settings):
    """The switch is in the footer of the second factor's own pages too: it must not send
    them there again (a GET of the switch afterwards would be refused)."""
    settings.REGISTRY_CITY_STAFF_NEED_OTP = True
    client.force_login(city_staff)
    response = client.post(
        reverse("care_mode"), {"care_mode": "1", "next": "/accounts/two-factor/"}
    )
    assert response["Location"] == "/accounts/two-factor/"
    assert response.cookies[care.COOKIE_NAME].value == "1"


def test_a_page_with_the_cookie_has_the_class_and_the_switch_offers_the_way_back(client):
    plain = client.get(reverse("login"))
    assert "care" not in html_class(plain).split()
    assert 'name="care_mode" type="hidden" value="1"' in plain.content.decode()
    client.cookies[care.COOKIE_NAME] = "1"
    cared = client.get(reverse("login"))
    assert "care" in html_class(cared).split()
    assert 'name="care_mode" type="hidden" value="0"' in cared.content.decode()


def test_the_application_form_has_plain_language_help_for_care_mode(client, account_a, campaign):
    client.force_login(account_a)
    page = client.get(reverse("collection:application")).content.decode()
    assert 'class="care-only alert alert-info" id="care-help"' in page
    assert page.count('class="care-only') == 2  # the form's steps and the photo's note
