"""Call lists: the people behind a figure, for a county to phone them (CSV or Excel).

ID numbers are masked: a call list is for calling, not for identifying. Every typed value
goes through core.spreadsheets, so no cell is a live formula.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import write_table
from practitioners.constants import return_reason_as_read
from reporting import selectors
from reporting.figures import DEFINITIONS

_CHUNK = 2000


def _headers() -> list[str]:
    return [
        _("Name"),
        _("ID number (masked)"),
        _("Certificate number"),
        _("Mobile"),
        _("Employer"),
        _("Status"),
        _("Since"),
        _("Reason for return"),
    ]


def _rows(campaign, people, figure: str):
    label = str(DEFINITIONS[figure].label)
    for start in range(0, people.count(), _CHUNK):
        chunk = list(people[start : start + _CHUNK])
        applications = selectors.applications_of(campaign=campaign, practitioners=chunk)
        for person in chunk:
            application = applications.get(person.pk)
            since = ""
            if application is not None:
                moment = (
                    application.returned_at
                    if figure == "returned"
                    else (application.submitted_at or application.updated_at)
                )
                since = timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""
            yield [
                person.name,
                person.masked_id_number,
                person.cert_number,
                person.mobile,
                person.employer,
                label,
                since,
                return_reason_as_read(application.return_reason)
                if application and figure == "returned"
                else "",
            ]


def write(*, campaign, people, figure: str, fmt: str) -> tuple[bytes, int]:
    """The call list's bytes and its number of people."""
    return write_table(
        _headers(), _rows(campaign, people, figure), fmt=fmt, title=str(DEFINITIONS[figure].label)
    )
