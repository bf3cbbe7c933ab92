"""State changes at the counter (DESIGN §3.2). Each is one atomic, audited function."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff
from collection import services as collection_services
from collection.constants import APPLICATION_FIELDS, IDENTITY_FIELDS, ApplicationStatus
from collection.forms import ApplicationForm
from collection.models import Application, Submission
from collection.originals import originals_for
from confirmation import permissions
from confirmation.constants import IDENTITY_CHECKED, PrintKind, ReturnReason
from confirmation.models import (
    ArchiveSequence,
    Confirmation,
    CounterEdit,
    CounterReturn,
    PrintLog,
    PrintSettings,
)
from practitioners.constants import AuditAction
from practitioners.models import Bureau, User
from practitioners.services import record_event


class CounterError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyDecided(CounterError):
    """Another counter confirmed or returned the application first."""


class MissingOriginals(CounterError):
    """Confirm was pressed with required ticks unset; `missing` holds their keys."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


def required_ticks(*, data: dict, changes: list[diff.Change]) -> list[tuple[str, str]]:
    """(key, label) of every tick the clerk must set before confirming these submitted values."""
    ticks = [(o.key, str(o.label)) for o in originals_for(data)]
    if any(c.identity for c in changes):
        ticks.append((IDENTITY_CHECKED, _("Identity changes checked against the ID card")))
    return ticks


def _locked_for_decision(
    application: Application, clerk: User, revision: int | None
) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("bureau", "practitioner")
        .get(pk=application.pk)
    )
    if not permissions.can_act(clerk, application.bureau):
        raise CounterError(
            _("Only the counter of %(bureau)s can decide this application.")
            % {"bureau": application.bureau.name}
        )
    if application.status != ApplicationStatus.SUBMITTED:
        raise AlreadyDecided(_describe_decision(application))
    if revision is not None and application.revision != revision:
        raise CounterError(_("The application changed after you opened it. Review it again."))
    return application


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
    return _(
        "The practitioner took the application back for revision; it is no longer waiting at the counter."
    )


def _next_archive_number(bureau: Bureau, year: int) -> str:
    # The sequence row is locked until the transaction ends: two counters never share a number.
    sequence, _created = ArchiveSequence.objects.get_or_create(bureau=bureau, year=year)
    sequence = ArchiveSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{bureau.code}{year}{sequence.last_number:06d}"


