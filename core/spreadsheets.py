"""Cells of every file people open in a spreadsheet: exports, error reports, later the reports.

A spreadsheet reads a cell that starts with = + - @ (or a tab or carriage return, which some
strip first) as a formula: an employer named `=HYPERLINK("http://x","y")` becomes a live link
in the bureau's Excel, and a formula can fetch data or run commands. Every value a person typed
goes through this module on its way into such a file:

- CSV cells get a leading apostrophe, the escape spreadsheets themselves use (OWASP's advice);
  the register import removes it again (`unescape`), so an exported file imports unchanged;
- XLSX cells are written as text cells with Excel's quote prefix: the value stays exactly as
  typed, shows as typed, and stays text when someone edits the cell.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_cell(value: Any) -> str:
    """A value as the text of a CSV cell that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_row(values: Iterable[Any]) -> list[str]:
    return [csv_cell(value) for value in values]


def unescape(text: str) -> str:
    """A CSV cell's text without the apostrophe csv_cell put before a formula-like value."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def xlsx_text(cell, value: Any):
    """Put a value in an openpyxl cell (normal or write-only) as text, never a formula.

    openpyxl takes any string starting with "=" for a formula: the cell is told it holds text,
    and one that looks like a formula gets Excel's quote prefix, so that it also stays text
    when someone edits it. Returns the cell.
    """
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values: Iterable[Any], *, font=None) -> list:
    """Write-only cells for one row of an openpyxl sheet: all text, none a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = xlsx_text(WriteOnlyCell(sheet), value)
        if font is not None:
            cell.font = font
        cells.append(cell)
    return cells


def write_table(
    headers: list[str], rows: Iterable[list[Any]], *, fmt: str, title: str
) -> tuple[bytes, int]:
    """A list for people to open (CSV with a BOM, so Excel reads it as UTF-8, or XLSX with one
    sheet named `title`), every cell as text: the file's bytes and its number of rows."""
    count = 0
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(headers))
        for row in rows:
            writer.writerow(csv_row(row))
            count += 1
        return ("\ufeff" + out.getvalue()).encode("utf-8"), count
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(xlsx_row(sheet, headers))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
