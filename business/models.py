"""What a practitioner registers with the bureau after the collection is confirmed: on-post
registration (上岗注册) and continuing education (继续教育登记). A clerk of the practitioner's
bureau approves or returns each; records imported from before the system are approved already."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from business.constants import FIRST_EDUCATION_YEAR, RegistrationKind, RegistrationStatus, Source
from practitioners import fieldrules
from practitioners.models import Practitioner
from practitioners.validators import validate_credit_code, validate_plain_text


class Registration(models.Model):
    """What both registrations share: whose, and the decision of the practitioner's bureau
    (whichever it is now: a person moved takes their waiting registrations along)."""

    KIND: str = ""

    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("practitioner"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus,
        default=RegistrationStatus.SUBMITTED,
    )
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.ONLINE)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-submitted_at", "-id"]

    @property
    def kind(self) -> str:
        return self.KIND


class OnPostRegistration(Registration):
    """上岗注册: the practitioner works in an accounting post from a date."""

    KIND = RegistrationKind.ON_POST

    employer = models.CharField(_("employer"), max_length=100, validators=[validate_plain_text])
    employer_credit_code = models.CharField(
        _("employer credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    post = models.CharField(_("post"), max_length=32, validators=[validate_plain_text])
    start_date = models.DateField(_("in the post since"))

    class Meta(Registration.Meta):
        verbose_name = _("on-post registration")
        verbose_name_plural = _("on-post registrations")
        constraints = [
            # One waiting at a time: a second tab's is refused, never a duplicate.
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(status=RegistrationStatus.SUBMITTED),
                name="one_waiting_on_post_registration",
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="on_post_queue")]

    def __str__(self) -> str:
        return f"on-post {self.practitioner_id} {self.start_date}"

    def clean(self) -> None:
        super().clean()
        try:
            fieldrules.clean_date(self.start_date)  # the rule of the record's dates
        except ValidationError as exc:
            raise ValidationError({"start_date": exc.messages}) from None


class EducationRecord(Registration):
    """继续教育登记: hours of continuing education in a year, with the provider and content."""

    KIND = RegistrationKind.EDUCATION

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_EDUCATION_YEAR), MaxValueValidator(2100)]
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(500)],
    )
    provider = models.CharField(
        _("provider"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    content = models.CharField(
        _("content"), max_length=200, blank=True, validators=[validate_plain_text]
    )

    class Meta(Registration.Meta):
        verbose_name = _("continuing-education record")
        verbose_name_plural = _("continuing-education records")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="education_hours_positive")
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="education_queue")]

    def __str__(self) -> str:
        return f"education {self.practitioner_id} {self.year} {self.hours}h"

    def clean(self) -> None:
        super().clean()
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("The year cannot be in the future.")})


# Either registration: the base is abstract (no table, no manager), so code that reads a
# registration's own fields or asks its model's manager names the two it may be.
AnyRegistration = OnPostRegistration | EducationRecord

MODELS: dict[str, type[AnyRegistration]] = {
    RegistrationKind.ON_POST: OnPostRegistration,
    RegistrationKind.EDUCATION: EducationRecord,
}
