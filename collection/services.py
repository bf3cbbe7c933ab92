"""State changes of the collection app (DESIGN §3.1). Views and other apps call these only."""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff, photos
from collection.constants import (
    ALLOWED_TRANSITIONS,
    APPLICATION_FIELDS,
    ApplicationStatus,
)
from collection.models import (
    ActivationAttempt,
    Application,
    Campaign,
    Notice,
    Photo,
    ResetCode,
    Submission,
)
from collection.selectors import active_campaign
from practitioners.constants import AuditAction, Role
from practitioners.models import Bureau, Practitioner, User
from practitioners.services import record_event

ACTIVATION_MAX_FAILURES = 5
ACTIVATION_LOCK = datetime.timedelta(minutes=15)
RESET_CODE_LIFETIME = datetime.timedelta(minutes=30)
RESET_CODE_MAX_FAILURES = 5


class CollectionError(Exception):
    """A refusal with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActivationError(CollectionError):
    def __init__(
        self,
        message: str,
        *,
        no_record: bool = False,
        bureau: Bureau | None = None,
        locked_until=None,
    ):
        super().__init__(message)
        self.no_record = no_record  # the register has no such person: say where to go
        self.bureau = bureau
        self.locked_until = locked_until


class NoActiveCampaign(CollectionError):
    pass


class StaleApplication(CollectionError):
    """The form was built from an older revision (another tab or device saved meanwhile)."""

    def __init__(self, application: Application):
        super().__init__(
            _(
                "This application was changed in another window at %(time)s. Your entries are kept below: check them and save again."
            )
            % {"time": timezone.localtime(application.updated_at).strftime("%H:%M:%S")}
        )
        self.application = application


class TransitionNotAllowed(CollectionError):
    pass


# --- Activation -----------------------------------------------------------------------------


def _throttle_keys(*, client_key: str, id_number: str) -> list[str]:
    digest = lambda value: hashlib.sha256(value.encode()).hexdigest()[:40]  # noqa: E731
    return [f"client:{digest(client_key)}", f"id:{digest(id_number)}"]


def _locked_until(keys: list[str]):
    now = timezone.now()
    return (
        ActivationAttempt.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


def _record_failure(keys: list[str]) -> None:
    now = timezone.now()
    with transaction.atomic():
        for key in keys:
            attempt, _created = ActivationAttempt.objects.select_for_update().get_or_create(key=key)
            if attempt.last_failure_at < now - ACTIVATION_LOCK * 4:
                attempt.failures = 0  # an old streak is forgiven
            attempt.failures += 1
            attempt.last_failure_at = now
            if attempt.failures >= ACTIVATION_MAX_FAILURES:
                # Each further failure doubles the lock, up to a day.
                factor = 2 ** min(attempt.failures - ACTIVATION_MAX_FAILURES, 6)
                attempt.locked_until = now + min(
                    ACTIVATION_LOCK * factor, datetime.timedelta(days=1)
                )
            attempt.save()


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
    client_key: str,
) -> User:
    """Create a practitioner's login when name, ID number and certificate number match the record."""
    keys = _throttle_keys(client_key=client_key, id_number=id_number)
    locked = _locked_until(keys)
    if locked:
        raise ActivationError(
            _("Too many failed attempts. Try again after %(time)s.")
            % {"time": timezone.localtime(locked).strftime("%H:%M")},
            locked_until=locked,
        )
    failure: ActivationError | None = None
    with transaction.atomic():
        practitioner = (
            Practitioner.objects.select_for_update(of=("self",))
            .select_related("bureau")
            .filter(id_number=id_number)
            .first()
        )
        if practitioner is None:
            failure = ActivationError(
                _(
                    "The register holds no record for this ID number. Contact the bureau that issued your certificate: it will add your record."
                ),
                no_record=True,
                bureau=_bureau_for_certificate(cert_number),
            )
        elif practitioner.name != name or practitioner.cert_number != cert_number:
            failure = ActivationError(
                _(
                    "The name, ID number and certificate number do not match our record. Check them against your certificate."
                )
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
            practitioner.account = user
            practitioner.save(update_fields=["account"])
            ActivationAttempt.objects.filter(key=keys[1]).delete()
            record_event(actor=user, action=AuditAction.ACTIVATED, practitioner=practitioner)
            return user
    _record_failure(keys)
    raise failure


# --- Application ------------------------------------------------------------------------------


def _require_campaign() -> Campaign:
    campaign = active_campaign()
    if campaign is None:
        raise NoActiveCampaign(_("No collection campaign is running now."))
    return campaign


def _locked_application(*, practitioner: Practitioner, campaign: Campaign) -> Application:
    """The application row, locked; created (as an empty draft) on first use."""
    try:
        with transaction.atomic():
            application, _created = Application.objects.get_or_create(
                campaign=campaign,
                practitioner=practitioner,
                defaults={"bureau_id": practitioner.bureau_id},
            )
    except IntegrityError:
        pass  # created concurrently by another request: lock it below
    return Application.objects.select_for_update().get(campaign=campaign, practitioner=practitioner)


def _move(application: Application, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[application.status]:
        raise TransitionNotAllowed(
            _("An application that is %(status)s cannot become %(to)s.")
            % {"status": application.get_status_display(), "to": ApplicationStatus(to).label}
        )
    application.status = to


def save_application(application: Application, *fields: str, now=None) -> None:
    """Save changed fields of an application. Every write bumps the revision (so a form built
    from an older one is refused) and the update time: the one rule for all writers."""
    application.revision += 1
    application.updated_at = now or timezone.now()
    application.save(update_fields=[*fields, "revision", "updated_at"])


def _check_revision(application: Application, revision: int | None) -> None:
    if revision is not None and application.revision != revision:
        raise StaleApplication(application)


def save_draft(
    *, practitioner: Practitioner, actor: User, data: dict[str, Any], revision: int | None
) -> Application:
    """Keep whatever was typed, valid or not. A submitted application goes back to draft."""
    campaign = _require_campaign()
    with transaction.atomic():
        application = _locked_application(practitioner=practitioner, campaign=campaign)
        _check_revision(application, revision)
        _move(application, ApplicationStatus.DRAFT)
        application.data = {f: data[f] for f in APPLICATION_FIELDS if f in data}
        save_application(application, "data", "status")
        record_event(
            actor=actor,
            action=AuditAction.DRAFT_SAVED,
            practitioner=practitioner,
            revision=application.revision,
        )
    return application


def _new_reference(campaign: Campaign, practitioner: Practitioner) -> str:
    # Bureau code + campaign year + 6 random digits: unguessable, short enough to type.
    return f"{practitioner.bureau.code}{campaign.start_date:%y}{secrets.randbelow(10**6):06d}"


def submit_application(
    *, practitioner: Practitioner, actor: User, values: dict[str, Any], revision: int | None
) -> Submission:
    """Freeze the checked values and the photo as a new submitted version with a reference number."""
    campaign = _require_campaign()
    with transaction.atomic():
        application = _locked_application(practitioner=practitioner, campaign=campaign)
        _check_revision(application, revision)
        if application.photo_id is None:
            raise CollectionError(_("Upload your ID photo before submitting."))
        _move(application, ApplicationStatus.SUBMITTED)
        now = timezone.now()
        application.data = {f: diff.canonical(f, values.get(f)) for f in APPLICATION_FIELDS}
        application.submitted_at = now
        changes = diff.compute_changes(practitioner, application.data)
        application.has_identity_changes = any(c.identity for c in changes)
        while application.reference is None:
            candidate = _new_reference(campaign, practitioner)
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
        number = (application.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
        submission = Submission.objects.create(
            application=application,
            number=number,
            data=application.data,
            photo_id=application.photo_id,
            submitted_at=now,
            submitted_by=actor,
        )
        record_event(
            actor=actor,
            action=AuditAction.SUBMITTED,
            practitioner=practitioner,
            reference=application.reference,
            version=number,
            changed=[c.field for c in changes],
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


def _notify(application: Application, *, subject: str, template: str, context: dict) -> None:
    """A notice on the practitioner's home page, and an email after commit when we have an address."""
    user = application.practitioner.account
    if user is None:
        return
    body = render_to_string(template, {"application": application, **context}).strip()
    Notice.objects.create(user=user, application=application, subject=subject, body=body)
    if user.email:
        # robust: a mail server that is down is logged, never turns the counter's action into an error.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]), robust=True
        )


def return_application(*, application: Application, actor: User, reason: str) -> Application:
    """The counter sends a submitted application back with a reason the practitioner sees."""
    if not reason.strip():
        raise CollectionError(_("Give the reason for returning the application."))
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("practitioner__account", "practitioner__bureau")
            .get(pk=application.pk)
        )
        _move(application, ApplicationStatus.RETURNED)
        application.returned_at = timezone.now()
        application.return_reason = reason.strip()
        save_application(
            application, "status", "returned_at", "return_reason", now=application.returned_at
        )
        record_event(
            actor=actor,
            action=AuditAction.RETURNED,
            practitioner=application.practitioner,
            reference=application.reference,
            reason=application.return_reason,
        )
        _notify(
            application,
            subject=_("Your application %(ref)s was returned") % {"ref": application.reference},
            template="emails/application_returned.txt",
            context={},
        )
    return application


def confirm_application(
    *, application: Application, actor: User, audit_detail: dict | None = None
) -> Application:
    """The counter accepts the latest submitted version: it becomes the practitioner's record.

    `audit_detail` (the counter's checklist, archive number...) joins the audit event.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("practitioner__account", "practitioner__bureau")
            .get(pk=application.pk)
        )
        _move(application, ApplicationStatus.CONFIRMED)
        submission = application.submissions.order_by("-number").first()
        practitioner = Practitioner.objects.select_for_update().get(pk=application.practitioner_id)
        changes = diff.compute_changes(practitioner, submission.data)
        for field in APPLICATION_FIELDS:
            setattr(practitioner, field, diff.python_value(field, submission.data[field]))
        now = timezone.now()
        practitioner.confirmed_at = practitioner.updated_at = now
        practitioner.save(update_fields=[*APPLICATION_FIELDS, "confirmed_at", "updated_at"])
        application.confirmed_at = now
        save_application(application, "status", "confirmed_at", now=now)
        record_event(
            actor=actor,
            action=AuditAction.CONFIRMED,
            practitioner=practitioner,
            reference=application.reference,
            version=submission.number,
            changes=[{"field": c.field, "old": c.old, "new": c.new} for c in changes],
            **(audit_detail or {}),
        )
        application.practitioner = practitioner
        _notify(
            application,
            subject=_("Your application %(ref)s is confirmed") % {"ref": application.reference},
            template="emails/application_confirmed.txt",
            context={},
        )
    return application


# --- Passwords ------------------------------------------------------------------------------


def issue_reset_code(*, practitioner: Practitioner, actor: User) -> str:
    """A clerk gives the practitioner at the counter a one-time code to set a new password."""
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


def reset_password_with_code(*, id_number: str, code: str, password: str) -> User:
    """Set a new password with a counter-issued code; a code works once, for 30 minutes, 5 tries."""
    refused = CollectionError(
        _(
            "The ID number or the code is not right, or the code has expired. Ask the counter for a new code."
        )
    )
    now = timezone.now()
    with transaction.atomic():
        reset = (
            ResetCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(user__username=id_number, used_at__isnull=True, expires_at__gt=now)
            .order_by("-issued_at")
            .first()
        )
        if reset is None:
            raise refused
        if not check_password(code.strip(), reset.code_hash):
            reset.failures += 1
            if reset.failures >= RESET_CODE_MAX_FAILURES:
                reset.used_at = now
            reset.save(update_fields=["failures", "used_at"])
            failed = True
        else:
            failed = False
            reset.used_at = now
            reset.save(update_fields=["used_at"])
            reset.user.set_password(password)
            reset.user.save(update_fields=["password"])
            practitioner = Practitioner.objects.filter(account=reset.user).first()
            record_event(
                actor=reset.user, action=AuditAction.PASSWORD_RESET, practitioner=practitioner
            )
    if failed:
        raise refused
    return reset.user


# --- Campaigns and notices ----------------------------------------------------------------------


def save_campaign(*, form, actor: User) -> Campaign:
    """Save a campaign from a valid form; making it active ends the active state of any other."""
    with transaction.atomic():
        campaign = form.save(commit=False)
        campaign.is_active = form.cleaned_data["active"]
        if campaign.is_active:
            Campaign.objects.select_for_update().filter(is_active=True).exclude(
                pk=campaign.pk
            ).update(is_active=False)
        campaign.save()
        record_event(
            actor=actor, action=AuditAction.UPDATED, campaign=campaign.pk, name=campaign.name
        )
    return campaign


def mark_notice_read(*, user: User, pk: int) -> None:
    """The practitioner has seen a notice on the home page."""
    Notice.objects.filter(user=user, pk=pk, read_at__isnull=True).update(read_at=timezone.now())
