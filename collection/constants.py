from django.db import models
from django.utils.translation import gettext_lazy as _

from practitioners.constants import RECORD_FIELDS, RECORD_SECTIONS, Standing


class ApplicationStatus(models.TextChoices):
    """DESIGN §3.1. "Not started" is the absence of an application. The labels are the one
    vocabulary's (practitioners.constants.Standing): a submitted application is one waiting
    for the counter, and is called so everywhere."""

    DRAFT = "draft", Standing.DRAFT.label
    SUBMITTED = "submitted", Standing.WAITING.label
    RETURNED = "returned", Standing.RETURNED.label
    CONFIRMED = "confirmed", Standing.CONFIRMED.label
    # A change request that no longer changes anything (something else changed the record to
    # its values first): closed by the counter without an archive number or a print.
    CLOSED = "closed", _("Closed, nothing to change")


class ApplicationKind(models.TextChoices):
    """What an application asks for: the campaign's information collection (信息采集), or, once
    that is confirmed, a change of the confirmed record (信息变更), outside any campaign."""

    COLLECTION = "collection", _("Information collection")
    CHANGE = "change", _("Information change")


# status -> statuses it may move to. A submitted application may be revised (back to draft)
# or resubmitted until the counter confirms it; a confirmed one never changes again: later
# changes are new applications of kind CHANGE.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED}),
    ApplicationStatus.SUBMITTED: frozenset(
        {
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.RETURNED,
            ApplicationStatus.CONFIRMED,
            ApplicationStatus.CLOSED,
        }
    ),
    ApplicationStatus.RETURNED: frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED}),
    ApplicationStatus.CONFIRMED: frozenset(),
    ApplicationStatus.CLOSED: frozenset(),
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


# Fields a practitioner fills in: the record's, in form order, grouped into sections.
IDENTITY_FIELDS = ("name", "gender", "birth_date", "id_type", "id_number")
SECTIONS = RECORD_SECTIONS
APPLICATION_FIELDS: tuple[str, ...] = RECORD_FIELDS


class TallyFigure(models.TextChoices):
    """What the applications' tallies count per campaign and bureau (collection.tallies).

    The first four are the states a weekly sheet counts; each application is in exactly one.
    Their labels are the one vocabulary's (practitioners.constants.Standing).
    A returned application stays "returned" while it is edited, until it is submitted again.
    CONFIRMATIONS counts the counter's confirmations where they happened (a week's pace),
    which a later move of the person does not carry along; MOVED_IN and MOVED_OUT count the
    confirmed applications a move carried into and out of a bureau, so that a week's
    confirmations and moves add up to the change of its confirmed total.
    """

    DRAFT = "draft", Standing.DRAFT.label
    WAITING = "waiting", Standing.WAITING.label
    RETURNED = "returned", Standing.RETURNED.label
    CONFIRMED = "confirmed", Standing.CONFIRMED.label
    CONFIRMATIONS = "confirmations", _("Confirmations")
    MOVED_IN = "moved_in", _("Confirmed people moved in")
    MOVED_OUT = "moved_out", _("Confirmed people moved out")


# The figures that partition a campaign's applications by state (Application.counted_as).
TALLY_STATES = (
    TallyFigure.DRAFT,
    TallyFigure.WAITING,
    TallyFigure.RETURNED,
    TallyFigure.CONFIRMED,
)
# The figures that count what happened in a week rather than where applications stand.
TALLY_FLOWS = (TallyFigure.CONFIRMATIONS, TallyFigure.MOVED_IN, TallyFigure.MOVED_OUT)
