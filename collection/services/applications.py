"""The practitioner's acts on an application (DESIGN §3.1): drafts, photos, submissions,
change requests and contact changes (moves: collection.services.moves). Each is atomic,
row-locked and audited; the application is written by its one writer (collection.services.
states) and the register record by its own (practitioners.records). The counter's decisions
are confirmation.services'.
"""

import datetime
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff, photos, rules
from collection.constants import (
    APPLICATION_FIELDS,
    ApplicationKind,
    ApplicationStatus,
)
from collection.errors import (
    CollectionError,
    InvalidApplication,
    NoActiveCampaign,
    StaleApplication,
    TransitionNotAllowed,
)
from collection.models import Application, Campaign, Notice, Photo, Submission
from collection.selectors import active_campaign
from collection.services import states
from practitioners import gate, records
from practitioners.constants import CONTACT_FIELDS, AuditAction
from practitioners.models import Practitioner, User
from practitioners.services import record_event


def _require_campaign() -> Campaign:
    campaign = active_campaign()
    if campaign is None:
        raise NoActiveCampaign(_("No collection campaign is running now."))
    return campaign


def _open_application(practitioner: Practitioner, kind: str) -> Application:
    if kind == ApplicationKind.CHANGE:
        return states.open_change(practitioner)
    return states.open_collection(practitioner=practitioner, campaign=_require_campaign())


# The audit action of each step, by kind of application (the application's `kind`, a str).
_ACTIONS: dict[str, dict[str, AuditAction]] = {
    ApplicationKind.COLLECTION: {
        "draft": AuditAction.DRAFT_SAVED,
        "submitted": AuditAction.SUBMITTED,
        "returned": AuditAction.RETURNED,
        "confirmed": AuditAction.CONFIRMED,
    },
    ApplicationKind.CHANGE: {
        "draft": AuditAction.CHANGE_DRAFT_SAVED,
        "submitted": AuditAction.CHANGE_SUBMITTED,
        "returned": AuditAction.CHANGE_RETURNED,
        "confirmed": AuditAction.CHANGE_CONFIRMED,
    },
}


def _with_record_contact(practitioner: Practitioner, data: dict[str, Any]) -> dict[str, Any]:
    """A change request's values: contact details are the record's (they change at once, by
    change_contact, never through the counter)."""
    record = diff.record_values(practitioner)
    return {**data, **{f: record[f] for f in CONTACT_FIELDS}}


def _check_revision(application: Application, revision: int | None) -> None:
    # A form that carries no revision cannot show it was built from this one: refused too.
    if revision is None or application.revision != revision:
        raise StaleApplication(application)