def confirm_at_counter(
    *, application: Application, clerk: User, checklist: set[str], revision: int | None
) -> Confirmation:
    """Confirm the latest submitted version after every required original is ticked."""
    with transaction.atomic():
        application = _locked_for_decision(application, clerk, revision)
        submission = application.submissions.order_by("-number").first()
        changes = diff.compute_changes(application.practitioner, submission.data)
        required = required_ticks(data=submission.data, changes=changes)
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
        collection_services.confirm_application(
            application=application,
            actor=clerk,
            audit_detail={"archive_number": number, "checklist": ticked},
        )
        return Confirmation.objects.create(
            application=application,
            submission=submission,
            practitioner=application.practitioner,
            bureau=application.bureau,
            clerk=clerk,
            confirmed_at=now,
            archive_number=number,
            checklist=ticked,
            changes=[
                {"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in changes
            ],
        )


def return_at_counter(
    *, application: Application, clerk: User, reason: str, note: str = "", revision: int | None
) -> Application:
    """Send the application back with a standard reason and/or a note the practitioner reads."""
    note = note.strip()
    if reason not in ReturnReason.values:
        raise CounterError(_("Choose a reason."))
    if reason == ReturnReason.OTHER and not note:
        raise CounterError(_("Write the reason in the note."))
    text = str(ReturnReason(reason).label) if reason != ReturnReason.OTHER else note
    if note and reason != ReturnReason.OTHER:
        text = f"{text}：{note}"
    with transaction.atomic():
        application = _locked_for_decision(application, clerk, revision)
        application = collection_services.return_application(
            application=application, actor=clerk, reason=text
        )
        CounterReturn.objects.create(
            application=application,
            bureau=application.bureau,
            clerk=clerk,
            returned_at=application.returned_at,
            reason=text,
        )
    return application


def correct_at_counter(
    *,
    application: Application,
    clerk: User,
    field: str,
    value: str,
    reason: str,
    revision: int | None,
) -> Submission:
    """Fix a slip in the submitted data as the clerk's edit: a new version, with the reason."""
    if field not in APPLICATION_FIELDS or field == "cert_number":
        raise CounterError(_("This field cannot be corrected here."))
    if not reason.strip():
        raise CounterError(_("Give the reason for the correction."))
    with transaction.atomic():
        application = _locked_for_decision(application, clerk, revision)
        latest = application.submissions.order_by("-number").first()
        data = dict(latest.data)
        form_data = {k: v for k, v in data.items() if not isinstance(v, bool)}
        form_data.update({k: "on" for k, v in data.items() if v is True})
        form_data[field] = value
        if field in ("has_computing_cert", "in_accounting_post"):
            form_data.pop(field, None)
            if value in ("on", "true", "True", "1", "是"):
                form_data[field] = "on"
        form_data["revision"] = application.revision
        form = ApplicationForm(form_data, instance=application.practitioner)
        if not form.is_valid():
            messages = [
                f"{form.fields[k].label}: {' '.join(v)}"
                for k, v in form.errors.items()
                if k in form.fields
            ]
            raise CounterError(" ".join(messages) or _("The value is not valid."))
        new_data = {f: diff.canonical(f, form.cleaned_data.get(f)) for f in APPLICATION_FIELDS}
        new_data["cert_number"] = data.get("cert_number", application.practitioner.cert_number)
        if new_data == data:
            raise CounterError(_("The value is the same as submitted."))
        submission = Submission.objects.create(
            application=application,
            number=latest.number + 1,
            data=new_data,
            photo_id=latest.photo_id,
            submitted_by=clerk,
        )
        changes = diff.compute_changes(application.practitioner, new_data)
        application.data = new_data
        application.has_identity_changes = any(c.identity for c in changes)
        collection_services.save_application(application, "data", "has_identity_changes")
        CounterEdit.objects.create(
            application=application,
            clerk=clerk,
            field=field,
            old_value=diff.display(field, data.get(field)),
            new_value=diff.display(field, new_data[field]),
            reason=reason.strip(),
        )
        record_event(
            actor=clerk,
            action=AuditAction.COUNTER_EDIT,
            practitioner=application.practitioner,
            reference=application.reference,
            field=field,
            reason=reason.strip(),
            identity=field in IDENTITY_FIELDS,
        )
    return submission


def print_settings_for(bureau: Bureau) -> PrintSettings:
    """The bureau's printer settings (defaults until its admin sets them)."""
    settings, _created = PrintSettings.objects.get_or_create(bureau=bureau)
    return settings


def save_print_settings(*, form, actor: User) -> PrintSettings:
    """Store page size and offsets from a valid form; audited."""
    with transaction.atomic():
        settings = form.save(commit=False)
        settings.updated_at = timezone.now()
        settings.updated_by = actor
        settings.save()
        record_event(
            actor=actor,
            action=AuditAction.PRINT_SETTINGS,
            bureau=settings.bureau,
            width=str(settings.page_width_mm),
            height=str(settings.page_height_mm),
            x=str(settings.offset_x_mm),
            y=str(settings.offset_y_mm),
        )
    return settings


def log_print(
    *,
    confirmation: Confirmation | None,
    bureau: Bureau,
    actor: User,
    reason: str = "",
    calibration: bool = False,
) -> PrintLog:
    """Record a print of the confirmation record; a reprint needs a reason."""
    if calibration:
        kind = PrintKind.CALIBRATION
    else:
        if not permissions.can_act(actor, bureau):
            raise CounterError(
                _("Only the counter of this bureau prints its confirmation records.")
            )
        kind = PrintKind.REPRINT if confirmation.prints.exists() else PrintKind.FIRST
        if kind == PrintKind.REPRINT and not reason.strip():
            raise CounterError(_("Give the reason for printing again."))
    entry = PrintLog.objects.create(
        bureau=bureau, confirmation=confirmation, kind=kind, printed_by=actor, reason=reason.strip()
    )
    record_event(
        actor=actor,
        action=AuditAction.PRINTED,
        bureau=bureau,
        practitioner=confirmation.practitioner if confirmation else None,
        kind=kind,
        reason=reason.strip(),
    )
    return entry
