"""What every reporting act shares: its refusals and the checks of a revision, a transition
and the city's decision."""

from django.utils.translation import gettext as _

from reporting.models import (
    ProgressSheet,
    WorkPlan,
)


class ReportingError(Exception):
    """A refusal with the reason the user sees."""


class ChangedMeanwhile(ReportingError):
    """The plan or sheet changed since the form was opened."""


def check_revision(obj: WorkPlan | ProgressSheet, revision: int | None) -> None:
    if revision is None or obj.revision != revision:
        raise ChangedMeanwhile(
            _("This was changed by someone else since you opened the page. Check it and try again.")
        )


def move(obj: WorkPlan | ProgressSheet, to: str, transitions: dict[str, frozenset[str]]) -> None:
    if to not in transitions[obj.status]:
        raise ReportingError(
            _("It is %(status)s and can no longer be changed that way.")
            % {"status": obj.get_status_display()}
        )
    obj.status = to


def checked_decision(
    decision: str, note: str, *, allowed: tuple, returned: str, choose: str, explain: str
) -> str:
    """The city's decision is one of `allowed`, and a return says why; the note, stripped."""
    note = note.strip()
    if decision not in allowed:
        raise ReportingError(choose)
    if decision == returned and not note:
        raise ReportingError(explain)
    return note
