"""Writing register files: the export as CSV, XLSX or JSON, the import template (an XLSX whose
first sheet has the column names and whose second, 填写说明, an example and the values each
coded column takes), and an import's problems as CSV.

What is written reads back unchanged (columns.Column keeps each column's reader and writer
together), and no cell is ever a live formula to a spreadsheet (core.spreadsheets escapes
CSV cells and writes XLSX cells as text).
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from core import spreadsheets
from practitioners.constants import AbacusLevel, Education, Gender, IdType, TitleLevel
from practitioners.registerfile.columns import ALLOWED_VALUES, COLUMNS, HEADERS, format_date
from practitioners.registerfile.rows import Problem

FORMATS = ("xlsx", "csv", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def record_to_row(record: dict[str, Any]) -> list[Any]:
    """A register record (field -> value, with `bureau_code`) as the file's cells."""
    return [column.write(record.get(column.field)) for column in COLUMNS]


def iter_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text in pieces, starting with a BOM so that Excel on Chinese Windows reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, record in enumerate(records, 1):
        writer.writerow(spreadsheets.csv_row(record_to_row(record)))
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def iter_json(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of objects keyed by the Chinese column names, in pieces."""
    yield "["
    for count, record in enumerate(records):
        yield (
            ("," if count else "")
            + "\n"
            + json.dumps(dict(zip(HEADERS, record_to_row(record), strict=True)), ensure_ascii=False)
        )
    yield "\n]\n"


TEXT_FORMATS = {"csv": iter_csv, "json": iter_json}


def write_xlsx(records: Iterable[dict[str, Any]], out) -> None:
    """An XLSX workbook of the records (the export; the template is write_template), streamed
    by openpyxl's write-only mode so that a large export does not sit in memory as cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("会计从业人员")
    sheet.append(spreadsheets.xlsx_row(sheet, HEADERS, font=Font(bold=True)))
    for record in records:
        # Every cell is text: long numbers must not become floats, nor values formulas.
        sheet.append(spreadsheets.xlsx_row(sheet, record_to_row(record)))
    workbook.save(out)


# The template's example: a fictional person (the ID number and the credit code pass their
# checks, so the example shows what the import takes). It is on the 填写说明 sheet, which the
# import never reads: importing the template unchanged creates nobody.
EXAMPLE_RECORD: dict[str, Any] = {
    "name": "黄晓梅",
    "gender": Gender.FEMALE,
    "ethnicity": "壮族",
    "birth_date": datetime.date(1988, 3, 15),
    "id_type": IdType.RESIDENT_ID,
    "id_number": "450103198803150243",
    "cert_number": "450103110000123",
    "cert_issue_date": datetime.date(2011, 6, 30),
    "bureau_code": "450103",
    "education": Education.BACHELOR,
    "major": "会计学",
    "school": "广西财经学院",
    "graduation_date": datetime.date(2010, 7, 1),
    "title_level": TitleLevel.JUNIOR,
    "title_cert_number": "GX2014000123",
    "title_date": datetime.date(2014, 9, 20),
    "abacus_level": AbacusLevel.NONE,
    "has_computing_cert": True,
    "employer": "南宁市青秀区示例商贸有限公司",
    "employer_credit_code": "91450103MA5K3N7Q2K",
    "position": "会计",
    "in_accounting_post": True,
    "mobile": "13977123456",
    "email": "huangxiaomei@example.com",
    "address": "广西南宁市青秀区民族大道100号",
    "postcode": "530022",
}
GUIDE_SHEET = "填写说明"
_DATE_HEADERS = frozenset(c.header for c in COLUMNS if c.write is format_date)


def write_template(out) -> None:
    """The import template: the column names on the first sheet, the only one the import reads,
    and on the second (GUIDE_SHEET) an example row, which columns are required, how dates are
    written and the values of each coded column. The first sheet's coded columns offer their
    values as a drop-down list (a warning, not a refusal, for a value outside it: the import
    also reads the old system's other words)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会计从业人员"
    for number, header in enumerate(HEADERS, 1):
        spreadsheets.xlsx_text(sheet.cell(1, number), header).font = bold
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.cell(
        1,
        1,
        _(
            "Fill in the first sheet, one person a row below the column names; only the first sheet is imported. Below: an example row (a fictional person) and the values each coded column takes."
        ),
    )
    rows = [
        HEADERS,
        record_to_row(EXAMPLE_RECORD),
        [_("Required") if c.required else "" for c in COLUMNS],
        [
            _("A date: 2011-06-30 or 2011年6月30日") if c.header in _DATE_HEADERS else ""
            for c in COLUMNS
        ],
    ]
    for offset, row in enumerate(rows):
        for number, value in enumerate(row, 1):
            cell = spreadsheets.xlsx_text(guide.cell(3 + offset, number), value)
            if offset == 0:
                cell.font = bold
    top = 3 + len(rows) + 1
    guide.cell(top, 1, _("The values each coded column takes:")).font = bold
    for number, (header, words) in enumerate(ALLOWED_VALUES.items(), 1):
        spreadsheets.xlsx_text(guide.cell(top + 1, number), header).font = bold
        for index, word in enumerate(words):
            spreadsheets.xlsx_text(guide.cell(top + 2 + index, number), word)
        letter = get_column_letter(number)
        source = f"'{GUIDE_SHEET}'!${letter}${top + 2}:${letter}${top + 1 + len(words)}"
        validation = DataValidation(
            type="list", formula1=source, allow_blank=True, errorStyle="warning"
        )
        validation.error = _("Not one of the listed values; see the sheet 填写说明.")
        target = get_column_letter(HEADERS.index(header) + 1)
        validation.add(f"{target}2:{target}1048576")
        sheet.add_data_validation(validation)
    workbook.save(out)


def write_file(fmt: str, records: Iterable[dict[str, Any]], out) -> None:
    """Write records as `fmt` to `out` (a binary file for xlsx; text for csv and json)."""
    if fmt == "xlsx":
        write_xlsx(records, out)
        return
    for piece in TEXT_FORMATS[fmt](records):
        out.write(piece)


def write_problems(problems: Iterable[Problem], out) -> None:
    """The problems of an import as a CSV file (out: text, newline=""), for the bureau's Excel."""
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "值", "原因"])
    for p in problems:
        writer.writerow(spreadsheets.csv_row([p.row, p.column, p.value, p.reason]))
