"""The application's state changes (DESIGN §3.1): each one atomic, row-locked and audited.

The counter's decisions (confirm, return) are confirmation.services' public acts; their
collection half is here as `_confirm_application` / `_return_application`, which only
confirmation.services calls, inside its own transaction, beside the Confirmation or
CounterReturn it writes.
"""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff, notices, permissions, photos, rules, tallies
from collection.constants import (
    ALLOWED_TRANSITIONS,
    APPLICATION_FIELDS,
    OPEN_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    TallyFigure,
)
from collection.errors import (
    CollectionError,
    InvalidApplication,
    NoActiveCampaign,
    StaleApplication,
    TransitionNotAllowed,
)
from collection.models import Application, Campaign, Notice, Photo, Submission
from collection.selectors import active_campaign, confirmed_photo_id
from practitioners import gate
from practitioners import permissions as register_permissions
from practitioners import tallies as register_tallies
from practitioners.constants import CONTACT_FIELDS, AuditAction
from practitioners.models import Bureau, Practitioner, User
from practitioners.services import record_event


def _require_campaign() -> Campaign:
    campaign = active_campaign()
    if campaign is None:
        raise NoActiveCampaign(_("No collection campaign is running now."))
    return campaign


def _locked_application(*, practitioner: Practitioner, campaign: Campaign) -> Application:
    """The application row, locked; created (as an empty draft) on first use. Call inside a
    transaction. An existing row is one query (SELECT ... FOR UPDATE); a new one is inserted in
    a savepoint, and one inserted meanwhile by another request is locked instead."""
    now = timezone.now()
    application, created = Application.objects.select_for_update().get_or_create(
        campaign=campaign,
        practitioner=practitioner,
        defaults={"bureau_id": practitioner.bureau_id, "created_at": now, "updated_at": now},
    )
    if created:
        tallies.record_states(
            campaign_id=campaign.pk,
            moves=[(None, None, application.bureau_id, TallyFigure.DRAFT)],
            at=application.created_at,
        )
    application.campaign, application.practitioner = campaign, practitioner  # already at hand
    return application


