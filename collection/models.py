import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.constants import (
    OPEN_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    TallyFigure,
    Weekday,
)
from core.storage import private_storage
from core.tallies import TallyModel, TotalModel
from practitioners.models import Bureau, Practitioner


class Campaign(models.Model):
    """One collection drive (信息采集工作) with its dates; exactly one is active."""

    name = models.CharField(_("campaign name"), max_length=100)
    start_date = models.DateField(_("start date"))
    plan_due_date = models.DateField(_("work plan due"))
    collection_due_date = models.DateField(_("collection deadline"))
    report_weekday = models.PositiveSmallIntegerField(
        _("weekly sheet due on"), choices=Weekday, default=Weekday.SUNDAY
    )
    report_hour = models.PositiveSmallIntegerField(
        _("weekly sheet due at (hour)"),
        default=18,
        validators=[MaxValueValidator(23)],
        help_text=_("Hour of the day (0–23) in the campaign's time zone."),
    )
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    pending_grace_days = models.PositiveSmallIntegerField(
        _("grace period before the pending pool (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Days after the collection deadline after which unconfirmed records may be moved "
            "to the pending pool."
        ),
    )
    is_active = models.BooleanField(_("active"), default=False)
    # When unconfirmed records were first moved to the pending pool: the week this falls in is
    # the campaign's last reported week (reporting.weeks.last_week).
    pool_moved_at = models.DateTimeField(_("pending pool moved"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_campaign",
                violation_error_message=_("Only one campaign can be active."),
            ),
            models.CheckConstraint(
                condition=Q(plan_due_date__gte=models.F("start_date"))
                & Q(collection_due_date__gte=models.F("start_date")),
                name="campaign_dates_in_order",
                violation_error_message=_("Due dates cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _photo_path(instance: "Photo", filename: str) -> str:
    return f"photos/{instance.practitioner_id}/{secrets.token_hex(16)}-{filename}"


class Photo(models.Model):
    """An ID photo as stored after processing: 358x441 JPEG and the 102x126 national copy.

    Never served by URL: views stream it after a permission check. A photo frozen in a
    submission is never deleted or replaced.
    """

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("practitioner"),
    )
    image = models.FileField(_("photo"), storage=private_storage, upload_to=_photo_path)
    national_image = models.FileField(
        _("national copy"), storage=private_storage, upload_to=_photo_path
    )
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.practitioner_id}"


class Application(models.Model):
    """A practitioner's information for one campaign (kind COLLECTION), or a change of their
    confirmed record (kind CHANGE, no campaign): the working copy and its status. Both go
    through the same form, versions, printed form and counter review."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=ApplicationKind, default=ApplicationKind.COLLECTION
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="applications", null=True, blank=True
    )
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="applications"
    )
    # The practitioner's bureau, copied so the counter's queue is one index range scan.
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus, default=ApplicationStatus.DRAFT
    )
    # The state the weekly figures count it as (a TALLY_STATES figure; "" for a change request,
    # which no figure counts): set with the status by its one writer
    # (collection.services.states.save_application), read by the figures and the people lists.
    counted_as = models.CharField(max_length=16, blank=True, default="")
    # The working copy as typed (strings; may be invalid while a draft).
    data = models.JSONField(_("data"), default=dict)
    photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # NULL until the first submit (unique, and many drafts have none yet).
    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True)  # noqa: DJ001
    # Set on submit: the latest version changes name, ID, birth date or gender (ID card needed).
    has_identity_changes = models.BooleanField(_("identity changes"), default=False)
    # Bumped on every write: a form posted with an older revision is refused, never merged.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "practitioner"], name="one_application_per_campaign"
            ),
            # One change at a time: a second tab's request finds the first one.
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(kind=ApplicationKind.CHANGE, status__in=OPEN_STATUSES),
                name="one_open_change_request",
            ),
            models.CheckConstraint(
                condition=Q(kind=ApplicationKind.COLLECTION, campaign__isnull=False)
                | Q(kind=ApplicationKind.CHANGE, campaign__isnull=True),
                name="application_kind_campaign",
            ),
        ]
        indexes = [
            # The counter's queue and its count: an index-only range scan per bureau, which
            # also gives a page's keys in the queue's order (submitted_at, id) without reading
            # the table (core.pagination).
            models.Index(
                fields=["campaign", "bureau", "status", "submitted_at", "id"],
                name="application_queue_keys",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"application {self.pk}"

    @property
    def is_change(self) -> bool:
        return self.kind == ApplicationKind.CHANGE

    @property
    def answer_by(self) -> datetime.date | None:
        """A change request (a correction of the record, PIPL art. 46) is answered, confirmed
        or returned, by this day: REGISTRY_CHANGE_ANSWER_DAYS after it was submitted."""
        if not self.is_change or self.submitted_at is None:
            return None
        days = datetime.timedelta(days=settings.REGISTRY_CHANGE_ANSWER_DAYS)
        return timezone.localdate(self.submitted_at) + days

    @property
    def latest_submission(self) -> "Submission | None":
        return self.submissions.order_by("-number").first()


class Submission(models.Model):
    """A frozen copy of the data and photo as submitted; every version is kept."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="submissions"
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("data"))
    # The practitioner's record as it stood when this version was submitted (canonical values,
    # as collection.diff.record_values gives them): the version's changes are against it.
    record = models.JSONField(_("record when submitted"), default=dict)
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["application_id", "number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="submission_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ResetCode(models.Model):
    """A one-time code a clerk issues at the counter so a practitioner can set a new password."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time password code")
        verbose_name_plural = _("one-time password codes")

    def __str__(self) -> str:
        return f"reset code for user {self.user_id} issued {self.issued_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """A message for a practitioner's home page (also sent by email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # What it tells (collection.notices puts it into the reader's words) ...
    kind = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # ... and the copy that was e-mailed, in the site's language.
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.subject


class ApplicationTotal(TotalModel):
    """How many of a bureau's applications are in a state now, per campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=16, choices=TallyFigure)

    class Meta:
        verbose_name = _("application total")
        verbose_name_plural = _("application totals")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "bureau", "figure"], name="application_total_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.bureau_id} {self.figure} {self.count}"


class ApplicationTally(TallyModel):
    """How many of a bureau's applications entered or left a state in one hour, per campaign
    (collection.tallies): a weekly sheet's figures as of its cut-off are sums of these."""

    TALLY_KEY = ("campaign", "bureau", "figure", "hour")
    TOTALS = ApplicationTotal

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=16, choices=TallyFigure)

    class Meta:
        verbose_name = _("application tally")
        verbose_name_plural = _("application tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "bureau", "figure", "hour"], name="application_tally_key"
            )
        ]
        indexes = [
            # This week's confirmations and the last two weeks' pace: a range of recent hours.
            models.Index(fields=["campaign", "figure", "hour"], name="application_tally_recent")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.bureau_id} {self.figure} {self.hour:%Y-%m-%d %H}h {self.delta:+d}"
