"""Hostile and huge register files: refused with a clear message before they cost much, and
never an HTTP 500. What each costs in time and memory is measured by `make bench`."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from practitioners import imports, registerfile
from practitioners.registerfile import HEADERS, RegisterFileError
from tests.helpers import csv_bytes, make_records, xlsx_bytes

pytestmark = pytest.mark.django_db


def do_import(data: bytes, **kwargs):
    return imports.import_register(actor=None, data=data, filename="register", **kwargs)


def upload(client, user, data: bytes, name="register.csv"):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.post(
        reverse("business:register_import"), {"file": SimpleUploadedFile(name, data)}
    )


def zip_with(parts: dict[str, bytes], *, declare: dict[str, int] | None = None) -> bytes:
    """A zip archive of the parts (deflated); `declare` makes the directory state another
    uncompressed size for a part, as a hostile file may."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    data = out.getvalue()
    for name, size in (declare or {}).items():
        entry = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
        # The part's size in its central directory record (offset 24) and local header (22).
        index = data.find(b"PK\x01\x02")
        while index != -1:
            name_length = int.from_bytes(data[index + 28 : index + 30], "little")
            if data[index + 46 : index + 46 + name_length] == name.encode():
                data = data[: index + 24] + size.to_bytes(4, "little") + data[index + 28 :]
                break
            index = data.find(b"PK\x01\x02", index + 4)
        local = entry.header_offset
        data = data[: local + 22] + size.to_bytes(4, "little") + data[local + 26 :]
    return data


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def a_real_workbook(county, rows=2) -> bytes:
    return xlsx_bytes(
        [list(HEADERS)] + [registerfile.record_to_row(r) for r in make_records(county, rows)]
    )


def with_sheet(workbook: bytes, sheet: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    return zip_with(parts)


# --- Excel bombs ------------------------------------------------------------------------


def test_a_workbook_that_unpacks_to_a_gigabyte_is_refused_from_its_directory(county_a):
    """1 GiB of spaces deflates to about 1 MB; the directory says so, and that is enough."""
    bomb = zip_with(
        {"xl/worksheets/sheet1.xml": sheet_xml(""), "[Content_Types].xml": b""},
        declare={"xl/worksheets/sheet1.xml": (1 << 30) - 1},
    )
    with pytest.raises(RegisterFileError, match="unpacks to 1024.0"):
        do_import(bomb)


def test_a_genuine_bomb_of_spaces_is_refused_before_it_is_inflated(county_a):
    spaces = b" " * (300 * 1024 * 1024)  # 300 MB, deflated to ~300 KB
    bomb = with_sheet(a_real_workbook(county_a), sheet_xml("") + spaces)
    del spaces
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(RegisterFileError, match="unpacks to"):
        do_import(bomb)


def test_a_part_that_inflates_beyond_what_it_declares_is_damaged(county_a):
    """zipfile stops at the declared size and the CRC check fails: a clear file error."""
    workbook = a_real_workbook(county_a)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] += b" " * 5_000_000
    lying = zip_with(parts, declare={"xl/worksheets/sheet1.xml": 4096})
    with pytest.raises(RegisterFileError, match="damaged"):
        do_import(lying)


def test_a_row_of_many_thousand_cells_is_refused_while_it_is_scanned(county_a):
    cells = "".join(f'<c r="A1" t="inlineStr"><is><t>{n}</t></is></c>' for n in range(5000))
    with pytest.raises(RegisterFileError, match="columns"):
        do_import(with_sheet(a_real_workbook(county_a), sheet_xml(f'<row r="1">{cells}</row>')))


def test_a_cell_longer_than_excel_allows_is_refused(county_a):
    text = "会" * 40_000
    row = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    with pytest.raises(RegisterFileError, match="more than 32,767 characters"):
        do_import(with_sheet(a_real_workbook(county_a), sheet_xml(row)))


def test_entities_in_a_sheet_are_refused(county_a):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    with pytest.raises(RegisterFileError, match="damaged"):
        do_import(with_sheet(a_real_workbook(county_a), laughs))


def test_a_sheet_that_claims_a_million_rows_is_read_as_the_rows_it_has(county_a):
    workbook = a_real_workbook(county_a, rows=2)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<dimension ref="A1:Z3"/>', b'<dimension ref="A1:XFD1048576"/>'
    )
    result = do_import(zip_with(parts), dry_run=True)
    assert result.total_rows == 2 and result.ok


@pytest.mark.parametrize("reference", ["A1000000", "XFD2"])
def test_a_cell_far_away_is_refused_before_the_reader_makes_room_for_it(county_a, reference):
    workbook = a_real_workbook(county_a, rows=1)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    far = f'<row><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = xml.replace("</sheetData>", far + "</sheetData>").encode()
    with pytest.raises(RegisterFileError, match="rows|columns"):
        do_import(zip_with(parts))


def test_a_row_numbered_a_million_is_refused_not_walked_to(county_a):
    workbook = a_real_workbook(county_a, rows=1)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = xml.replace("</sheetData>", far + "</sheetData>").encode()
    with pytest.raises(RegisterFileError, match="more than 50,000 rows"):
        do_import(zip_with(parts))


# --- What used to be HTTP 500s -----------------------------------------------------------


def test_a_csv_field_over_131072_characters_is_a_file_error(client, admin_a, county_a):
    record = make_records(county_a, 1)[0] | {"address": "长" * 140_000}
    response = upload(client, admin_a, csv_bytes([record]))
    assert response.status_code == 400
    assert "longer than 131,072 characters" in response.context["form"].errors["file"][0]


