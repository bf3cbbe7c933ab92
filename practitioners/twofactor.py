"""A second factor for staff accounts: TOTP (RFC 6238, any authenticator app), by django-otp.

Any staff member may turn it on; city staff must (REGISTRY_CITY_STAFF_NEED_OTP): until they
have, every page sends them to set it up. Someone with a second factor who has logged in with
the password only is sent to type a code before any other page. Codes are checked by
django-otp's TOTP device, which also slows down guessing (each failure doubles the wait).
Turning it on, off, and each failed code are audited.
"""

import base64
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from practitioners import permissions
from practitioners.constants import AuditAction
from practitioners.models import User
from practitioners.services import record_event

DEVICE_NAME = "authenticator"
# Whether the account had a second factor when this session logged in (set at login and by
# turning it on or off here), so that checking it costs no query on every page.
HAS_DEVICE_KEY = "second_factor"


class SecondFactorError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def must_have(user: User) -> bool:
    return settings.REGISTRY_CITY_STAFF_NEED_OTP and permissions.is_city_staff(user)


def device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The device being set up (not confirmed yet): made on first use, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg_data_uri(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps without a camera."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm_setup(*, request, token: str) -> TOTPDevice:
    """The first code from the new device turns the second factor on (and verifies this
    session); audited."""
    user = request.user
    with transaction.atomic():
        device = pending_device(user)
        if not device.verify_token(_digits(token)):
            record_event(actor=user, action=AuditAction.SECOND_FACTOR_FAILED, during="setup")
            raise SecondFactorError(
                _("The code is not right. Type the six digits the app shows now.")
            )
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor=user, action=AuditAction.SECOND_FACTOR_ON)
    otp_login(request, device)
    request.session[HAS_DEVICE_KEY] = True
    return device


def verify(*, request, token: str) -> None:
    """A code after the password: the session is verified; a wrong one is audited."""
    device = device_of(request.user)
    if device is None:
        raise SecondFactorError(_("No second factor is set up for this account."))
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorError(_("Too many wrong codes. Wait a minute and try again."))
    if not device.verify_token(_digits(token)):
        record_event(actor=request.user, action=AuditAction.SECOND_FACTOR_FAILED, during="login")
        raise SecondFactorError(_("The code is not right. Type the six digits the app shows now."))
    otp_login(request, device)


def turn_off(*, request) -> None:
    """Remove the second factor (refused where it is required); audited."""
    user = request.user
    if must_have(user):
        raise SecondFactorError(_("City staff must keep a second factor."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record_event(actor=user, action=AuditAction.SECOND_FACTOR_OFF)
    request.session[HAS_DEVICE_KEY] = False


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    # Only staff members have a second factor to ask for (SecondFactorMiddleware): a
    # practitioner's login looks for no device.
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_KEY] = (
            permissions.is_staff_member(user) and device_of(user) is not None
        )


def _digits(token: str) -> str:
    return "".join(c for c in (token or "") if c.isdigit())[:8]


# Pages a staff member may open before the second factor is done.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/health/", "/favicon.ico", "/accounts/logout/")


class SecondFactorMiddleware:
    """Staff with a second factor who have not typed a code this session are sent to type one;
    city staff without one are sent to set it up. Nothing else opens before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if (
            user.is_authenticated
            and permissions.is_staff_member(user)
            and not path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
        ):
            verify_url, setup_url = reverse("two_factor_verify"), reverse("two_factor")
            if request.session.get(HAS_DEVICE_KEY):
                # Setting up another device needs this one's code first.
                if path != verify_url:
                    return redirect(f"{verify_url}?next={quote(request.get_full_path())}")
            elif must_have(user) and path != setup_url:
                return redirect(setup_url)
        return self.get_response(request)
