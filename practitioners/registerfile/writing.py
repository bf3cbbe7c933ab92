"""Writing register files: the export as CSV, XLSX or JSON, the import template (an empty
XLSX), and an import's problems as CSV.

What is written reads back unchanged (columns.Column keeps each column's reader and writer
together), and no cell is ever a live formula to a spreadsheet (core.spreadsheets escapes
CSV cells and writes XLSX cells as text).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from core import spreadsheets
from practitioners.registerfile.columns import COLUMNS, HEADERS
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
    """An XLSX workbook of the records (none: the import template), streamed by openpyxl's
    write-only mode so that a large export does not sit in memory as cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("会计从业人员")
    sheet.append(spreadsheets.xlsx_row(sheet, HEADERS, font=Font(bold=True)))
    for record in records:
        # Every cell is text: long numbers must not become floats, nor values formulas.
        sheet.append(spreadsheets.xlsx_row(sheet, record_to_row(record)))
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
