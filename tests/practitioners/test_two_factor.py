"""A second factor for staff (TOTP): set up with a QR code and a first code; asked for after the
password; required of city staff; a wrong code refused next to the field and audited."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from practitioners import twofactor
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def log_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def set_up(client, user) -> TOTPDevice:
    log_in(client, user)
    page = client.get(reverse("two_factor"))
    assert 'id="setup-qr"' in page.text and 'src="data:image/svg+xml;base64,' in page.text
    # An SVG an <img> can draw: a document with its namespace, not an inline fragment.
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page.text)[1]
    assert b'xmlns="http://www.w3.org/2000/svg"' in base64.b64decode(encoded)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor"), {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_clerk_turns_it_on_and_then_logs_in_with_a_code(client, clerk_a):
    device = set_up(client, clerk_a)
    assert AuditEvent.objects.filter(actor=clerk_a, action=AuditAction.SECOND_FACTOR_ON).exists()
    client.logout()
    log_in(client, clerk_a)
    # The password alone opens nothing: every page asks for the code first.
    response = client.get(reverse("practitioners:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"token": "000000"})
    assert wrong.status_code == 400 and 'value="000000"' in wrong.text
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    verified = client.post(
        reverse("two_factor_verify") + "?next=" + reverse("practitioners:list"),
        {"token": code(device, offset=1)},
    )
    assert verified.status_code == 302 and verified.url == reverse("practitioners:list")
    assert client.get(reverse("practitioners:list")).status_code == 200


def test_with_only_the_password_no_one_can_replace_the_device(client, clerk_a):
    set_up(client, clerk_a)
    client.logout()
    log_in(client, clerk_a)
    response = client.get(reverse("two_factor"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))
    assert client.post(reverse("two_factor"), {"action": "off"}).status_code == 302
    assert TOTPDevice.objects.filter(user=clerk_a, confirmed=True).count() == 1


def test_city_staff_must_set_it_up_before_anything_else(client, city_staff, settings):
    settings.REGISTRY_CITY_STAFF_NEED_OTP = True
    log_in(client, city_staff)
    response = client.get(reverse("practitioners:bureau_overview"))
    assert response.status_code == 302 and response.url == reverse("two_factor")
    page = client.get(reverse("two_factor"))
    assert 'id="second-factor-required"' in page.text
    # With the enrolment code another city administrator gave them (test_second_factor_enrolment).
    enrolment = twofactor.issue_enrolment_code(account=city_staff, issued_by=None)
    assert client.post(reverse("two_factor"), {"code": enrolment}).status_code == 302
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=city_staff, confirmed=False)
    client.post(reverse("two_factor"), {"token": code(device)})
    assert client.get(reverse("practitioners:bureau_overview")).status_code == 200
    off = client.post(reverse("two_factor"), {"action": "off"}, follow=True)
    assert TOTPDevice.objects.filter(user=city_staff, confirmed=True).exists()
    assert "必须" in off.text or "must" in off.text


def test_a_county_admin_may_turn_it_off_again(client, admin_a):
    set_up(client, admin_a)
    client.post(reverse("two_factor"), {"action": "off"})
    assert not TOTPDevice.objects.filter(user=admin_a).exists()
    assert AuditEvent.objects.filter(actor=admin_a, action=AuditAction.SECOND_FACTOR_OFF).exists()


def test_a_wrong_first_code_does_not_turn_it_on(client, clerk_a):
    log_in(client, clerk_a)
    client.get(reverse("two_factor"))
    response = client.post(reverse("two_factor"), {"token": "12345x"})
    assert response.status_code == 400 and "invalid-feedback" in response.text
    assert not TOTPDevice.objects.filter(user=clerk_a, confirmed=True).exists()


def test_practitioners_are_not_asked(client, account_a, practitioner_a, campaign):
    client.force_login(account_a)
    assert client.get(reverse("collection:home")).status_code == 200
    assert client.get(reverse("two_factor")).status_code == 403
