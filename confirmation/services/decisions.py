"""The counter's decisions, each a whole act: confirm (the application confirmed, the version
made the record, the archive number, the Confirmation, the audit event, the notice), return,
close a change request that changes nothing, correct a slip. The application is written by its
writer (collection.services.save_application), the record by its own (practitioners.records);
the notice's email goes after commit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff, notices, rules
from collection import services as collection_services
from collection.constants import (
    APPLICATION_FIELDS,
    IDENTITY_FIELDS,
    ApplicationKind,
    ApplicationStatus,
)
from collection.models import Application, Submission
from collection.originals import originals_for
from confirmation import permissions
from confirmation.constants import IDENTITY_CHECKED, ReturnReason
from confirmation.models import (
    ArchiveSequence,
    Confirmation,
    CounterEdit,
    CounterReturn,
)
from confirmation.services.errors import (
    AlreadyDecided,
    ChangedMeanwhile,
    InvalidCorrection,
    InvalidDecision,
    MissingOriginals,
    NothingToChange,
    NotThisCounter,
    StillChanges,
)
from practitioners import records
from practitioners.constants import AuditAction, join_return_reason
from practitioners.models import Bureau, Practitioner, User
from practitioners.services import record_event


def required_ticks(
    *, data: dict, changes: list[diff.Change], kind: str = ApplicationKind.COLLECTION
) -> list[tuple[str, str]]:
    """(key, label) of every tick the clerk must set before confirming these submitted values
    (for a change request: the originals its changes need)."""
    originals = originals_for(data, kind=kind, changed={c.field for c in changes})
    ticks = [(o.key, str(o.label)) for o in originals]
    if any(c.identity for c in changes):
        ticks.append((IDENTITY_CHECKED, _("Identity changes checked against the ID card")))
    return ticks


def _locked_for_decision(application: Application, actor: User, revision: int) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("bureau", "practitioner__account", "practitioner__bureau")
        .get(pk=application.pk)
    )
    if not permissions.can_act(actor, application.bureau):
        raise NotThisCounter(
            _("Only the counter of %(bureau)s can decide this application.")
            % {"bureau": application.bureau.name}
        )
    if application.status != ApplicationStatus.SUBMITTED:
        raise AlreadyDecided(_describe_decision(application))
    if revision is None or application.revision != revision:
        raise ChangedMeanwhile(_("The application changed after you opened it. Review it again."))
    return application


def _submitted_version(application: Application) -> Submission:
    """The version the counter decides on: the latest. An application waiting at the counter
    always has one, since submitting writes it with the status."""
    submission = application.latest_submission
    if submission is None:
        raise RuntimeError(f"application {application.pk} is submitted without a version")
    return submission


def _describe_decision(application: Application) -> str:
    if application.status == ApplicationStatus.CONFIRMED:
        confirmation = (
            Confirmation.objects.filter(application=application).select_related("clerk").first()
        )
        who = confirmation.clerk if confirmation else "—"
        when = timezone.localtime(application.confirmed_at).strftime("%H:%M:%S")
        return _("Already confirmed by %(who)s at %(when)s; nothing was changed.") % {
            "who": who,
            "when": when,
        }
    if application.status == ApplicationStatus.RETURNED:
        last = (
            CounterReturn.objects.filter(application=application)
            .select_related("clerk")
            .order_by("-returned_at")
            .first()
        )
        who = last.clerk if last else "—"
        when = timezone.localtime(application.returned_at).strftime("%H:%M:%S")
        return _(
            "Already returned by %(who)s at %(when)s (reason: %(reason)s); nothing was changed."
        ) % {"who": who, "when": when, "reason": application.return_reason}
    if application.status == ApplicationStatus.CLOSED:
        return _("Already closed: the record holds its values; nothing was changed.")
    return _(
        "The practitioner took the application back for revision; it is no longer waiting at the counter."
    )


def _next_archive_number(bureau: Bureau, year: int) -> str:
    # The sequence row is locked until the transaction ends: two counters never share a number.
    sequence, _created = ArchiveSequence.objects.select_for_update().get_or_create(
        bureau=bureau, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{bureau.code}{year}{sequence.last_number:06d}"


# The audit action of each decision, by kind of application (the application's `kind`, a str).
_ACTIONS: dict[str, dict[str, AuditAction]] = {
    ApplicationKind.COLLECTION: {
        "confirmed": AuditAction.CONFIRMED,
        "returned": AuditAction.RETURNED,
    },
    ApplicationKind.CHANGE: {
        "confirmed": AuditAction.CHANGE_CONFIRMED,
        "returned": AuditAction.CHANGE_RETURNED,
    },
}


def decision_changes(application: Application, submission: Submission) -> list[diff.Change]:
    """What confirming the application's submitted version would change in its person's record
    now (collection.diff.changes_to_confirm): what the review shows and the checklist needs."""
    return diff.changes_to_confirm(
        kind=application.kind,
        submitted=submission.data,
        submitted_against=submission.record,
        practitioner=application.practitioner,
    )


def confirm_at_counter(
    *, application: Application, actor: User, checklist: set[str], revision: int
) -> Confirmation:
    """Confirm the latest submitted version after every required original is ticked: the
    application is confirmed, the version becomes the practitioner's record (a change request:
    the fields it still changes), with an archive number under a row lock; audited, and the
    practitioner told."""
    with transaction.atomic():
        application = _locked_for_decision(application, actor, revision)
        # Only the record's row is locked; its account and bureau come along for the notice.
        practitioner = records.locked(application.practitioner_id, related=["account", "bureau"])
        application.practitioner = practitioner
        submission = _submitted_version(application)
        changes = decision_changes(application, submission)
        if application.is_change and not changes:
            raise NothingToChange(
                _(
                    "The record already holds every value this change request asks for: close it instead; no archive number is needed."
                )
            )
        required = required_ticks(data=submission.data, changes=changes, kind=application.kind)
        missing = [(key, label) for key, label in required if key not in checklist]
        if missing:
            raise MissingOriginals(
                _("Tick every original you checked: %(missing)s.")
                % {"missing": "、".join(label for _key, label in missing)},
                missing=[key for key, _label in missing],
            )
        now = timezone.now()
        ticked = [key for key, _label in required]
        number = _next_archive_number(application.bureau, timezone.localtime(now).year)
        if application.is_change:
            written = {
                c.field: diff.python_value(c.field, submission.data[c.field]) for c in changes
            }
        else:
            # The version becomes the record, confirmed, and out of the pending pool.
            written = {f: diff.python_value(f, submission.data[f]) for f in APPLICATION_FIELDS}
            written.update(confirmed_at=now, pending_since=None)
        collection_services.save_application(
            application, status=ApplicationStatus.CONFIRMED, now=now, confirmed_at=now
        )
        records.save_record(
            practitioner,
            written,
            actor=actor,
            action=_ACTIONS[application.kind]["confirmed"],
            reference=application.reference,
            version=submission.number,
            archive_number=number,
            checklist=ticked,
        )
        confirmation = Confirmation.objects.create(
            application=application,
            submission=submission,
            practitioner=practitioner,
            bureau=application.bureau,
            clerk=actor,
            confirmed_at=now,
            archive_number=number,
            checklist=ticked,
            changes=[
                {"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in changes
            ],
        )
        notices.send(practitioner.account, *notices.confirmed(application), application=application)
    return confirmation


def close_change_request(*, application: Application, actor: User, revision: int) -> Application:
    """Close a change request that no longer changes anything (the record already holds its
    values): no archive number, nothing to print; audited, and the practitioner told."""
    with transaction.atomic():
        application = _locked_for_decision(application, actor, revision)
        if not application.is_change:
            raise InvalidDecision(_("Only a change request can be closed without a decision."))
        application.practitioner = records.locked(
            application.practitioner_id, related=["account", "bureau"]
        )
        if decision_changes(application, _submitted_version(application)):
            raise StillChanges(
                _("This change request still changes the record: confirm it or return it.")
            )
        now = timezone.now()
        collection_services.save_application(application, status=ApplicationStatus.CLOSED, now=now)
        record_event(
            actor=actor,
            action=AuditAction.CHANGE_CLOSED,
            practitioner=application.practitioner,
            reference=application.reference,
        )
        notices.send(
            application.practitioner.account,
            *notices.closed(application),
            application=application,
        )
    return application


def return_reason_text(reason: str, note: str) -> str:
    """What the practitioner reads: the standard reason, and the clerk's note after it."""
    note = note.strip()
    if not reason and not note:
        raise InvalidDecision(_("Choose a reason or write a note for the practitioner."))
    if reason and reason not in ReturnReason.values:
        raise InvalidDecision(_("Choose one of the listed reasons."))
    if not reason or reason == ReturnReason.OTHER:
        if not note:
            raise InvalidDecision(_("Write the reason in the note."))
        return note
    return join_return_reason(str(ReturnReason(reason).label), note)


