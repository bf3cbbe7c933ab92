from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the bureau")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Source(models.TextChoices):
    ONLINE = "online", _("Registered online")
    IMPORTED = "imported", _("Imported earlier record")


class RegistrationKind(models.TextChoices):
    """The registrations a clerk approves or returns; the URL names them."""

    ON_POST = "on-post", _("On-post registration")
    EDUCATION = "education", _("Continuing education")


# The years a continuing-education record may be for.
FIRST_EDUCATION_YEAR = 2000


# The record's fields an approved on-post registration writes (business.services): an
# information change of any of them overlaps it, and both review screens say so.
ON_POST_RECORD_FIELDS = ("employer", "employer_credit_code", "position", "in_accounting_post")
