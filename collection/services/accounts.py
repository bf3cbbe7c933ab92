"""Practitioners' accounts: activation, and new passwords by a code from the counter.

Both are limited (core.throttle): per client address and network across ID numbers, per ID
number and address, and per ID number with a growing delay, so that a stranger who knows
someone's ID number can neither guess their certificate number nor their code, nor lock them
out for long, and nobody can try ID number after ID number. Activation answers the same
whether the register has no such ID number or the details do not match: the page must not
tell who is in the register.
"""

import datetime
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import permissions
from collection.errors import ActivationError, CollectionError
from collection.models import ResetCode
from core import throttle
from practitioners import records
from practitioners.constants import AuditAction, Role
from practitioners.models import Bureau, Practitioner, User
from practitioners.services import record_event

RESET_CODE_LIFETIME = datetime.timedelta(minutes=30)
RESET_CODE_MAX_FAILURES = 5


def _bureau_for_certificate(cert_number: str) -> Bureau | None:
    # Certificate numbers start with the issuing bureau's division code.
    return Bureau.objects.filter(code=cert_number[:6]).first()


def activate_account(
    *,
    name: str,
    id_number: str,
    cert_number: str,
    password: str,
    mobile: str,
    email: str,
    address: str,
    network: str = "",
) -> User:
    """Create a practitioner's login when name, ID number and certificate number match the record.

    `address`, `network`: the client's (core.clients); failures count against the ID number and
    against them (throttle.ACTIVATION).
    """
    try:
        throttle.check(throttle.ACTIVATION, account=id_number, address=address, network=network)
    except throttle.Throttled as exc:
        raise ActivationError(str(exc), locked_until=exc.until) from None
    failure: ActivationError | None = None
    with transaction.atomic():
        practitioner = (
            Practitioner.objects.select_for_update(of=("self",))
            .select_related("bureau")
            .filter(id_number=id_number)
            .first()
        )
        if (
            practitioner is None
            or practitioner.name != name
            or practitioner.cert_number != cert_number
        ):
            # One answer, built from what was typed only: no record and a mismatch look alike.
            failure = ActivationError(
                _(
                    "The name, ID number and certificate number do not match a record in the register. Check them against your certificate; if they are right, contact the bureau that issued it."
                ),
                not_matched=True,
                bureau=_bureau_for_certificate(cert_number),
            )
        elif practitioner.account_id is not None:
            raise ActivationError(
                _(
                    "This account is already activated. Log in with your ID number, or reset your password."
                )
            )
        else:
            user = User(
                username=practitioner.id_number,
                role=Role.PRACTITIONER,
                display_name=practitioner.name,
                email=email,
                mobile=mobile,
            )
            user.set_password(password)
            try:
                user.save()
            except IntegrityError:
                raise ActivationError(_("This account is already activated.")) from None
            records.save_record(
                practitioner, {"account": user}, actor=user, action=AuditAction.ACTIVATED
            )
            return user
    throttle.record(throttle.ACTIVATION, account=id_number, address=address, network=network)
    raise failure


def issue_reset_code(*, practitioner: Practitioner, actor: User) -> str:
    """The counter clerk of the practitioner's bureau, with the ID card in front of them, gives
    a one-time code to set a new password; audited."""
    if not permissions.can_issue_reset_code(actor, practitioner):
        raise PermissionDenied("only a counter clerk of the practitioner's bureau issues codes")
    if practitioner.account_id is None:
        raise CollectionError(_("This practitioner has not activated an account yet."))
    code = f"{secrets.randbelow(10**8):08d}"
    now = timezone.now()
    with transaction.atomic():
        ResetCode.objects.filter(user_id=practitioner.account_id, used_at__isnull=True).update(
            used_at=now
        )
        ResetCode.objects.create(
            user_id=practitioner.account_id,
            code_hash=make_password(code),
            issued_by=actor,
            expires_at=now + RESET_CODE_LIFETIME,
        )
        record_event(actor=actor, action=AuditAction.RESET_CODE_ISSUED, practitioner=practitioner)
    return code


def reset_password_with_code(
    *, id_number: str, code: str, password: str, address: str, network: str = ""
) -> User:
    """Set a new password with a counter-issued code; a code works once, for 30 minutes, 5 tries,
    and failures count against the ID number and the client's address and network
    (throttle.RESET_CODE)."""
    refused = CollectionError(
        _(
            "The ID number or the code is not right, or the code has expired. Ask the counter for a new code."
        )
    )
    try:
        throttle.check(throttle.RESET_CODE, account=id_number, address=address, network=network)
    except throttle.Throttled as exc:
        raise CollectionError(str(exc)) from None
    now = timezone.now()
    with transaction.atomic():
        reset = (
            ResetCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user__username=id_number, used_at__isnull=True, expires_at__gt=now)
            .order_by("-issued_at")
            .first()
        )
        failed = reset is None or not check_password(code.strip(), reset.code_hash)
        if reset is not None and failed:
            reset.failures += 1
            if reset.failures >= RESET_CODE_MAX_FAILURES:
                reset.used_at = now
            reset.save(update_fields=["failures", "used_at"])
        elif reset is not None:
            reset.used_at = now
            reset.save(update_fields=["used_at"])
            reset.user.set_password(password)
            reset.user.save(update_fields=["password"])
            record_event(
                actor=reset.user,
                action=AuditAction.PASSWORD_RESET,
                practitioner=Practitioner.objects.filter(account=reset.user).first(),
            )
    if failed or reset is None:  # no code is a failed one
        throttle.record(throttle.RESET_CODE, account=id_number, address=address, network=network)
        raise refused
    return reset.user
