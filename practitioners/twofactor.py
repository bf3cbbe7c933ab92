"""A second factor for staff accounts: TOTP (RFC 6238, any authenticator app), by django-otp.

Any staff member may turn it on; staff of the roles REGISTRY_SECOND_FACTOR_ROLES names (every
staff role by default) and every account that can open Django's admin (is_staff or
is_superuser) must (REGISTRY_CITY_STAFF_NEED_OTP, on in production): until they have, every page,
the admin's included, sends them to set it up. Someone with a second factor who has logged in
with the password only is sent to type a code before any other page. Codes are checked by
django-otp's TOTP device, which also slows down guessing (each failure doubles the wait).
Turning it on, off, and each failed code are audited.

An account that must have a second factor is shown its secret only after typing a one-time
enrolment code that another city administrator issued for it (or, for the first administrator
of a deployment, the operator with `manage.py issue_enrolment_code`): a password alone, guessed
or leaked before its owner's first login, must not be enough to enrol the attacker's phone.
Codes are shown once, kept as a keyed hash, expire after a day, work once and are spent by a
few wrong tries; issuing, using and each refusal are audited.
"""

import base64
import datetime
import io
import secrets
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from practitioners import permissions
from practitioners.constants import AuditAction
from practitioners.models import EnrolmentCode, User
from practitioners.services import record_event

DEVICE_NAME = "authenticator"
# Whether the account had a second factor when this session logged in (set at login and by
# turning it on or off here), so that checking it costs no query on every page.
HAS_DEVICE_KEY = "second_factor"
# The account whose enrolment code this session has accepted: its secret may be shown.
ENROLMENT_KEY = "second_factor_enrolment"

ENROLMENT_CODE_LIFETIME = datetime.timedelta(hours=24)
ENROLMENT_CODE_TRIES = EnrolmentCode.TRIES
# Without 0/O, 1/I/L: read aloud or copied from a screen without doubt. 12 of them: ~59 bits.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12


class SecondFactorError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def must_have(user: User) -> bool:
    """Staff of the roles REGISTRY_SECOND_FACTOR_ROLES names (every staff role in production),
    and whoever can open the admin, where the settings require a second factor."""
    return settings.REGISTRY_CITY_STAFF_NEED_OTP and (
        (permissions.is_staff_member(user) and user.role in settings.REGISTRY_SECOND_FACTOR_ROLES)
        or permissions.opens_the_admin(user)
    )


def enrolment_unlocked(request) -> bool:
    """Whether this session may be shown a new secret: always for those who enrol of their own
    accord; for those who must, once an enrolment code issued for them has been typed here."""
    user = request.user
    return not must_have(user) or request.session.get(ENROLMENT_KEY) == user.pk