def return_at_counter(
    *, application: Application, actor: User, reason: str, note: str = "", revision: int
) -> Application:
    """Send the application back with a standard reason and/or a note the practitioner reads."""
    text = return_reason_text(reason, note)
    with transaction.atomic():
        application = _locked_for_decision(application, actor, revision)
        now = timezone.now()
        collection_services.save_application(
            application,
            status=ApplicationStatus.RETURNED,
            now=now,
            returned_at=now,
            return_reason=text,
        )
        CounterReturn.objects.create(
            application=application,
            bureau=application.bureau,
            clerk=actor,
            returned_at=now,
            reason=text,
        )
        record_event(
            actor=actor,
            action=_ACTIONS[application.kind]["returned"],
            practitioner=application.practitioner,
            reference=application.reference,
            reason=text,
        )
        notices.send(
            application.practitioner.account,
            *notices.returned(application),
            application=application,
        )
    return application


def correct_at_counter(
    *,
    application: Application,
    actor: User,
    field: str,
    value: str,
    reason: str,
    revision: int,
) -> Submission:
    """Fix a slip in the submitted data as the clerk's edit: a new version, with the reason."""
    if field not in APPLICATION_FIELDS or field in rules.READ_ONLY_FIELDS:
        raise InvalidDecision(_("This field cannot be corrected here."))
    if not reason.strip():
        raise InvalidDecision(_("Give the reason for the correction."))
    try:
        corrected = diff.canonical(field, rules.read_text(field, value))
    except ValidationError as exc:
        raise InvalidCorrection(" ".join(exc.messages)) from None
    with transaction.atomic():
        application = _locked_for_decision(application, actor, revision)
        latest = _submitted_version(application)
        data = dict(latest.data)
        if data.get(field) == corrected:
            raise InvalidDecision(_("The value is the same as submitted."))
        data[field] = corrected
        try:
            submission = collection_services.add_submission_version(
                application=application, data=data, actor=actor
            )
        except collection_services.InvalidApplication as exc:
            raise InvalidCorrection(
                " ".join(
                    f"{Practitioner.field_label(name)}: {' '.join(messages)}"
                    for name, messages in exc.errors.items()
                )
            ) from None
        CounterEdit.objects.create(
            application=application,
            clerk=actor,
            field=field,
            old_value=diff.display(field, latest.data.get(field)),
            new_value=diff.display(field, corrected),
            reason=reason.strip(),
        )
        record_event(
            actor=actor,
            action=AuditAction.COUNTER_EDIT,
            practitioner=application.practitioner,
            reference=application.reference,
            field=field,
            reason=reason.strip(),
            identity=field in IDENTITY_FIELDS,
        )
    return submission
