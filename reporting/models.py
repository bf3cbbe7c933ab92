import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.models import Campaign
from core.storage import private_storage
from practitioners.models import Bureau
from reporting.constants import PLAN_SUMMARY_MAX, PlanStatus, SheetStatus


class WorkPlan(models.Model):
    """A county's work plan (工作方案) for a campaign, filed (备案) with the city."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus, default=PlanStatus.FILED
    )
    filed_at = models.DateTimeField(_("first filed"), default=timezone.now)
    updated_at = models.DateTimeField(_("last filed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comments = models.TextField(_("city's comments"), blank=True)
    paper_received_at = models.DateTimeField(_("paper copy received"), null=True, blank=True)
    paper_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "bureau"], name="one_plan_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.campaign_id} plan"


def _plan_path(instance: "WorkPlanVersion", filename: str) -> str:
    return f"plans/{instance.plan.campaign_id}/{instance.plan.bureau_id}/{secrets.token_hex(16)}-{filename}"


class WorkPlanVersion(models.Model):
    """One uploaded file of a work plan; every version is kept."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(storage=private_storage, upload_to=_plan_path)
    file_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("file type"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    summary = models.TextField(_("summary"), max_length=PLAN_SUMMARY_MAX)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("work plan version")
        verbose_name_plural = _("work plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class ProgressSheet(models.Model):
    """A county's progress sheet (进度表) for one ISO week: the notes as being written, and the
    week's figures, provisional until its cut-off and frozen at it (stored here once the cut-off
    has passed: reporting.services.freeze_week), whenever the sheet is submitted."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    week = models.CharField(_("week"), max_length=8)  # ISO 8601: 2026-W49
    cutoff = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=SheetStatus, default=SheetStatus.DRAFT
    )
    staff = models.TextField(_("staff assigned"), blank=True)
    counter_days = models.TextField(_("counter days"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_week = models.TextField(_("next week's plan"), blank=True)
    # The week's figures at its cut-off (Figures.as_dict), stored once the cut-off has passed.
    figures = models.JSONField(_("figures"), null=True, blank=True)
    figures_as_of = models.DateTimeField(_("figures as of"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    feedback = models.TextField(_("city's feedback"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week", "bureau__code"]
        verbose_name = _("progress sheet")
        verbose_name_plural = _("progress sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "bureau", "week"], name="one_sheet_per_week"
            )
        ]
        indexes = [models.Index(fields=["campaign", "week"], name="sheets_of_week")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.week}"


class ProgressSheetVersion(models.Model):
    """One submission of a sheet's notes, with the city's decision on it. (The figures are the
    week's, at its cut-off, the same for every version: they are on the sheet.)"""

    sheet = models.ForeignKey(ProgressSheet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    notes = models.JSONField(_("notes"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    late = models.BooleanField(_("late"), default=False)
    decision = models.CharField(_("decision"), max_length=12, choices=SheetStatus, blank=True)
    feedback = models.TextField(_("city's feedback"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("progress sheet version")
        verbose_name_plural = _("progress sheet versions")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="one_sheet_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.sheet} v{self.number}"


def _bulletin_path(instance: "Bulletin", filename: str) -> str:
    return f"bulletins/{instance.campaign_id}/{secrets.token_hex(8)}-{filename}"


class Bulletin(models.Model):
    """The city's published progress of every bureau for one week (进度通报): public, frozen,
    with its charts and files made once at publication. No personal data."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    week = models.CharField(_("week"), max_length=8)
    cutoff = models.DateTimeField(_("figures as of"))
    rows = models.JSONField(_("bureaus"))
    totals = models.JSONField(_("totals"))
    trend = models.JSONField(_("trend"))
    rate_svg = models.TextField()
    trend_svg = models.TextField()
    pdf = models.FileField(storage=private_storage, upload_to=_bulletin_path, blank=True)
    xlsx = models.FileField(storage=private_storage, upload_to=_bulletin_path, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-week"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "week"], name="one_bulletin_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.week}"