def _locked_change(practitioner: Practitioner) -> Application:
    """The practitioner's open change request, locked; created from the record on first use.
    Two tabs that start one at once find the same row (one_open_change_request)."""
    open_changes = Application.objects.filter(
        practitioner=practitioner, kind=ApplicationKind.CHANGE, status__in=OPEN_STATUSES
    )
    if not open_changes.exists():
        try:
            with transaction.atomic():
                now = timezone.now()
                Application.objects.create(
                    kind=ApplicationKind.CHANGE,
                    campaign=None,
                    practitioner=practitioner,
                    bureau_id=practitioner.bureau_id,
                    data=diff.record_values(practitioner),
                    photo_id=confirmed_photo_id(practitioner=practitioner),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            pass  # the other tab's: lock it below
    return open_changes.select_for_update().get()


def _open_application(practitioner: Practitioner, kind: str) -> Application:
    if kind == ApplicationKind.CHANGE:
        return _locked_change(practitioner)
    return _locked_application(practitioner=practitioner, campaign=_require_campaign())


# The audit action of each step, by kind of application.
_ACTIONS = {
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


def _move(application: Application, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[application.status]:
        raise TransitionNotAllowed(
            _("An application that is %(status)s cannot become %(to)s.")
            % {"status": application.get_status_display(), "to": ApplicationStatus(to).label}
        )
    application.status = to


# What an application's counted state (collection.tallies) depends on, in state_of's order.
_COUNTED_FIELDS = ("status", "submitted_at", "returned_at")


def save_application(application: Application, *fields: str, now=None) -> None:
    """Save changed fields of an application. Every write bumps the revision (so a form built
    from an older one is refused) and the update time, and counts a change of its state in the
    weekly figures' tallies: the one rule for all writers."""
    application.revision += 1
    application.updated_at = now or timezone.now()
    if application.campaign_id is not None and set(_COUNTED_FIELDS).intersection(fields):
        before = tallies.state_of(
            *Application.objects.values_list(*_COUNTED_FIELDS).get(pk=application.pk)
        )
        after = tallies.state_of(*(getattr(application, f) for f in _COUNTED_FIELDS))
        tallies.record_states(
            campaign_id=application.campaign_id,
            moves=[(application.bureau_id, before, application.bureau_id, after)],
            at=application.updated_at,
        )
    application.save(update_fields=[*fields, "revision", "updated_at"])


def _check_revision(application: Application, revision: int | None) -> None:
    # A form that carries no revision cannot show it was built from this one: refused too.
    if revision is None or application.revision != revision:
        raise StaleApplication(application)


def _save_draft(
    *, practitioner: Practitioner, actor: User, data: dict[str, Any], revision: int, kind: str
) -> Application:
    with transaction.atomic():
        application = _open_application(practitioner, kind)
        _check_revision(application, revision)
        _move(application, ApplicationStatus.DRAFT)
        data = {f: data[f] for f in APPLICATION_FIELDS if f in data}
        application.data = (
            _with_record_contact(practitioner, data) if application.is_change else data
        )
        save_application(application, "data", "status")
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
    """Keep whatever was typed, valid or not. A submitted application goes back to draft."""
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
    year = application.campaign.start_date if application.campaign_id else timezone.localdate()
    return f"{practitioner.bureau.code}{year:%y}{secrets.randbelow(10**6):06d}"


def _add_submission(
    application: Application, *, data: dict[str, Any], actor: User, now
) -> Submission:
    """A new frozen version of the application's data, with the record as it stands now (the
    version's changes are against that), and the application's working copy set to it."""
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
    application.data = data
    application.has_identity_changes = any(c.identity for c in diff.changes_between(record, data))
    transaction.on_commit(lambda: _render_form_later(submission.pk))
    return submission


def _render_form_later(submission_pk: int) -> None:
    from collection.tasks import render_application_form

    render_application_form.enqueue(submission_pk)


def _submit(
    *,
    practitioner: Practitioner,
    actor: User,
    values: dict[str, Any],
    revision: int,
    kind: str,
) -> Submission:
    problems = rules.errors(values, practitioner=practitioner)
    if problems:
        raise InvalidApplication(problems)
    with transaction.atomic():
        application = _open_application(practitioner, kind)
        _check_revision(application, revision)
        if application.photo_id is None:
            raise CollectionError(_("Upload your ID photo before submitting."))
        data = {f: diff.canonical(f, values.get(f)) for f in APPLICATION_FIELDS}
        data["cert_number"] = practitioner.cert_number
        if application.is_change:
            data = _with_record_contact(practitioner, data)
            if not diff.compute_changes(practitioner, data):
                raise CollectionError(
                    _("Nothing differs from your confirmed record: change a value first.")
                )
        _move(application, ApplicationStatus.SUBMITTED)
        now = timezone.now()
        submission = _add_submission(application, data=data, actor=actor, now=now)
        application.submitted_at = now
        while application.reference is None:
            candidate = _new_reference(application, practitioner)
            if not Application.objects.filter(reference=candidate).exists():
                application.reference = candidate
        save_application(
            application,
            "data",
            "status",
            "submitted_at",
            "reference",
            "has_identity_changes",
            now=now,
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
        locked = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
        record = diff.record_values(locked)
        proposed = {**record, **{f: diff.canonical(f, values.get(f)) for f in CONTACT_FIELDS}}
        problems = rules.errors(
            {f: diff.python_value(f, proposed[f]) for f in APPLICATION_FIELDS},
            practitioner=locked,
        )
        problems = {f: m for f, m in problems.items() if f in CONTACT_FIELDS}
        if problems:
            raise InvalidApplication(problems)
        changes = diff.changes_between(record, proposed)
        if not changes:
            return []
        for change in changes:
            setattr(locked, change.field, diff.python_value(change.field, proposed[change.field]))
        locked.updated_at = timezone.now()
        locked.save(update_fields=[c.field for c in changes] + ["updated_at"])
        account = locked.account
        if account is not None and {"mobile", "email"} & {c.field for c in changes}:
            account.mobile, account.email = locked.mobile, locked.email
            account.save(update_fields=["mobile", "email"])
        record_event(
            actor=actor,
            action=AuditAction.CONTACT_CHANGED,
            practitioner=locked,
            changes=[
                {"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in changes
            ],
        )
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
    submission = _add_submission(application, data=data, actor=actor, now=timezone.now())
    save_application(application, "data", "has_identity_changes")
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
        application = _locked_application(practitioner=practitioner, campaign=campaign)
        if application.status == ApplicationStatus.CONFIRMED:
            raise TransitionNotAllowed(
                _("The application is confirmed; the photo can no longer change.")
            )
        if application.status != ApplicationStatus.DRAFT:
            _move(application, ApplicationStatus.DRAFT)
        photo = Photo(practitioner=practitioner, sha256=processed.sha256, uploaded_by=actor)
        photo.image.save("photo.jpg", ContentFile(processed.standard), save=False)
        photo.national_image.save("photo-102x126.jpg", ContentFile(processed.national), save=False)
        photo.save()
        application.photo = photo
        save_application(application, "photo", "status")
        record_event(
            actor=actor,
            action=AuditAction.PHOTO_UPLOADED,
            practitioner=practitioner,
            photo=photo.pk,
        )
    return photo


def _notify(application: Application, notice) -> None:
    """A notice (collection.notices) to the practitioner about their application."""
    subject, body = notice(application)
    notices.send(application.practitioner.account, subject, body, application=application)


def _in_caller_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the counter's decisions run inside confirmation.services' transaction")


def _return_application(*, application: Application, actor: User, reason: str) -> Application:
    """The collection half of confirmation.services.return_at_counter: the application goes
    back to the practitioner with the reason they see. `application` is locked by the caller."""
    _in_caller_transaction()
    _move(application, ApplicationStatus.RETURNED)
    application.returned_at = timezone.now()
    application.return_reason = reason
    save_application(
        application, "status", "returned_at", "return_reason", now=application.returned_at
    )
    record_event(
        actor=actor,
        action=_ACTIONS[application.kind]["returned"],
        practitioner=application.practitioner,
        reference=application.reference,
        reason=reason,
    )
    _notify(application, notices.returned)
    return application


def _confirm_application(
    *, application: Application, submission: Submission, actor: User, audit_detail: dict
) -> list[diff.Change]:
    """The collection half of confirmation.services.confirm_at_counter: the submitted version
    becomes the practitioner's record. `application` is locked by the caller; returns what
    changed in the record.

    A collection writes every field, marks the record confirmed and takes it out of the pending
    pool; a change writes only the fields it changed against the record it was submitted
    against (contact details changed meanwhile stay as they are)."""
    _in_caller_transaction()
    _move(application, ApplicationStatus.CONFIRMED)
    # Its account and bureau come along (the notice goes to the one and names the other); only
    # the record's row is locked.
    practitioner = (
        Practitioner.objects.select_for_update(of=("self",))
        .select_related("account", "bureau")
        .get(pk=application.practitioner_id)
    )
    changes = diff.compute_changes(practitioner, submission.data)
    was_in_post = practitioner.in_accounting_post
    if application.is_change:
        written = [c.field for c in diff.changes_between(submission.record, submission.data)]
        changes = [c for c in changes if c.field in written]
    else:
        written = list(APPLICATION_FIELDS)
    for name in written:
        setattr(practitioner, name, diff.python_value(name, submission.data[name]))
    now = timezone.now()
    practitioner.updated_at = now
    updated = [*written, "updated_at"]
    if not application.is_change:
        practitioner.confirmed_at = now
        updated.append("confirmed_at")
        if practitioner.pending_since is not None:
            practitioner.pending_since = None
            updated.append("pending_since")
            register_tallies.record_pending({practitioner.bureau_id: -1}, at=now)
    practitioner.save(update_fields=updated)
    register_tallies.record_change(
        before=(practitioner.bureau_id, was_in_post),
        after=(practitioner.bureau_id, practitioner.in_accounting_post),
        at=now,
    )
    application.confirmed_at = now
    save_application(application, "status", "confirmed_at", now=now)
    if application.campaign_id is not None:
        tallies.record_confirmation(application=application, at=now)
    record_event(
        actor=actor,
        action=_ACTIONS[application.kind]["confirmed"],
        practitioner=practitioner,
        reference=application.reference,
        version=submission.number,
        changes=[{"field": c.field, "old": c.old, "new": c.new} for c in changes],
        **audit_detail,
    )
    application.practitioner = practitioner
    _notify(application, notices.confirmed)
    return changes


def move_practitioner(
    *, practitioner: Practitioner, bureau: Bureau, actor: User, reason: str
) -> Practitioner:
    """City staff move a person to another bureau, with their applications (the application's
    bureau is the practitioner's: one truth) and their place in the weekly figures; audited with
    both bureaus. The counter's confirmations stay where they were made."""
    if not register_permissions.can_move_practitioner(actor):
        raise PermissionDenied("only city staff move a person to another bureau")
    reason = reason.strip()
    if not reason:
        raise CollectionError(_("Give the reason for the move."))
    with transaction.atomic():
        locked = (
            Practitioner.objects.select_for_update()
            .select_related("bureau")
            .get(pk=practitioner.pk)
        )
        if locked.bureau_id == bureau.pk:
            raise CollectionError(_("The person already belongs to this bureau."))
        old = locked.bureau
        now = timezone.now()
        locked.bureau = bureau
        locked.updated_at = now
        locked.save(update_fields=["bureau", "updated_at"])
        register_tallies.record_change(
            before=(old.pk, locked.in_accounting_post),
            after=(bureau.pk, locked.in_accounting_post),
            at=now,
        )
        applications = list(
            Application.objects.select_for_update()
            .filter(practitioner=locked)
            .values_list("pk", "campaign_id", *_COUNTED_FIELDS)
        )
        if locked.pending_since is not None:
            register_tallies.record_pending({old.pk: -1, bureau.pk: 1}, at=now)
        for _pk, campaign_id, *state in applications:
            if campaign_id is None:
                continue  # a change request: not counted in the weekly figures
            counted = tallies.state_of(*state)
            tallies.record_states(
                campaign_id=campaign_id, moves=[(old.pk, counted, bureau.pk, counted)], at=now
            )
        moved = Application.objects.filter(pk__in=[a[0] for a in applications]).update(
            bureau=bureau, revision=F("revision") + 1, updated_at=now
        )
        record_event(
            actor=actor,
            action=AuditAction.MOVED,
            practitioner=locked,
            bureau=bureau,
            moved_from=old.code,
            moved_to=bureau.code,
            reason=reason,
            applications=moved,
        )
    return locked


# --- Campaigns and notices ----------------------------------------------------------------------


def save_campaign(*, campaign: Campaign | None, values: dict[str, Any], actor: User) -> Campaign:
    """Create or change a campaign (values as CampaignForm cleans them, `active` included);
    making it active ends the active state of any other. City staff only; audited."""
    if not permissions.can_manage_campaigns(actor):
        raise PermissionDenied("only city staff manage campaigns")
    values = dict(values)
    active = values.pop("active", False)
    with transaction.atomic():
        campaign = campaign or Campaign()
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.is_active = active
        if active:
            Campaign.objects.select_for_update().filter(is_active=True).exclude(
                pk=campaign.pk
            ).update(is_active=False)
        campaign.full_clean()
        campaign.save()
        record_event(
            actor=actor,
            action=AuditAction.UPDATED,
            campaign=campaign.pk,
            name=campaign.name,
            active=campaign.is_active,
        )
    return campaign


def mark_notice_read(*, user: User, pk: int) -> None:
    """The practitioner has seen a notice on the home page."""
    Notice.objects.filter(user=user, pk=pk, read_at__isnull=True).update(read_at=timezone.now())