def test_an_unterminated_quote_is_a_file_error(client, admin_a, county_a):
    data = csv_bytes(make_records(county_a, 2)) + b'"unterminated,' + b"x" * (128 * 1024)
    response = upload(client, admin_a, data)
    assert response.status_code == 400
    assert "quotation mark is not closed" in response.context["form"].errors["file"][0]


def test_a_workbook_cut_off_after_row_2_is_a_file_error(client, admin_a, county_a):
    workbook = a_real_workbook(county_a, rows=3)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = xml[: xml.find(b'<row r="3"')]
    response = upload(client, admin_a, zip_with(parts), name="register.xlsx")
    assert response.status_code == 400
    assert "damaged" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000, "nests lists or objects too deeply"),
        (b'[{"a": ' * 50_000, "nests lists or objects too deeply"),
        ('[{"姓名": 1}, 7]'.encode(), "Record 2 of the JSON file is not an object"),
        ('{"姓名": "张三"}'.encode(), "must hold a list of records"),
        (b"[{}] trailing", "not valid JSON: the error is at line 1, column 6"),
        (b'[\n{"a": 1}\n{"b": 2}\n]', "not valid JSON: the error is at line 3, column 1"),
        (b'[{"a": 1},]', "not valid JSON: the error is at line 1, column 10"),
        (b'[{"\xff": 1}]', "JSON file could not be read: it is not UTF-8 text"),
    ],
)
def test_hostile_json_is_a_file_error_that_says_why(db, data, message):
    with pytest.raises(RegisterFileError, match=message):
        do_import(data)


def test_a_json_file_of_more_rows_than_a_file_may_hold_is_refused(county_a, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 5
    too_many = "".join(registerfile.iter_json(make_records(county_a, 6))).encode()
    with pytest.raises(RegisterFileError, match="more than 5 rows"):
        do_import(too_many)
    enough = "".join(registerfile.iter_json(make_records(county_a, 5))).encode()
    assert do_import(enough, dry_run=True).ok


def test_a_json_bomb_of_empty_lists_is_refused_before_it_is_decoded(db):
    """30 MB of [],[],… would be 750 MB of Python lists; commas bound the values first."""
    bomb = b"[" + b"[]," * 10_000_000 + b"[]]"
    with pytest.raises(RegisterFileError, match="far more values than a register of 50,000"):
        do_import(bomb)


def test_json_objects_beyond_twice_the_rows_stop_the_decoding(db, settings):
    """Objects cost the most: a few rows holding many nested ones are refused as decoded."""
    settings.REGISTRY_IMPORT_MAX_ROWS = 5
    nested = b'[{"a": [' + b",".join([b"{}"] * 10) + b"]}]"
    with pytest.raises(RegisterFileError, match="far more values than a register of 5 rows"):
        do_import(nested)
    nested = b'[{"a": [' + b",".join([b"{}"] * 9) + b"]}]"
    result = do_import(nested, dry_run=True)  # read: one row, its required cells blank
    assert result.total_rows == 1 and not result.ok


# --- Huge reports, unknown and too many columns -----------------------------------------


def test_many_problems_show_the_first_ones_and_the_whole_report_downloads(
    client, admin_a, county_a
):
    bad = make_records(county_a, 300, mobile="12345")
    response = upload(client, admin_a, csv_bytes(bad))
    assert len(response.context["problems_shown"]) == 200
    html = response.content.decode()
    assert html.count("<tr><td>") <= 200
    report = response.context["report"]
    download = client.get(reverse("practitioners:import_problems", args=[report]))
    assert download["Content-Type"].startswith("text/csv")
    assert "no-store" in download["Cache-Control"]
    rows = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + 300 and rows[0] == "行号,列,值,原因"


def test_nobody_else_downloads_an_import_report(client, admin_a, admin_b, city_staff, county_a):
    response = upload(client, admin_a, csv_bytes(make_records(county_a, 2, mobile="12345")))
    url = reverse("practitioners:import_problems", args=[response.context["report"]])
    for other in (admin_b, city_staff):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_a_report_never_carries_a_live_formula(client, admin_a, county_a):
    bad = make_records(county_a, 1, mobile='=HYPERLINK("http://x","y")')
    response = upload(client, admin_a, csv_bytes(bad))
    download = client.get(
        reverse("practitioners:import_problems", args=[response.context["report"]])
    )
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_unknown_columns_are_reported_on_the_page(client, admin_a, county_a):
    text = csv_bytes(make_records(county_a, 1)).decode()
    header, rest = text.split("\r\n", 1)
    data = (header + ",备注,内部编号\r\n" + rest.replace("\r\n", ",x,y\r\n", 1)).encode()
    response = upload(client, admin_a, data)
    assert response.context["result"].unknown_headers == ["备注", "内部编号"]
    assert "备注、内部编号" in response.content.decode()


def test_ten_thousand_columns_are_refused(db):
    header = ",".join(list(HEADERS) + [f"列{n}" for n in range(10_000)])
    with pytest.raises(RegisterFileError, match="10,026 columns"):
        do_import((header + "\r\n").encode())


def test_more_rows_than_a_file_may_hold_are_refused(county_a, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 5
    with pytest.raises(RegisterFileError, match="more than 5 rows"):
        do_import(csv_bytes(make_records(county_a, 6)))
    assert do_import(csv_bytes(make_records(county_a, 5)), dry_run=True).ok


def test_an_empty_register_template_downloads(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("practitioners:import_template"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]] == list(HEADERS) and sheet.max_row == 1
