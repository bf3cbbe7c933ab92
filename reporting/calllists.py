"""Call lists: the people behind a figure, for a county to phone them (CSV or Excel).

ID numbers are masked: a call list is for calling, not for identifying. Every typed value
goes through accounting_registry.spreadsheets, so no cell is a live formula.
"""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from accounting_registry.spreadsheets import csv_row, xlsx_row
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
                application.return_reason if application and figure == "returned" else "",
            ]


def write(*, campaign, people, figure: str, fmt: str) -> tuple[bytes, int]:
    """The call list's bytes and its number of people."""
    count = 0
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(_headers()))
        for row in _rows(campaign, people, figure):
            writer.writerow(csv_row(row))
            count += 1
        return ("\ufeff" + out.getvalue()).encode("utf-8"), count
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(DEFINITIONS[figure].label)[:31])
    sheet.append(xlsx_row(sheet, _headers()))
    for row in _rows(campaign, people, figure):
        sheet.append(xlsx_row(sheet, row))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
