"""The second factor for every account that can reach the admin or a staff page, the superuser
that `createsuperuser` makes, and the one-time enrolment codes without which a city account
cannot set up its second factor (so that whoever logs in first with a password never sees the
secret)."""

import base64
import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from practitioners import permissions, twofactor
from practitioners.constants import AuditAction, Role
from practitioners.models import AuditEvent, EnrolmentCode, User
from tests.factories import UserFactory
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


ENROLMENT = reverse("two_factor_enrolment_codes")


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, user, url=None) -> None:
    response = client.post(
        url or reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verified_client(client, user) -> None:
    """A city administrator who has logged in with the password and the code."""
    device = confirmed_device(user)
    log_in(client, user)
    response = client.post(reverse("two_factor_verify"), {"token": code(device)})
    assert response.status_code == 302


def issued_code(client, issuer, account) -> str:
    """A city administrator issues an enrolment code for `account` on the page; the code read
    from the page."""
    verified_client(client, issuer)
    page = client.post(ENROLMENT, {"account": account.pk})
    assert page.status_code == 200
    found = re.search(r'id="issued-code"[^>]*>([A-Z0-9-]+)<', page.text)
    assert found, page.text
    client.logout()
    return found.group(1)


@pytest.fixture
def otp_required(settings):
    settings.REGISTRY_CITY_STAFF_NEED_OTP = True


@pytest.fixture
def other_city_admin(city):
    return UserFactory(username="city_other", role=Role.CITY_STAFF, bureau=city)


def secret_shown(text: str, user) -> bool:
    """The TOTP secret or its otpauth URL, in any form the setup page shows them."""
    if "otpauth" in text or 'id="setup-qr"' in text or 'id="setup-key"' in text:
        return True
    for device in TOTPDevice.objects.filter(user=user):
        key = base64.b32encode(device.bin_key).decode().rstrip("=")
        if key[:8] in text.replace(" ", ""):
            return True
    return False


# --- Every account that can reach the admin ---------------------------------------------


def test_a_superuser_with_only_the_password_cannot_open_the_admin(client, otp_required):
    # As `createsuperuser` made them before: role practitioner, no bureau.
    root = UserFactory(
        username="root", role=Role.PRACTITIONER, bureau=None, is_staff=True, is_superuser=True
    )
    log_in(client, root, reverse("admin:login"))
    for url in (reverse("admin:index"), reverse("admin:practitioners_user_add")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("two_factor"), url
    add = client.post(
        reverse("admin:practitioners_user_add"),
        {"username": "intruder", "password1": "x-Long-pass-2026", "password2": "x-Long-pass-2026"},
    )
    assert add.status_code == 302 and add.url == reverse("two_factor")
    assert not User.objects.filter(username="intruder").exists()


def test_a_superuser_with_a_device_opens_the_admin_after_the_code(client, otp_required):
    root = UserFactory(
        username="root", role=Role.PRACTITIONER, bureau=None, is_staff=True, is_superuser=True
    )
    device = confirmed_device(root)
    log_in(client, root, reverse("admin:login"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))
    verified = client.post(response.url, {"token": code(device)})
    assert verified.status_code == 302 and verified.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_the_requirement_the_demo_superuser_opens_the_admin_with_the_password(
    client, settings, city
):
    settings.REGISTRY_CITY_STAFF_NEED_OTP = False
    admin = UserFactory(
        username="admin", role=Role.CITY_STAFF, bureau=city, is_staff=True, is_superuser=True
    )
    log_in(client, admin, reverse("admin:login"))
    assert client.get(reverse("admin:index")).status_code == 200


# --- createsuperuser -----------------------------------------------------------------------


def test_createsuperuser_makes_city_staff_the_rule_sees(monkeypatch, settings):
    settings.REGISTRY_CITY_STAFF_NEED_OTP = True
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Long-pass-2026")
    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        email="root@example.gov.cn",
        stdout=io.StringIO(),
    )
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert root.role == Role.CITY_STAFF and root.bureau is not None and root.bureau.is_city
    assert permissions.is_city_staff(root)
    assert twofactor.must_have(root)


# --- Enrolment codes -------------------------------------------------------------------------


def test_a_city_account_without_a_code_never_sees_the_secret(client, city_staff, otp_required):
    log_in(client, city_staff)
    texts = []
    response = client.get(reverse("practitioners:bureau_overview"), follow=True)
    texts.append(response.text)
    assert response.redirect_chain[-1][0] == reverse("two_factor")
    assert 'id="enrolment-code"' in response.text
    texts.append(client.get(reverse("two_factor")).text)
    # Trying to turn it on without the code, or with a made-up one.
    texts.append(client.post(reverse("two_factor"), {"token": "123456"}).text)
    wrong = client.post(reverse("two_factor"), {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert 'value="AAAA-BBBB-CCCC"' in wrong.text
    texts.append(wrong.text)
    for text in texts:
        assert not secret_shown(text, city_staff)
    assert not TOTPDevice.objects.filter(user=city_staff, confirmed=True).exists()


def test_a_city_account_with_a_code_from_another_administrator_sets_it_up(
    client, city_staff, other_city_admin, otp_required
):
    enrolment = issued_code(client, other_city_admin, city_staff)
    stored = EnrolmentCode.objects.get(user=city_staff)
    assert stored.issued_by == other_city_admin
    # Kept only as a keyed hash.
    normal = enrolment.replace("-", "")
    assert normal not in stored.digest and enrolment not in stored.digest
    assert AuditEvent.objects.filter(
        actor=other_city_admin, action=AuditAction.ENROLMENT_CODE_ISSUED
    ).exists()

    log_in(client, city_staff)
    accepted = client.post(reverse("two_factor"), {"code": enrolment.lower()})
    assert accepted.status_code == 302 and accepted.url == reverse("two_factor")
    page = client.get(reverse("two_factor"))
    assert secret_shown(page.text, city_staff)
    device = TOTPDevice.objects.get(user=city_staff, confirmed=False)
    assert client.post(reverse("two_factor"), {"token": code(device)}).status_code == 302
    assert TOTPDevice.objects.filter(user=city_staff, confirmed=True).exists()
    assert client.get(reverse("practitioners:bureau_overview")).status_code == 200
    assert AuditEvent.objects.filter(
        actor=city_staff, action=AuditAction.ENROLMENT_CODE_USED
    ).exists()
    stored.refresh_from_db()
    assert stored.used_at is not None


def test_a_used_code_is_refused(client, city_staff, other_city_admin, otp_required):
    enrolment = issued_code(client, other_city_admin, city_staff)
    log_in(client, city_staff)
    assert client.post(reverse("two_factor"), {"code": enrolment}).status_code == 302
    client.logout()
    log_in(client, city_staff)
    again = client.post(reverse("two_factor"), {"code": enrolment})
    assert again.status_code == 400 and "already been used" in again.text
    assert not secret_shown(again.text, city_staff)


def test_an_expired_code_is_refused(client, city_staff, other_city_admin, otp_required):
    enrolment = issued_code(client, other_city_admin, city_staff)
    EnrolmentCode.objects.filter(user=city_staff).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    log_in(client, city_staff)
    response = client.post(reverse("two_factor"), {"code": enrolment})
    assert response.status_code == 400 and "expired" in response.text
    assert not secret_shown(response.text, city_staff)


def test_a_code_lasts_a_day(client, city_staff, other_city_admin, otp_required):
    issued_code(client, other_city_admin, city_staff)
    stored = EnrolmentCode.objects.get(user=city_staff)
    assert stored.expires_at - stored.created_at == datetime.timedelta(hours=24)


def test_wrong_codes_are_audited_and_spend_the_code(
    client, city_staff, other_city_admin, otp_required
):
    enrolment = issued_code(client, other_city_admin, city_staff)
    log_in(client, city_staff)
    for _ in range(twofactor.ENROLMENT_CODE_TRIES):
        wrong = client.post(reverse("two_factor"), {"code": "ZZZZ-ZZZZ-ZZZZ"})
        assert wrong.status_code == 400 and "not right" in wrong.text
    assert (
        AuditEvent.objects.filter(
            actor=city_staff, action=AuditAction.ENROLMENT_CODE_REFUSED
        ).count()
        == twofactor.ENROLMENT_CODE_TRIES
    )
    right = client.post(reverse("two_factor"), {"code": enrolment})
    assert right.status_code == 400 and "Too many wrong" in right.text
    assert not secret_shown(right.text, city_staff)


def test_another_accounts_code_does_not_unlock(
    client, city_staff, other_city_admin, city, otp_required
):
    third = UserFactory(username="city_third", role=Role.CITY_STAFF, bureau=city)
    enrolment = issued_code(client, other_city_admin, third)
    log_in(client, city_staff)
    response = client.post(reverse("two_factor"), {"code": enrolment})
    assert response.status_code == 400 and "not right" in response.text


def test_a_new_code_replaces_the_earlier_one(client, city_staff, other_city_admin, otp_required):
    first = issued_code(client, other_city_admin, city_staff)
    # The same administrator again, a time step later (a TOTP code works once).
    device = TOTPDevice.objects.get(user=other_city_admin)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    log_in(client, other_city_admin)
    assert client.post(reverse("two_factor_verify"), {"token": code(device)}).status_code == 302
    assert client.post(ENROLMENT, {"account": city_staff.pk}).status_code == 200
    client.logout()
    log_in(client, city_staff)
    response = client.post(reverse("two_factor"), {"code": first})
    assert response.status_code == 400 and "replaced by a newer one" in response.text


def test_the_code_is_shown_once_and_not_for_oneself(client, city_staff, other_city_admin):
    verified_client(client, other_city_admin)
    page = client.get(ENROLMENT)
    assert page.status_code == 200
    assert f'value="{other_city_admin.pk}"' not in page.text  # not for oneself
    issued = client.post(ENROLMENT, {"account": city_staff.pk})
    enrolment = re.search(r'id="issued-code"[^>]*>([A-Z0-9-]+)<', issued.text).group(1)
    assert enrolment not in client.get(ENROLMENT).text
    mine = client.post(ENROLMENT, {"account": other_city_admin.pk})
    assert mine.status_code == 400 and "invalid-feedback" in mine.text
    assert not EnrolmentCode.objects.filter(user=other_city_admin).exists()


def test_only_city_staff_issue_codes(client, admin_a, clerk_a, city_staff):
    for user in (admin_a, clerk_a):
        client.force_login(user)
        assert client.get(ENROLMENT).status_code == 403
        assert client.post(ENROLMENT, {"account": city_staff.pk}).status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_the_operator_issues_the_first_code_on_the_server(client, otp_required, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="root", email="", stdout=io.StringIO()
    )
    root = User.objects.get(username="root")
    out = io.StringIO()
    call_command("issue_enrolment_code", "root", stdout=out)
    enrolment = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", out.getvalue()).group(0)
    event = AuditEvent.objects.get(action=AuditAction.ENROLMENT_CODE_ISSUED)
    assert event.actor is None and event.detail["account"] == "root"
    log_in(client, root, reverse("admin:login"))
    assert client.get(reverse("admin:index")).url == reverse("two_factor")
    assert client.post(reverse("two_factor"), {"code": enrolment}).status_code == 302
    assert secret_shown(client.get(reverse("two_factor")).text, root)


def test_the_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("issue_enrolment_code", "nobody", stdout=io.StringIO())


def test_every_staff_role_must_enrol_with_a_code_by_default(
    client, clerk_a, admin_a, city_staff, otp_required
):
    """GB/T 22239 level 3: two factors for every staff login, not only the city's. A county
    clerk is sent to set it up before any page, and sees no secret without a code."""
    log_in(client, clerk_a)
    assert client.get(reverse("confirmation:counter")).url == reverse("two_factor")
    assert not secret_shown(client.get(reverse("two_factor")).text, clerk_a)
    client.force_login(city_staff)
    assert clerk_a in twofactor.enrolment_candidates(city_staff)
    assert admin_a in twofactor.enrolment_candidates(city_staff)


def test_a_bureau_that_requires_fewer_roles_lets_county_staff_choose(
    client, clerk_a, otp_required, settings
):
    settings.REGISTRY_SECOND_FACTOR_ROLES = ["city_staff"]
    log_in(client, clerk_a)
    assert client.get(reverse("confirmation:counter")).status_code == 200
    page = client.get(reverse("two_factor"))
    assert secret_shown(page.text, clerk_a)