def _storable(value: Any) -> Any:
    """A draft's value as typed, less any NUL character: a draft is kept unchecked, and
    PostgreSQL refuses NUL in text (a server error); a form's text fields refuse it on submit
    (Django's CharField), and the record's rules refuse every control character."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _save_draft(
    *, practitioner: Practitioner, actor: User, data: dict[str, Any], revision: int, kind: str
) -> Application:
    with transaction.atomic():
        application = _open_application(practitioner, kind)
        _check_revision(application, revision)
        data = {f: _storable(data[f]) for f in APPLICATION_FIELDS if f in data}
        if application.is_change:
            data = _with_record_contact(practitioner, data)
        # A draft is kept as typed, but no value longer than its field holds: nothing is kept
        # of such a draft, and the form shows the typed text with the message beside it.
        too_long = rules.draft_errors(data)
        if too_long:
            raise InvalidApplication(too_long)
        states.save_application(application, status=ApplicationStatus.DRAFT, data=data)
        record_event(
            actor=actor,
            action=_ACTIONS[kind]["draft"],
            practitioner=practitioner,
            revision=application.revision,
        )
    return application


def save_draft(
    *, practitioner: Practitioner, actor: User, data: dict[str, Any], revision: int
) -> Application:
    """Keep whatever was typed, valid or not, unless a value is longer than its field holds
    (InvalidApplication, nothing kept). A submitted application goes back to draft."""
    return _save_draft(
        practitioner=practitioner,
        actor=actor,
        data=data,
        revision=revision,
        kind=ApplicationKind.COLLECTION,
    )


@gate.gated(gate.CHANGE_REQUEST)
def save_change_draft(
    *, practitioner: Practitioner, actor: User, data: dict[str, Any], revision: int
) -> Application:
    """Keep a change request as typed (contact details stay the record's)."""
    return _save_draft(
        practitioner=practitioner,
        actor=actor,
        data=data,
        revision=revision,
        kind=ApplicationKind.CHANGE,
    )


def _new_reference(application: Application, practitioner: Practitioner) -> str:
    # Bureau code + campaign year (a change's: this year) + 6 random digits: unguessable, short
    # enough to type.
    campaign = application.campaign  # a change request has none
    year = campaign.start_date if campaign is not None else timezone.localdate()
    return f"{practitioner.bureau.code}{year:%y}{secrets.randbelow(10**6):06d}"


def _add_submission(
    application: Application, *, data: dict[str, Any], actor: User, now: datetime.datetime
) -> Submission:
    """A new frozen version of the application's data, with the record as it stands now (the
    version's changes are against that), and the application's working copy set to it."""
    if application.photo_id is None:
        # _submit refuses an application without a photo; a submitted one keeps its photo.
        raise RuntimeError(f"application {application.pk} has no photo to freeze")
    practitioner = application.practitioner
    record = diff.record_values(practitioner)
    number = (application.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
    submission = Submission.objects.create(
        application=application,
        number=number,
        data=data,
        record=record,
        photo_id=application.photo_id,
        submitted_at=now,
        submitted_by=actor,
    )
    application.has_identity_changes = any(c.identity for c in diff.changes_between(record, data))
    _render_form_later(submission.pk)
    return submission


def _render_form_later(submission_pk: int) -> None:
    """The form's task: with a queue in the database (the worker's), written in the submit's
    transaction, so that a submission is never kept without it (the database lost between
    the commit and the task); otherwise (the immediate backend) run once it is committed."""
    from collection.tasks import render_application_form

    if render_application_form.get_backend().supports_defer:
        render_application_form.enqueue(submission_pk)
    else:
        transaction.on_commit(lambda: render_application_form.enqueue(submission_pk))


def _same_submission_again(
    application: Application, revision: int | None, data: dict[str, Any]
) -> Submission | None:
    """The submission this post already made, if it is a repeat of the one that submitted the
    application (a double click on Submit, a request the browser sent again): the application
    was last written by that submission, from `revision`, with exactly these values and its
    photo. The repeat then answers with the submitted state instead of the conflict of a stale
    form: nothing differs, so nothing could be lost or merged."""
    if revision is None or application.status != ApplicationStatus.SUBMITTED:
        return None
    if application.revision != revision + 1:  # the submission's write is the only one since
        return None
    latest = application.latest_submission
    if latest is None or latest.data != data or latest.photo_id != application.photo_id:
        return None
    return latest


def _submit(
    *,
    practitioner: Practitioner,
    actor: User,
    values: dict[str, Any],
    revision: int,
    kind: str,
) -> Submission:
    values, problems = rules.checked(values, practitioner=practitioner)
    if problems:
        raise InvalidApplication(problems)
    with transaction.atomic():
        application = _open_application(practitioner, kind)
        data = {f: diff.canonical(f, values.get(f)) for f in APPLICATION_FIELDS}
        data["cert_number"] = practitioner.cert_number
        if application.is_change:
            data = _with_record_contact(practitioner, data)
        repeated = _same_submission_again(application, revision, data)
        if repeated is not None:
            return repeated
        _check_revision(application, revision)
        if application.photo_id is None:
            raise CollectionError(_("Upload your ID photo before submitting."))
        if application.is_change:
            if not diff.compute_changes(practitioner, data):
                raise CollectionError(
                    _("Nothing differs from your confirmed record: change a value first.")
                )
        now = timezone.now()
        submission = _add_submission(application, data=data, actor=actor, now=now)
        reference = application.reference
        while reference is None:
            candidate = _new_reference(application, practitioner)
            if not Application.objects.filter(reference=candidate).exists():
                reference = candidate
        states.save_application(
            application,
            status=ApplicationStatus.SUBMITTED,
            now=now,
            data=data,
            has_identity_changes=application.has_identity_changes,
            submitted_at=now,
            reference=reference,
        )
        # The notices of what came before (a return) are answered by this submission.
        Notice.objects.filter(application=application, read_at__isnull=True).update(read_at=now)
        record_event(
            actor=actor,
            action=_ACTIONS[kind]["submitted"],
            practitioner=practitioner,
            reference=application.reference,
            version=submission.number,
            changed=[c.field for c in diff.changes_between(submission.record, data)],
        )
    return submission


def submit_application(
    *, practitioner: Practitioner, actor: User, values: dict[str, Any], revision: int
) -> Submission:
    """Freeze the values (checked by collection.rules) and the photo as a new submitted version
    with a reference number; the form to print is rendered after commit."""
    return _submit(
        practitioner=practitioner,
        actor=actor,
        values=values,
        revision=revision,
        kind=ApplicationKind.COLLECTION,
    )


@gate.gated(gate.CHANGE_REQUEST)
def submit_change(
    *, practitioner: Practitioner, actor: User, values: dict[str, Any], revision: int
) -> Submission:
    """Submit a change of the confirmed record (信息变更): a version like a collection's, with its
    printed change form, that the counter confirms or returns. Contact details are not part of
    it (change_contact changes them at once)."""
    return _submit(
        practitioner=practitioner,
        actor=actor,
        values=values,
        revision=revision,
        kind=ApplicationKind.CHANGE,
    )


@gate.gated(gate.CONTACT_CHANGE)
def change_contact(*, practitioner: Practitioner, actor: User, values: dict[str, Any]) -> list:
    """A confirmed practitioner's new mobile, email, address or postcode: into the record at
    once, without the counter, audited with the old and new values. `values` as the contact
    form cleans them (collection.rules' fields). Returns the changes (none: nothing written)."""
    with transaction.atomic():
        locked = records.locked(practitioner.pk, related=["account"])
        record = diff.record_values(locked)
        proposed = {**record, **{f: diff.canonical(f, values.get(f)) for f in CONTACT_FIELDS}}
        read, problems = rules.checked(
            {f: diff.python_value(f, proposed[f]) for f in APPLICATION_FIELDS},
            practitioner=locked,
        )
        problems = {f: m for f, m in problems.items() if f in CONTACT_FIELDS}
        if problems:
            raise InvalidApplication(problems)
        # Stored as the rules read them (a mobile typed with +86 and spaces, say).
        proposed.update({f: diff.canonical(f, read[f]) for f in CONTACT_FIELDS})
        changes = diff.changes_between(record, proposed)
        if not changes:
            return []
        records.save_record(
            locked,
            {c.field: diff.python_value(c.field, proposed[c.field]) for c in changes},
            actor=actor,
            action=AuditAction.CONTACT_CHANGED,
        )
        account = locked.account
        if account is not None and {"mobile", "email"} & {c.field for c in changes}:
            account.mobile, account.email = locked.mobile, locked.email
            account.save(update_fields=["mobile", "email"])
    return changes


def add_submission_version(
    *, application: Application, data: dict[str, Any], actor: User
) -> Submission:
    """A corrected version of a submitted application (the counter's correction of a slip):
    `data` as canonical values, checked by collection.rules like the practitioner's own.
    Call inside the caller's transaction, with the application locked."""
    practitioner = application.practitioner
    problems = rules.errors(
        {f: diff.python_value(f, data.get(f)) for f in APPLICATION_FIELDS},
        practitioner=practitioner,
    )
    if problems:
        raise InvalidApplication(problems)
    if application.status != ApplicationStatus.SUBMITTED:
        raise TransitionNotAllowed(_("Only a submitted application can be corrected."))
    now = timezone.now()
    submission = _add_submission(application, data=data, actor=actor, now=now)
    states.save_application(
        application, now=now, data=data, has_identity_changes=application.has_identity_changes
    )
    return submission


def set_application_photo(
    *, practitioner: Practitioner, actor: User, data: bytes, crop: photos.CropBox | None = None
) -> Photo:
    """Check, re-encode and crop an uploaded ID photo and attach it to the application.

    Raises photos.PhotoError with the reason when the file is refused.
    """
    processed = photos.process_photo(data, crop)
    campaign = _require_campaign()
    with transaction.atomic():
        application = states.open_collection(practitioner=practitioner, campaign=campaign)
        if application.status == ApplicationStatus.CONFIRMED:
            raise TransitionNotAllowed(
                _("The application is confirmed; the photo can no longer change.")
            )
        photo = Photo(practitioner=practitioner, sha256=processed.sha256, uploaded_by=actor)
        photo.image.save("photo.jpg", ContentFile(processed.standard), save=False)
        photo.national_image.save("photo-102x126.jpg", ContentFile(processed.national), save=False)
        photo.save()
        states.save_application(application, status=ApplicationStatus.DRAFT, photo=photo)
        record_event(
            actor=actor,
            action=AuditAction.PHOTO_UPLOADED,
            practitioner=practitioner,
            photo=photo.pk,
        )
    return photo


# --- Notices ------------------------------------------------------------------------------------


def mark_notice_read(*, user: User, pk: int) -> None:
    """The practitioner has seen a notice on the home page."""
    Notice.objects.filter(user=user, pk=pk, read_at__isnull=True).update(read_at=timezone.now())
