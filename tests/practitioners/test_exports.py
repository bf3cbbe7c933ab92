"""Exports never carry a live formula: reopened as CSV and as a workbook, every cell is text."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import spreadsheets
from practitioners import imports, services
from tests.factories import PractitionerFactory
from tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db

HOSTILE = {
    "employer": '=HYPERLINK("http://x","y")',
    "position": "+1+2",
    "school": "@SUM(1+1)",
    "major": "-2+3",
    "address": "=1+1 民族大道",
}


@pytest.fixture
def hostile(county_a):
    return PractitionerFactory(bureau=county_a, **HOSTILE)


def download(client, user, fmt) -> bytes:
    client.force_login(user)
    response = client.get(reverse("practitioners:export"), {"format": fmt})
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_csv_cells_that_look_like_formulas_are_escaped(client, admin_a, hostile):
    rows = list(csv.DictReader(io.StringIO(download(client, admin_a, "csv").decode("utf-8-sig"))))
    (row,) = rows
    assert row["工作单位"] == '\'=HYPERLINK("http://x","y")'
    assert row["职务"] == "'+1+2" and row["毕业院校"] == "'@SUM(1+1)" and row["所学专业"] == "'-2+3"
    assert row["通讯地址"].startswith("'")


def test_xlsx_cells_are_text_never_formulas(client, admin_a, hostile):
    data = download(client, admin_a, "xlsx")
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c for c in sheet[2]], strict=True))
    employer = values["工作单位"]
    assert employer.value == HOSTILE["employer"] and employer.data_type == "s"
    assert employer.quotePrefix  # stays text when someone edits the cell in Excel
    assert values["职务"].value == "+1+2" and values["毕业院校"].value == "@SUM(1+1)"


def test_an_escaped_export_imports_back_unchanged(county_a, hostile, tmp_path):
    out = io.StringIO()
    services.export_register(actor=None, fmt="csv", out=out, bureau=county_a)
    hostile.delete()
    result = imports.import_register(actor=None, data=out.getvalue().encode("utf-8"))
    assert result.written and result.created == 1
    from practitioners.models import Practitioner

    again = Practitioner.objects.get(id_number=hostile.id_number)
    for field, value in HOSTILE.items():
        assert getattr(again, field) == value


def test_the_helper_escapes_each_dangerous_first_character():
    for text in ("=1", "+1", "-1", "@a", "\t1", "\r1"):
        assert spreadsheets.csv_cell(text) == "'" + text
        assert spreadsheets.unescape(spreadsheets.csv_cell(text)) == text
    assert spreadsheets.csv_cell("南宁市") == "南宁市" and spreadsheets.csv_cell(None) == ""
    assert spreadsheets.unescape("'quoted") == "'quoted"  # not our escape: left alone


def test_csv_import_of_an_apostrophe_that_is_not_an_escape_keeps_it(county_a):
    from tests.helpers import make_records

    record = make_records(county_a, 1, employer="'Tis Ltd")[0]
    result = imports.import_register(actor=None, data=csv_bytes([record]))
    from practitioners.models import Practitioner

    assert result.written
    assert Practitioner.objects.get(id_number=record["id_number"]).employer == "'Tis Ltd"
