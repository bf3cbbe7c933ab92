"""Importing the old system's register file, and exporting it again."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from practitioners import imports, registerfile
from practitioners.models import AuditEvent, Practitioner
from practitioners.registerfile import RegisterFileError, parse_date
from tests.factories import person_values
from tests.helpers import csv_bytes, make_records, rows_as_csv, xlsx_bytes

pytestmark = pytest.mark.django_db


def do_import(data: bytes, **kwargs):
    return imports.import_register(actor=None, data=data, filename="register.csv", **kwargs)


# --- Encodings and formats ---------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False), ("utf-16", False)],
)
def test_csv_in_every_common_encoding_is_read_without_flags(county_a, encoding, bom):
    records = make_records(county_a, name="韦丽芳")
    result = do_import(csv_bytes(records, encoding=encoding, bom=bom))
    assert result.ok, result.problems
    assert result.created == 3
    assert Practitioner.objects.filter(name="韦丽芳", bureau=county_a).count() == 3


def test_xlsx_with_excel_dates_and_text_cells_is_read(county_a):
    record = person_values(county_a)
    header = [
        "姓名",
        "证件类型",
        "证件号码",
        "会计从业资格证号",
        "发证机关代码",
        "发证日期",
        "毕业时间",
        "手机",
    ]
    row = [
        record["name"],
        "居民身份证",
        record["id_number"],
        record["cert_number"],
        "450103",
        datetime.datetime(2011, 6, 30),
        40724,
        13977112233,
    ]
    result = do_import(xlsx_bytes([header, row]))
    assert result.ok, result.problems
    stored = Practitioner.objects.get(id_number=record["id_number"])
    assert stored.cert_issue_date == datetime.date(2011, 6, 30)
    assert stored.graduation_date == datetime.date(2011, 6, 30)  # Excel serial 40724
    assert stored.mobile == "13977112233"
    assert stored.birth_date == record["birth_date"]  # taken from the ID number
    assert stored.gender == record["gender"]


def test_id_number_stored_as_an_excel_number_is_refused_as_lossy(county_a):
    record = person_values(county_a)
    header = ["姓名", "证件类型", "证件号码", "会计从业资格证号", "发证机关代码"]
    row = [
        record["name"],
        "居民身份证",
        float(record["id_number"][:17] + "0"),
        record["cert_number"],
        "450103",
    ]
    result = do_import(xlsx_bytes([header, row]))
    assert not result.ok
    assert "Excel" in result.problems[0].reason


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2011-06-30", datetime.date(2011, 6, 30)),
        ("2011/6/30", datetime.date(2011, 6, 30)),
        ("2011年6月30日", datetime.date(2011, 6, 30)),
        ("20110630", datetime.date(2011, 6, 30)),
        ("2011.06.30", datetime.date(2011, 6, 30)),
        ("2011-06-30 00:00:00", datetime.date(2011, 6, 30)),
        ("2011-06", datetime.date(2011, 6, 1)),
        ("", None),
    ],
)
def test_dates_are_read_in_the_usual_chinese_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2011-02-30", "Not a real date."),
        ("30/06/2011", "Not a date; write it like 2011-06-30."),
        ("明年", "Not a date; write it like 2011-06-30."),
        ("1850-01-01", "This date is before 1900."),
        ("2100-01-01", "This date is in the future."),
    ],
)
def test_bad_dates_are_refused_with_the_reason(county_a, text, reason):
    rows = [
        {
            "姓名": "韦丽芳",
            "证件类型": "居民身份证",
            "证件号码": (record := person_values(county_a))["id_number"],
            "会计从业资格证号": record["cert_number"],
            "发证机关代码": "450103",
            "发证日期": text,
        }
    ]
    result = do_import(rows_as_csv(rows))
    assert [(p.column, p.value, p.reason) for p in result.problems] == [("发证日期", text, reason)]


def test_columns_may_come_in_any_order_and_unknown_ones_are_reported(county_a):
    record = person_values(county_a)
    rows = [
        {
            "备注": "x",
            "证件号码": record["id_number"],
            "姓名": record["name"],
            "发证机关代码": "450103",
            "会计从业资格证号": record["cert_number"],
            "证件类型": "身份证",
        }
    ]
    result = do_import(rows_as_csv(rows))
    assert result.ok, result.problems
    assert result.unknown_headers == ["备注"]
    assert result.created == 1


def test_json_export_can_be_imported(county_a):
    records = make_records(county_a)
    data = "".join(registerfile.iter_json(records)).encode()
    assert do_import(data).created == 3


# --- Bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \r\n  ", "empty"),
        (bytes(range(256)) * 10, "not a register file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04garbage", "could not be opened"),
        ("名字,号码\n张三,1\n".encode(), "Required columns are missing"),
        ("姓名,证件类型,证件号码,会计从业资格证号,发证机关代码\n".encode(), "no rows"),
        ("姓名,姓名,证件类型,证件号码,会计从业资格证号,发证机关代码\n".encode(), "appears twice"),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "xls",
        "broken-xlsx",
        "wrong-headers",
        "no-rows",
        "duplicate-header",
    ],
)
def test_unusable_files_are_refused_with_a_reason(db, data, message):
    with pytest.raises(RegisterFileError, match=message):
        do_import(data)


def test_missing_required_columns_are_all_named(db):
    with pytest.raises(RegisterFileError) as excinfo:
        do_import("姓名,性别\n张三,男\n".encode())
    for header in ("证件类型", "证件号码", "会计从业资格证号", "发证机关代码"):
        assert header in str(excinfo.value)


# --- All or nothing, skip-invalid, dry-run ----------------------------------------------------


def bad_and_good_file(county_a) -> bytes:
    good = make_records(county_a, count=2)
    bad_check = person_values(county_a)
    bad_check["id_number"] = bad_check["id_number"][:-1] + (
        "0" if bad_check["id_number"][-1] != "0" else "1"
    )
    bad_date = person_values(county_a, birth_date=datetime.date(1901, 1, 1))
    bad_mobile = person_values(county_a, mobile="12345")
    return csv_bytes(good + [bad_check, bad_date, bad_mobile])


def test_one_invalid_row_means_nothing_is_written_and_every_problem_is_listed(county_a):
    result = do_import(bad_and_good_file(county_a))
    assert not result.written
    assert Practitioner.objects.count() == 0
    assert [(p.row, p.column) for p in result.problems] == [
        (4, "证件号码"),
        (5, "出生日期"),
        (6, "手机"),
    ]
    assert all(p.reason for p in result.problems)


def test_skip_invalid_writes_the_valid_rows(county_a):
    result = do_import(bad_and_good_file(county_a), skip_invalid=True)
    assert result.written
    assert result.created == 2 and result.invalid_rows == 3
    assert Practitioner.objects.count() == 2


def test_dry_run_writes_nothing_but_counts(county_a):
    result = do_import(csv_bytes(make_records(county_a)), dry_run=True)
    assert result.ok and not result.written
    assert result.created == 3
    assert Practitioner.objects.count() == 0


def test_duplicates_inside_the_file_are_errors(county_a):
    first = person_values(county_a)
    same_id = dict(
        person_values(county_a),
        id_number=first["id_number"],
        birth_date=first["birth_date"],
        gender=first["gender"],
    )
    same_cert = dict(person_values(county_a), cert_number=first["cert_number"])
    result = do_import(csv_bytes([first, same_id, same_cert]))
    assert [p.row for p in result.problems] == [3, 4]
    assert "row 2" in result.problems[0].reason


def test_unknown_bureau_code_is_an_error(county_a):
    record = person_values(county_a, bureau_code="459999")
    result = do_import(csv_bytes([record]))
    assert result.problems[0].column == "发证机关代码"


def test_long_text_and_control_characters(county_a):
    result = do_import(csv_bytes([person_values(county_a, employer="公" * 10_000)]))
    assert result.problems[0].reason == "At most 100 characters (this has 10000)."
    # A control character is refused, as the forms refuse it, rather than silently dropped.
    result = do_import(csv_bytes([person_values(county_a, employer="南宁\x07公司")]))
    assert result.problems[0].reason.startswith("Remove the characters that cannot be printed")
    result = do_import(csv_bytes([person_values(county_a, employer="南宁\u200b公司\ufeff")]))
    assert result.ok
    assert Practitioner.objects.get().employer == "南宁公司"


def test_gender_disagreeing_with_the_id_number_is_an_error(county_a):
    record = person_values(county_a)
    record["gender"] = "F" if record["gender"] == "M" else "M"
    result = do_import(csv_bytes([record]))
    assert result.problems[0].column == "性别"


def test_invalid_credit_code_and_email_are_errors(county_a):
    result = do_import(
        csv_bytes(
            [
                person_values(county_a, employer_credit_code="91450100ABCDEFGHIJ"),
                person_values(county_a, email="not-an-email"),
            ]
        )
    )
    assert {p.column for p in result.problems} == {"统一社会信用代码", "电子邮箱"}


# --- Updates, idempotence, confirmed records -------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(county_a):
    data = csv_bytes(make_records(county_a, count=5))
    do_import(data)
    before = list(Practitioner.objects.values_list("id", "updated_at").order_by("id"))
    result = do_import(data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert list(Practitioner.objects.values_list("id", "updated_at").order_by("id")) == before


def test_a_row_for_an_existing_id_number_updates_it_and_is_audited(county_a):
    record = person_values(county_a)
    do_import(csv_bytes([record]))
    record["employer"] = "南宁市新单位有限公司"
    result = do_import(csv_bytes([record]))
    assert result.updated == 1
    stored = Practitioner.objects.get(id_number=record["id_number"])
    assert stored.employer == "南宁市新单位有限公司"
    event = AuditEvent.objects.filter(practitioner=stored, action="updated").get()
    assert [c["field"] for c in event.detail["changes"]] == ["employer"]
    assert event.detail["changes"][0]["new"] == "南宁市新单位有限公司"


def test_a_record_confirmed_at_the_counter_is_never_overwritten(county_a):
    record = person_values(county_a)
    do_import(csv_bytes([record]))
    Practitioner.objects.update(confirmed_at=timezone.now())
    record["employer"] = "别的单位"
    result = do_import(csv_bytes([record]))
    assert result.updated == 0
    assert result.skipped_confirmed == [(2, Practitioner.objects.get().masked_id_number)]
    assert Practitioner.objects.get().employer != "别的单位"


def test_missing_optional_columns_leave_stored_values_alone(county_a):
    record = person_values(county_a, employer="原单位")
    do_import(csv_bytes([record]))
    rows = [
        {
            "姓名": record["name"],
            "证件类型": "居民身份证",
            "证件号码": record["id_number"],
            "会计从业资格证号": record["cert_number"],
            "发证机关代码": "450103",
        }
    ]
    result = do_import(rows_as_csv(rows))
    assert result.unchanged == 1
    assert Practitioner.objects.get().employer == "原单位"


def test_certificate_number_of_another_person_is_an_error(county_a, practitioner_a):
    record = person_values(county_a, cert_number=practitioner_a.cert_number)
    result = do_import(csv_bytes([record]))
    assert result.problems[0].column == "会计从业资格证号"
    assert practitioner_a.masked_id_number in result.problems[0].reason


# --- Round trip ------------------------------------------------------------------------------------


def register_snapshot():
    fields = [
        f.attname
        for f in Practitioner._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    ]
    return sorted(Practitioner.objects.values_list(*fields))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_importing_an_export_reproduces_the_register_exactly(county_a, county_b, fmt, tmp_path):
    from practitioners.demo import demo_people

    records = list(demo_people(0, 60, ["450100", "450103", "450102"]))
    records.append(
        person_values(
            county_b,
            name="阿依古丽·买买提",
            ethnicity="维吾尔族",
            employer="",
            email="",
            abacus_level="master",
            title_level="professor",
        )
    )
    do_import(csv_bytes(records))
    before = register_snapshot()
    path = tmp_path / f"export.{fmt}"
    call_command("export_practitioners", "--format", fmt, "-o", str(path))
    Practitioner.objects.all().delete()
    call_command("import_practitioners", str(path))
    assert register_snapshot() == before
    assert len(before) == 61


def test_export_of_one_bureau_holds_only_its_people(
    county_a, county_b, practitioner_a, practitioner_b, tmp_path
):
    path = tmp_path / "a.json"
    call_command("export_practitioners", "--format", "json", "--bureau", "450103", "-o", str(path))
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [r["证件号码"] for r in rows] == [practitioner_a.id_number]


# --- The management command ------------------------------------------------------------------------


def test_command_fails_and_writes_an_error_file_beside_the_input(county_a, tmp_path, capsys):
    path = tmp_path / "register.csv"
    path.write_bytes(bad_and_good_file(county_a))
    with pytest.raises(CommandError, match="3 invalid rows"):
        call_command("import_practitioners", str(path))
    errors = (tmp_path / "register.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert errors.splitlines()[0] == "行号,列,值,原因"
    assert len(errors.splitlines()) == 4
    assert "row 4, 证件号码" in capsys.readouterr().err
    assert Practitioner.objects.count() == 0


def test_command_with_skip_invalid_succeeds(county_a, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(bad_and_good_file(county_a))
    call_command("import_practitioners", str(path), "--skip-invalid")
    assert Practitioner.objects.count() == 2


def test_command_reports_an_unreadable_file(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_practitioners", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_practitioners", str(tmp_path / "missing.csv"))