def device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The device being set up (not confirmed yet): made on first use, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg_data_uri(uri: str) -> str:
    # A whole SVG document (with its xmlns: an <img> draws nothing without it), not the
    # inline fragment made for pasting into HTML.
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, dark="#000", light="#fff", xmldecl=False
    )
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps without a camera."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm_setup(*, request, token: str) -> TOTPDevice:
    """The first code from the new device turns the second factor on (and verifies this
    session); audited."""
    user = request.user
    if not enrolment_unlocked(request):
        raise SecondFactorError(_("Type the enrolment code a city administrator gave you first."))
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
    request.session.pop(ENROLMENT_KEY, None)
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
        raise SecondFactorError(_("Your role must keep a second factor."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record_event(actor=user, action=AuditAction.SECOND_FACTOR_OFF)
    request.session[HAS_DEVICE_KEY] = False


def enrolment_candidates(issuer: User) -> QuerySet[User]:
    """The accounts a city administrator may issue an enrolment code for: the other active
    staff of the roles that must have a second factor, and the admin accounts."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=settings.REGISTRY_SECOND_FACTOR_ROLES, bureau__isnull=False)
            | Q(is_staff=True)
            | Q(is_superuser=True)
        )
        .exclude(pk=issuer.pk)
        .order_by("username")
    )


def recent_enrolment_codes(limit: int = 30) -> list[EnrolmentCode]:
    """The latest codes issued, for the page that issues them (who for, by whom, their state)."""
    return list(
        EnrolmentCode.objects.select_related("user", "issued_by").order_by("-created_at", "-id")[
            :limit
        ]
    )


def issue_enrolment_code(*, account: User, issued_by: User | None) -> str:
    """A new enrolment code for `account`, returned once (shown to the issuer) and kept only as
    a keyed hash; it ends the account's earlier unused codes. `issued_by` is None for the
    operator's command. Audited."""
    if issued_by is not None and issued_by.pk == account.pk:
        raise SecondFactorError(
            _("Ask another city administrator: no one issues their own enrolment code.")
        )
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=account, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        EnrolmentCode.objects.create(
            user=account,
            digest=_digest(code),
            issued_by=issued_by,
            created_at=now,
            expires_at=now + ENROLMENT_CODE_LIFETIME,
        )
        record_event(
            actor=issued_by,
            action=AuditAction.ENROLMENT_CODE_ISSUED,
            bureau=account.bureau,
            account=account.username,
            by=issued_by.username if issued_by else "manage.py issue_enrolment_code",
        )
    return "-".join(code[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def redeem_enrolment_code(*, request, code: str) -> None:
    """The enrolment code typed by the account it was issued for: once accepted, this session
    may see a new secret (any secret made earlier is thrown away). A wrong code counts against
    the account's valid one; each refusal is audited and says why."""
    user = request.user
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        found = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, digest=_digest(_normalised(code)))
            .first()
        )
        if found is None:
            refusal = (
                "wrong",
                _("The enrolment code is not right. Type the code a city administrator gave you."),
            )
            EnrolmentCode.objects.filter(
                user=user, used_at__isnull=True, expires_at__gt=now
            ).update(failed_tries=F("failed_tries") + 1)
        elif found.expires_at <= now and found.used_at is None:
            refusal = (
                "expired",
                _(
                    "This enrolment code has expired or was replaced by a newer one. "
                    "Ask a city administrator for a new one."
                ),
            )
        elif found.failed_tries >= ENROLMENT_CODE_TRIES and found.used_at is None:
            refusal = (
                "too_many_tries",
                _(
                    "Too many wrong enrolment codes: this one no longer works. "
                    "Ask a city administrator for a new one."
                ),
            )
        elif not _mark_used(found, now):
            refusal = (
                "used",
                _(
                    "This enrolment code has already been used. Ask a city administrator for a new one."
                ),
            )
        else:
            # A secret made before (the setup page of earlier versions showed it to whoever
            # logged in) must not be the one that gets confirmed.
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            record_event(actor=user, action=AuditAction.ENROLMENT_CODE_USED, bureau=user.bureau)
    if refusal is not None:
        reason, message = refusal
        record_event(
            actor=user, action=AuditAction.ENROLMENT_CODE_REFUSED, bureau=user.bureau, reason=reason
        )
        raise SecondFactorError(message)
    request.session[ENROLMENT_KEY] = user.pk


def _mark_used(found: EnrolmentCode, now: datetime.datetime) -> bool:
    """Use the code if it is still unused and valid (one row changed, whatever the database's
    locking): two requests with the same code cannot both succeed."""
    return bool(
        EnrolmentCode.objects.filter(
            pk=found.pk,
            used_at__isnull=True,
            expires_at__gt=now,
            failed_tries__lt=ENROLMENT_CODE_TRIES,
        ).update(used_at=now)
    )


def _normalised(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isascii() and c.isalnum())


def _digest(code: str) -> str:
    return salted_hmac("practitioners.twofactor.enrolment", code, algorithm="sha256").hexdigest()


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    # Only staff and admin accounts have a second factor to ask for (SecondFactorMiddleware): a
    # practitioner's login looks for no device.
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_KEY] = (
            permissions.has_staff_access(user) and device_of(user) is not None
        )


def _digits(token: str) -> str:
    return "".join(c for c in (token or "") if c.isdigit())[:8]


# Pages a staff member may open before the second factor is done.
_OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/care-mode/",
    "/health/",
    "/favicon.ico",
    "/accounts/logout/",
    "/accounts/idle/",
)


class SecondFactorMiddleware:
    """Staff (and admin accounts) with a second factor who have not typed a code this session
    are sent to type one; those who must have one and have not are sent to set it up. Nothing
    else opens before, Django's admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if (
            user.is_authenticated
            and permissions.has_staff_access(user)
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
