from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    """DESIGN §3.1. "Not started" is the absence of an application."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    CONFIRMED = "confirmed", _("Confirmed")


# status -> statuses it may move to. A submitted application may be revised (back to draft)
# or resubmitted until the counter confirms it; a confirmed one changes only through a
# ChangeRequest (a later step).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED}),
    ApplicationStatus.SUBMITTED: frozenset(
        {
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.RETURNED,
            ApplicationStatus.CONFIRMED,
        }
    ),
    ApplicationStatus.RETURNED: frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED}),
    ApplicationStatus.CONFIRMED: frozenset(),
}


# Applications still in the practitioner's or the counter's hands.
OPEN_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


# Fields a practitioner fills in, in form order, grouped into sections.
IDENTITY_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number")
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "identity",
        _("Identity"),
        ("name", "gender", "ethnicity", "birth_date", "id_type", "id_number"),
    ),
    ("certificate", _("Certificate"), ("cert_number", "cert_issue_date")),
    ("education", _("Education"), ("education", "major", "school", "graduation_date")),
    (
        "title",
        _("Title and skills"),
        ("title_level", "title_cert_number", "title_date", "abacus_level", "has_computing_cert"),
    ),
    (
        "employment",
        _("Employment"),
        ("employer", "employer_credit_code", "position", "in_accounting_post"),
    ),
    ("contact", _("Contact"), ("mobile", "email", "address", "postcode")),
)
APPLICATION_FIELDS: tuple[str, ...] = tuple(f for _k, _l, fields in SECTIONS for f in fields)
