"""State changes of on-post registration and continuing education: each atomic and audited.

A practitioner registers only through the gate (practitioners.gate: a confirmed collection, not
in the pending pool); a clerk of the practitioner's bureau approves or returns with a reason.
An approved on-post registration writes the employment into the record.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from business import notices as business_notices
from business import permissions
from business.constants import ON_POST_RECORD_FIELDS, RegistrationKind, RegistrationStatus
from business.models import (
    MODELS,
    AnyRegistration,
    EducationRecord,
    OnPostRegistration,
    Registration,
)
from collection import notices
from practitioners import gate, records
from practitioners.constants import AuditAction
from practitioners.models import Bureau, Practitioner, User
from practitioners.services import record_event

ON_POST_FIELDS = ("employer", "employer_credit_code", "post", "start_date")
EDUCATION_FIELDS = ("year", "hours", "provider", "content")

# Keyed by the registration's `kind`, a plain str.
_ACTIONS: dict[str, dict[str, AuditAction]] = {
    RegistrationKind.ON_POST: {
        "submitted": AuditAction.ON_POST_SUBMITTED,
        "approved": AuditAction.ON_POST_APPROVED,
        "returned": AuditAction.ON_POST_RETURNED,
    },
    RegistrationKind.EDUCATION: {
        "submitted": AuditAction.EDUCATION_SUBMITTED,
        "approved": AuditAction.EDUCATION_APPROVED,
        "returned": AuditAction.EDUCATION_RETURNED,
    },
}


class BusinessError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRegistration(BusinessError):
    """The values break the registration's rules; `errors`: field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Some entries need correcting: see the messages next to the fields."))
        self.errors = errors


class AlreadyDecided(BusinessError):
    pass


def _checked[R: Registration](registration: R) -> R:
    try:
        registration.full_clean(exclude=["practitioner", "submitted_by", "decided_by"])
    except ValidationError as exc:
        raise InvalidRegistration(exc.message_dict) from None
    return registration


def _record(registration: Registration, *, actor: User, step: str, **detail: Any) -> None:
    record_event(
        actor=actor,
        action=_ACTIONS[registration.kind][step],
        practitioner=registration.practitioner,
        registration=registration.pk,
        **detail,
    )


@gate.gated(gate.ON_POST_REGISTRATION)
def register_on_post(
    *, practitioner: Practitioner, actor: User, values: dict[str, Any]
) -> OnPostRegistration:
    """上岗注册: employer, post and start date, for the bureau to approve. One waits at a time."""
    # The values as given, unchecked (a missing date is None): full_clean says what is wrong.
    given: dict[str, Any] = {
        **{f: values.get(f) or "" for f in ("employer", "employer_credit_code", "post")},
        "start_date": values.get("start_date"),
    }
    registration = _checked(
        OnPostRegistration(practitioner=practitioner, submitted_by=actor, **given)
    )
    waiting = _("An on-post registration of yours is already waiting for the bureau.")
    if OnPostRegistration.objects.filter(
        practitioner=practitioner, status=RegistrationStatus.SUBMITTED
    ).exists():
        raise BusinessError(waiting)
    try:
        with transaction.atomic():
            registration.save()
            _record(registration, actor=actor, step="submitted", start=str(registration.start_date))
    except IntegrityError:
        raise BusinessError(waiting) from None  # another tab's came first
    return registration


@gate.gated(gate.CONTINUING_EDUCATION)
def register_education(
    *, practitioner: Practitioner, actor: User, values: dict[str, Any]
) -> EducationRecord:
    """继续教育登记: a year's hours, the provider and the content, for the bureau to approve."""
    # The values as given, unchecked (a missing year or hours is None): full_clean says what is
    # wrong.
    given: dict[str, Any] = {
        "year": values.get("year"),
        "hours": values.get("hours"),
        "provider": values.get("provider") or "",
        "content": values.get("content") or "",
    }
    record = _checked(EducationRecord(practitioner=practitioner, submitted_by=actor, **given))
    with transaction.atomic():
        record.save()
        _record(record, actor=actor, step="submitted", year=record.year, hours=str(record.hours))
    return record


