from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.models import Application, Submission
from confirmation.constants import PrintKind
from practitioners.models import Bureau, Practitioner


class ArchiveSequence(models.Model):
    """The last archive number issued per bureau and year; its row is locked while issuing."""

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("archive number sequence")
        verbose_name_plural = _("archive number sequences")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="one_sequence_per_bureau_year")
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id}/{self.year}: {self.last_number}"


class Confirmation(models.Model):
    """The counter's acceptance of an application: who, when, what was checked, what changed."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="confirmation"
    )
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="confirmations"
    )
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now, db_index=True)
    archive_number = models.CharField(_("archive number"), max_length=20, unique=True)
    checklist = models.JSONField(_("originals checked"), default=list)
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        indexes = [models.Index(fields=["bureau", "confirmed_at"], name="confirmation_day")]

    def __str__(self) -> str:
        return self.archive_number


class CounterReturn(models.Model):
    """A return at the counter, kept for the day's list (the application keeps only the latest)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        verbose_name = _("return at the counter")
        verbose_name_plural = _("returns at the counter")
        indexes = [models.Index(fields=["bureau", "returned_at"], name="counter_return_day")]

    def __str__(self) -> str:
        return f"return of {self.application_id} at {self.returned_at:%Y-%m-%d %H:%M}"


class CounterEdit(models.Model):
    """A slip corrected by the clerk at the counter, with the reason."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="counter_edits"
    )
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("correction at the counter")
        verbose_name_plural = _("corrections at the counter")

    def __str__(self) -> str:
        return f"{self.field} of {self.application_id} by {self.clerk_id}"


class PrintSettings(models.Model):
    """Where the confirmation record lands on the certificate booklet page, per bureau printer."""

    bureau = models.OneToOneField(Bureau, on_delete=models.CASCADE, related_name="print_settings")
    page_width_mm = models.DecimalField(
        _("page width (mm)"),
        max_digits=5,
        decimal_places=1,
        default=125,
        validators=[MinValueValidator(50), MaxValueValidator(297)],
    )
    page_height_mm = models.DecimalField(
        _("page height (mm)"),
        max_digits=5,
        decimal_places=1,
        default=88,
        validators=[MinValueValidator(50), MaxValueValidator(297)],
    )
    offset_x_mm = models.DecimalField(
        _("horizontal offset (mm)"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(-30), MaxValueValidator(30)],
        help_text=_("Positive moves the text right."),
    )
    offset_y_mm = models.DecimalField(
        _("vertical offset (mm)"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(-30), MaxValueValidator(30)],
        help_text=_("Positive moves the text down."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("print settings")
        verbose_name_plural = _("print settings")

    def __str__(self) -> str:
        return f"print settings of {self.bureau_id}"


class PrintLog(models.Model):
    """Every print of a confirmation record (and of the calibration page)."""

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+")
    confirmation = models.ForeignKey(
        Confirmation, on_delete=models.PROTECT, null=True, related_name="prints"
    )
    kind = models.CharField(max_length=12, choices=PrintKind)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-printed_at"]
        verbose_name = _("print log entry")
        verbose_name_plural = _("print log")

    def __str__(self) -> str:
        return f"{self.kind} {self.printed_at:%Y-%m-%d %H:%M}"
