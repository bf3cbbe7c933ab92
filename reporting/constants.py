from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    """A county's work plan (工作方案): filed with the city, which acknowledges or returns it."""

    FILED = "filed", _("Filed, awaiting the city")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged (filed for the record)")
    RETURNED = "returned", _("Returned for changes")


class SheetStatus(models.TextChoices):
    """A county's weekly progress sheet (进度表)."""

    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted, awaiting the city")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


# status -> statuses it may move to.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.FILED: frozenset({PlanStatus.FILED, PlanStatus.ACKNOWLEDGED, PlanStatus.RETURNED}),
    PlanStatus.RETURNED: frozenset({PlanStatus.FILED}),
    PlanStatus.ACKNOWLEDGED: frozenset(),
}
SHEET_TRANSITIONS: dict[str, frozenset[str]] = {
    SheetStatus.DRAFT: frozenset({SheetStatus.SUBMITTED}),
    SheetStatus.SUBMITTED: frozenset({SheetStatus.ACCEPTED, SheetStatus.RETURNED}),
    SheetStatus.RETURNED: frozenset({SheetStatus.SUBMITTED}),
    SheetStatus.ACCEPTED: frozenset(),
}

# The notes a county adds to its sheet, in form order.
SHEET_NOTES = ("staff", "counter_days", "problems", "next_week")

PLAN_MAX_BYTES = 20 * 1024 * 1024
PLAN_SUMMARY_MAX = 500