def _locked_for_decision(registration: AnyRegistration, actor: User) -> AnyRegistration:
    model = MODELS[registration.kind]
    locked = (
        model.objects.select_for_update(of=("self",))
        .select_related("practitioner__bureau", "practitioner__account")
        .get(pk=registration.pk)
    )
    if not permissions.can_decide(actor, locked.practitioner):
        raise PermissionDenied("not this bureau's clerk")
    if locked.status != RegistrationStatus.SUBMITTED:
        raise AlreadyDecided(
            _("Already %(status)s by %(who)s; nothing was changed.")
            % {"status": locked.get_status_display(), "who": locked.decided_by or "—"}
        )
    return locked


def approve_registration(*, registration: AnyRegistration, actor: User) -> AnyRegistration:
    """The clerk approves. An on-post registration's employer and post become the record's, and
    the record says the person is in an accounting post (the weekly figures count it)."""
    with transaction.atomic():
        locked = _locked_for_decision(registration, actor)
        now = timezone.now()
        locked.status, locked.decided_at, locked.decided_by = (
            RegistrationStatus.APPROVED,
            now,
            actor,
        )
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        if isinstance(locked, OnPostRegistration):
            _apply_on_post(locked, actor)
        else:
            _record(locked, actor=actor, step="approved")
        notices.send(locked.practitioner.account, *business_notices.approved(locked))
    return locked


def _apply_on_post(registration: OnPostRegistration, actor: User) -> None:
    """The employer and post become the record's, and the record says the person is in an
    accounting post; audited as the approval, with what changed."""
    person = records.locked(registration.practitioner_id)
    values = {
        "employer": registration.employer,
        "employer_credit_code": registration.employer_credit_code,
        "position": registration.post,
        "in_accounting_post": True,
    }
    # A registration without a credit code leaves the record's as it is.
    changes = {f: values[f] for f in ON_POST_RECORD_FIELDS if values[f] != ""}
    records.save_record(
        person,
        changes,
        actor=actor,
        action=_ACTIONS[registration.kind]["approved"],
        registration=registration.pk,
    )


def return_registration(
    *, registration: AnyRegistration, actor: User, reason: str
) -> AnyRegistration:
    """The clerk sends it back with the reason the practitioner reads; they may register again."""
    reason = reason.strip()
    if not reason:
        raise BusinessError(_("Write the reason for the practitioner."))
    with transaction.atomic():
        locked = _locked_for_decision(registration, actor)
        locked.status, locked.decided_at, locked.decided_by = (
            RegistrationStatus.RETURNED,
            timezone.now(),
            actor,
        )
        locked.return_reason = reason[:500]
        locked.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
        _record(locked, actor=actor, step="returned", reason=locked.return_reason)
        notices.send(locked.practitioner.account, *business_notices.returned(locked))
    return locked


def export_flagged(*, actor: User, bureau: Bureau, fmt: str) -> bytes:
    """The bureau's people with on-post or continuing-education records but no confirmed
    collection, as CSV or Excel (ID numbers masked, with their mobile numbers); audited."""
    from business import selectors
    from core.spreadsheets import write_table

    if not permissions.can_see_bureau(actor, bureau):
        raise PermissionDenied("not this bureau's staff")
    people = selectors.flagged(bureau=bureau)
    headers = [
        _("Name"),
        _("ID number (masked)"),
        _("Certificate number"),
        _("Mobile"),
        _("Collection"),
        _("On-post registrations"),
        _("Continuing-education records"),
    ]
    rows = (
        [
            p.name,
            p.masked_id_number,
            p.cert_number,
            p.mobile,
            selectors.collection_state(p),
            p.on_post_count,
            p.education_count,
        ]
        for p in people.iterator(chunk_size=2000)
    )
    data, count = write_table(headers, rows, fmt=fmt, title=str(_("Business before collection")))
    record_event(
        actor=actor, action=AuditAction.FLAGGED_EXPORTED, bureau=bureau, format=fmt, rows=count
    )
    return data
