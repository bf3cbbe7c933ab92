"""core.spreadsheets.xlsx_text: a normal-mode openpyxl cell that is never a formula."""

import io
import zipfile

from openpyxl import Workbook, load_workbook

from core import spreadsheets

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1"]


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_formula_like_text_stays_text_as_typed():
    workbook = Workbook()
    sheet = workbook.active
    for row, value in enumerate(HOSTILE, start=1):
        cell = spreadsheets.xlsx_text(sheet.cell(row, 1), value)
        assert cell.data_type == "s" and cell.quotePrefix
    data = saved(workbook)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    again = load_workbook(io.BytesIO(data)).active
    for row, value in enumerate(HOSTILE, start=1):
        cell = again.cell(row, 1)
        # XML reads a carriage return back as a line feed: still text, still quoted.
        assert cell.value == value.replace("\r", "\n")
        assert cell.data_type == "s" and cell.quotePrefix


def test_other_values_become_plain_text():
    sheet = Workbook().active
    plain = spreadsheets.xlsx_text(sheet["A1"], "南宁市")
    assert plain.value == "南宁市" and not plain.quotePrefix
    assert spreadsheets.xlsx_text(sheet["A2"], None).value == ""
    number = spreadsheets.xlsx_text(sheet["A3"], 450102)
    assert number.value == "450102" and number.data_type == "s"


def test_write_only_rows_use_the_same_rule():
    sheet = Workbook(write_only=True).create_sheet()
    cells = spreadsheets.xlsx_row(sheet, ["=1+1", "text", None])
    assert [c.value for c in cells] == ["=1+1", "text", ""]
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    assert [bool(c.quotePrefix) for c in cells] == [True, False, False]
