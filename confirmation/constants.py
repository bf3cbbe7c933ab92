from django.db import models
from django.utils.translation import gettext_lazy as _

# The tick the clerk sets after comparing changed identity fields with the ID card.
IDENTITY_CHECKED = "identity_checked"


class ReturnReason(models.TextChoices):
    """Standard reasons for returning an application; free text may be added."""

    PHOTO = "photo", _("The photo does not meet the requirements")
    SEAL = "seal", _("The form lacks the employer's seal")
    ORIGINALS = "originals", _("Originals missing or not matching")
    IDENTITY = "identity", _("Identity data do not match the ID card")
    EDUCATION = "education", _("Education data do not match the certificate")
    OTHER = "other", _("Other (see the note)")


class PrintKind(models.TextChoices):
    FIRST = "first", _("First print")
    REPRINT = "reprint", _("Reprint")
    CALIBRATION = "calibration", _("Calibration page")
