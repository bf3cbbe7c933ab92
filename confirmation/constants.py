from django.db import models
from django.utils.translation import gettext_lazy as _

from practitioners.constants import ReturnReason  # noqa: F401  (the counter's reasons)

# The tick the clerk sets after comparing changed identity fields with the ID card.
IDENTITY_CHECKED = "identity_checked"


class PrintKind(models.TextChoices):
    FIRST = "first", _("First print")
    REPRINT = "reprint", _("Reprint")
    CALIBRATION = "calibration", _("Calibration page")
