"""One rulebook per field of the record (practitioners.fieldrules): the register import, the
application form, the counter's correction, the staff form that adds a person and the on-post
registration give each value the same verdict, and store an accepted one the same way."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from business.forms import OnPostForm
from collection import rules
from practitioners import fieldrules, imports, registerfile, services
from practitioners.constants import RECORD_FIELDS, Gender, IdType, TitleLevel
from practitioners.demo import demo_people
from practitioners.forms import PractitionerForm
from practitioners.idnumbers import check_id_number
from practitioners.models import Bureau, Practitioner
from tests.factories import person_values
from tests.helpers import rows_as_csv

pytestmark = pytest.mark.django_db

REFUSED = object()
TODAY, TOMORROW = "<today>", "<tomorrow>"  # replaced by the dates of the day the test runs

ID = "450103199001010016"  # a man's resident ID number, born 1990-01-01
ID_X = "45010319900101018X"  # one whose check character is X
CREDIT_CODE = "91450100MA5KXXXX13"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")

CASES: list[tuple[str, str, Any]] = [
    ("name", "张三", "张三"),
    ("name", " 张三 ", "张三"),
    ("name", "张三1", REFUSED),  # the form took it, the import did not
    ("name", "张三１", REFUSED),  # a full-width digit: both took it
    ("name", "李四😀", REFUSED),  # the import took it, the form did not
    ("name", "阿依古丽·买买提", "阿依古丽·买买提"),
    ("name", "O'Neil", "O'Neil"),
    ("name", "𠮷野家", "𠮷野家"),
    ("name", "张\u200b三", "张三"),  # the import took it, the form did not
    ("name", "张三\x07", REFUSED),  # the import dropped the character silently
    ("name", "张@三", REFUSED),
    ("name", "韦" * 50, "韦" * 50),
    ("name", "韦" * 51, REFUSED),
    ("major", "会计学", "会计学"),
    ("major", "会" * 64, "会" * 64),
    ("major", "会" * 65, REFUSED),
    ("school", "广西大学\n相思湖学院", "广西大学 相思湖学院"),
    ("school", "广西大学\u202e", REFUSED),  # a right-to-left override
    ("employer", "南宁市绿城商贸有限公司", "南宁市绿城商贸有限公司"),
    ("employer", "南宁\u200b公司\ufeff", "南宁公司"),
    ("employer", "南宁😀公司", REFUSED),
    ("employer", '=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
    ("employer", "公" * 100, "公" * 100),
    ("employer", "公" * 101, REFUSED),
    ("position", "会计\t主管", "会计 主管"),
    ("position", "会" * 32, "会" * 32),
    ("position", "会" * 33, REFUSED),
    ("address", "南宁市\t民族大道\n100号", "南宁市 民族大道 100号"),  # the form refused both
    ("address", "民族大道 \r\n 100号", "民族大道 100号"),
    ("address", "民族大道  100号", "民族大道  100号"),  # spaces alone are kept as typed
    ("address", "民族大道\u2028100号", "民族大道 100号"),
    ("address", "民族大道\x0b100号", "民族大道 100号"),
    ("address", "广" * 200, "广" * 200),
    ("address", "广" * 201, REFUSED),
    ("email", "user@example.com", "user@example.com"),
    ("email", " first.last+tag@sub.example.cn ", "first.last+tag@sub.example.cn"),
    ("email", "a..b@x.com", REFUSED),  # the import's quick check took it
    ("email", "张@例子.中国", REFUSED),
    ("email", "a@例子.中国", "a@例子.中国"),
    ("email", "user@example", REFUSED),
    ("email", "user@exa_mple.com", REFUSED),
    ("email", "a" * 88 + "@example.com", "a" * 88 + "@example.com"),
    ("email", "a" * 89 + "@example.com", REFUSED),
    ("id_number", ID, ID),
    ("id_number", ID.translate(FULL_WIDTH), ID),
    ("id_number", "4501 0319 9001 0100 16", ID),
    ("id_number", ID_X.lower(), ID_X),
    ("id_number", ID_X.translate(FULL_WIDTH), ID_X),
    ("id_number", ID + "\u200b", ID),
    ("id_number", ID[:-1] + "3", REFUSED),  # the check digit
    ("id_number", ID[:-1], REFUSED),
    ("id_number", ID + "1234", REFUSED),
    ("cert_number", "450103110000001", "450103110000001"),
    ("cert_number", "４５０１０３１１", "45010311"),
    ("cert_number", "gx 2011 001", "GX2011001"),
    ("cert_number", "G" * 30, "G" * 30),
    ("cert_number", "G" * 31, REFUSED),
    ("cert_number", "GX\x07001", REFUSED),
    ("title_cert_number", "GX2012 00001", "GX201200001"),  # the form kept it as typed
    ("title_cert_number", "ｇｘ２０１２", "GX2012"),
    ("title_cert_number", "桂财会2011第001号", "桂财会2011第001号"),
    ("title_cert_number", "T" * 30, "T" * 30),
    ("title_cert_number", "T" * 31, REFUSED),
    ("title_cert_number", "GX😀", REFUSED),
    ("employer_credit_code", CREDIT_CODE, CREDIT_CODE),
    ("employer_credit_code", CREDIT_CODE.lower(), CREDIT_CODE),
    (
        "employer_credit_code",
        "９１４５０１００ＭＡ５ＫＸＸＸＸ１３",
        CREDIT_CODE,
    ),  # the form refused it
    ("employer_credit_code", "9145 0100 MA5K XXXX 13", CREDIT_CODE),
    ("employer_credit_code", CREDIT_CODE[:-1] + "4", REFUSED),
    ("employer_credit_code", CREDIT_CODE[:-1], REFUSED),
    ("mobile", "13977123456", "13977123456"),
    ("mobile", "+86 139 7712 3456", "13977123456"),
    ("mobile", "１３９７７１２３４５６", "13977123456"),
    ("mobile", "139-7712-3456", "13977123456"),
    ("mobile", "8613977123456", "13977123456"),
    ("mobile", "12345", REFUSED),
    ("mobile", "139771234567", REFUSED),
    ("mobile", "23977123456", REFUSED),
    ("postcode", "530022", "530022"),
    ("postcode", "５３００２２", "530022"),  # the import refused it
    ("postcode", "530 022", "530022"),  # the import refused it
    ("postcode", "53002", REFUSED),
    ("postcode", "53002a", REFUSED),
    ("gender", "M", "M"),
    ("gender", "m", "M"),
    ("gender", "X", REFUSED),
    ("ethnicity", "汉族", "汉族"),
    ("ethnicity", "汉", "汉族"),  # the form refused it
    ("ethnicity", "壮 族", "壮族"),
    ("ethnicity", "火星族", REFUSED),
    ("id_type", "passport", "passport"),
    ("id_type", "badge", REFUSED),
    ("education", "bachelor", "bachelor"),
    ("education", "BACHELOR", "bachelor"),
    ("education", "phd", REFUSED),
    ("title_level", "senior", "senior"),
    ("title_level", "boss", REFUSED),
    ("abacus_level", "", ""),
    ("abacus_level", "master", "master"),
    ("abacus_level", "MASTER", "master"),
    ("abacus_level", "9", REFUSED),
    ("has_computing_cert", "是", True),
    ("has_computing_cert", "无", False),
    ("has_computing_cert", "yes", True),
    ("has_computing_cert", "on", True),  # the import refused it
    ("in_accounting_post", "否", False),
    ("in_accounting_post", "TRUE", True),
    ("in_accounting_post", "0", False),
    ("in_accounting_post", "也许", REFUSED),
    ("birth_date", "1900-01-01", datetime.date(1900, 1, 1)),
    ("birth_date", "1899-12-31", REFUSED),
    ("birth_date", TOMORROW, REFUSED),
    ("cert_issue_date", "2011-06-30", datetime.date(2011, 6, 30)),
    ("cert_issue_date", "2011年6月30日", datetime.date(2011, 6, 30)),  # the form refused it
    ("cert_issue_date", "２０１１年６月３０日", datetime.date(2011, 6, 30)),
    ("cert_issue_date", "2011/6/30", datetime.date(2011, 6, 30)),
    ("cert_issue_date", "2011.6.30", datetime.date(2011, 6, 30)),
    ("cert_issue_date", "20110630", datetime.date(2011, 6, 30)),
    ("cert_issue_date", "2011年6月", datetime.date(2011, 6, 1)),
    ("cert_issue_date", TODAY, TODAY),
    ("cert_issue_date", TOMORROW, REFUSED),
    ("cert_issue_date", "2100-01-01", REFUSED),  # the import took it
    ("cert_issue_date", "2011-02-30", REFUSED),
    ("cert_issue_date", "30/06/2011", REFUSED),
    ("graduation_date", "1850-01-01", REFUSED),
    ("graduation_date", "1990年7月1日", datetime.date(1990, 7, 1)),
    ("title_date", "2012-12-01", datetime.date(2012, 12, 1)),
]
assert {field for field, _raw, _expected in CASES} == set(RECORD_FIELDS), "a table for each field"

HEADER_OF = {column.field: column.header for column in registerfile.COLUMNS}
# The on-post registration's fields that are the record's.
ON_POST_FIELD = {
    "employer": "employer",
    "employer_credit_code": "employer_credit_code",
    "position": "post",
    **dict.fromkeys(fieldrules.DATE_FIELDS, "start_date"),
}


@dataclass
class Verdict:
    accepted: bool
    value: Any = None
    messages: tuple[str, ...] = ()


def base_record(county: Bureau, field: str) -> dict[str, Any]:
    """A valid person whose other fields leave `field` alone: no title, not in a post, and a
    passport (a resident ID would compare its birth date and gender with the record's)."""
    values = person_values(
        county,
        title_level=TitleLevel.NONE,
        title_cert_number="",
        title_date=None,
        in_accounting_post=False,
    )
    if field == "id_number":
        return values  # the number of the row is the case's, its birth date and gender blank
    return values | {"id_type": IdType.PASSPORT, "id_number": "E12345678", "gender": Gender.MALE}


def via_import(county, field, raw) -> Verdict:
    record = base_record(county, field)
    row = dict(zip(registerfile.HEADERS, registerfile.record_to_row(record), strict=True))
    row[HEADER_OF[field]] = raw
    if field == "id_number":
        row[HEADER_OF["birth_date"]] = row[HEADER_OF["gender"]] = ""
    with transaction.atomic():  # rolled back: the other paths meet an empty register
        result = imports.import_register(actor=None, data=rows_as_csv([row]))
        if result.problems:
            assert {p.column for p in result.problems} == {HEADER_OF[field]}, result.problems
            return Verdict(False, messages=tuple(p.reason for p in result.problems))
        value = getattr(Practitioner.objects.get(), field)
        transaction.set_rollback(True)
    return Verdict(True, value)


def _id_rule(field, value) -> Verdict:
    """The ID number's rule, which needs the ID type: record_errors, as a submission has it."""
    if field == "id_number":
        found = rules.record_errors(
            {"id_type": IdType.RESIDENT_ID, "id_number": value}, practitioner=Practitioner()
        )
        if "id_number" in found:
            return Verdict(False, messages=tuple(found["id_number"]))
    return Verdict(True, value)


def via_application_form(county, field, raw) -> Verdict:
    try:
        value = rules.field(field).clean(raw)
    except ValidationError as exc:
        return Verdict(False, messages=tuple(exc.messages))
    return _id_rule(field, value)


def via_counter(county, field, raw) -> Verdict:
    try:
        value = rules.read_text(field, raw)
    except ValidationError as exc:
        return Verdict(False, messages=tuple(exc.messages))
    return _id_rule(field, value)


def _form_value(value) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def via_staff_form(county, field, raw) -> Verdict:
    record = base_record(county, field)
    data = {name: _form_value(record[name]) for name in RECORD_FIELDS}
    data = {name: value for name, value in data.items() if value is not False}
    data.update({"bureau": county.code, field: raw})
    if field == "id_number":
        data["birth_date"] = ""
        data["gender"] = check_id_number(raw).gender or Gender.MALE
    form = PractitionerForm(data, bureaus=Bureau.objects.filter(pk=county.pk))
    # Refused: the field's own error (a refused ID type also brings the model's complaint
    # about the ID number, checked against the default type); accepted: the whole form valid.
    if field in form.errors:
        return Verdict(False, messages=tuple(form.errors[field]))
    assert form.is_valid(), form.errors
    return Verdict(True, form.cleaned_data[field])


def via_on_post_form(county, field, raw) -> Verdict:
    name = ON_POST_FIELD[field]
    data = {"employer": "南宁市绿城商贸有限公司", "post": "会计", "start_date": "2020-01-01"}
    form = OnPostForm({**data, name: raw})
    if name in form.errors:
        return Verdict(False, messages=tuple(form.errors[name]))
    assert form.is_valid(), form.errors
    return Verdict(True, form.cleaned_data[name])


def paths(field: str) -> dict:
    found = {"import": via_import, "counter": via_counter}
    if field not in fieldrules.YES_NO_FIELDS:  # a form's tick box, not words
        found.update(application=via_application_form, staff=via_staff_form)
    if field in ON_POST_FIELD:
        found["on-post registration"] = via_on_post_form
    return found


def _on_the_day(value):
    today = timezone.localdate()
    days = {TODAY: today, TOMORROW: today + datetime.timedelta(days=1)}
    return days.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    "field, raw, expected", CASES, ids=[f"{f}-{n}" for n, (f, _r, _e) in enumerate(CASES)]
)
def test_every_path_gives_a_value_the_same_verdict_and_stores_it_the_same_way(
    county_a, field, raw, expected
):
    raw = _on_the_day(raw)
    if isinstance(raw, datetime.date):
        raw = raw.isoformat()
    expected = _on_the_day(expected)
    verdicts = {name: judge(county_a, field, raw) for name, judge in paths(field).items()}
    for name, verdict in verdicts.items():
        if expected is REFUSED:
            assert not verdict.accepted, (name, verdict)
        else:
            assert verdict.accepted, (name, verdict)
            assert verdict.value == expected, (name, verdict)
    if expected is REFUSED and field not in fieldrules.CHOICE_FIELDS:
        # The same words too (a choice's differ: the file names its own words, a form its
        # list). The first message only: the staff form adds the model's "ID number is
        # required." to a number its field refused, which the model then never saw.
        assert len({v.messages[0] for v in verdicts.values()}) == 1, verdicts


def test_a_too_long_value_is_said_in_the_same_words_by_the_import_and_the_form(county_a):
    verdict = via_import(county_a, "employer", "公" * 101)
    assert verdict.messages == ("At most 100 characters (this has 101).",)
    assert via_application_form(county_a, "employer", "公" * 101) == verdict


def test_the_yes_no_words_of_the_counter_are_the_import_words():
    for word, value in fieldrules.YES_NO_WORDS.items():
        assert rules.read_text("in_accounting_post", word.lower()) is value
        assert fieldrules.clean("has_computing_cert", f" {word} ") is value
    for written in ("是", "否", "有", "无"):  # what the register file's export writes
        assert written in fieldrules.YES_NO_WORDS


def test_the_html_date_input_and_a_typed_chinese_date_are_both_read_by_the_form():
    field = rules.field("birth_date")
    assert field.clean("1990-01-01") == field.clean("1990年1月1日") == datetime.date(1990, 1, 1)
    with pytest.raises(ValidationError, match="Not a date"):
        field.clean("January 1990")


def test_cleaning_a_stored_value_again_changes_nothing():
    """What the rules stored, they accept unchanged: the ground of an export importing back."""
    for field, raw, expected in CASES:
        if expected is REFUSED or raw in (TODAY, TOMORROW):
            continue
        stored = fieldrules.clean(field, raw)
        assert fieldrules.clean(field, stored) == stored, (field, raw)


def test_the_demo_generators_people_pass_every_rule_unchanged():
    for person in demo_people(0, 3000, ["450100", "450103", "450102"]):
        for field in RECORD_FIELDS:
            assert fieldrules.clean(field, person[field]) == person[field], (field, person)
        assert check_id_number(person["id_number"]).ok


# The import's quick check of an email, examples of everything it accepts: Django accepts each.
@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.from_regex(fieldrules._PLAIN_EMAIL, fullmatch=True))
def test_every_email_the_quick_check_accepts_django_accepts(address):
    validate_email(address)


# --- Export, import -------------------------------------------------------------------------


def edge_records(county_a, county_b) -> list[dict[str, Any]]:
    """People at the edges of each rule, as a register file holds them (typed full-width, with
    zero-width characters and line breaks, which the import normalises)."""
    pattern = "广西民族大学 相思湖学院会计系（函授），本科"
    longest = {
        name: (pattern * 20)[: Practitioner._meta.get_field(name).max_length - 1] + "学"
        for name in ("major", "school", "employer", "position", "address")
    }
    return [
        person_values(
            county_a,
            name="韦" * 50,
            **longest,
            email="a" * 88 + "@example.com",
            cert_number="C" * 30,
            title_level=TitleLevel.PROFESSOR,
            title_cert_number="T" * 30,
            title_date=datetime.date(2010, 1, 1),
            abacus_level="master",
            ethnicity="外国血统中国籍人士",
            employer_credit_code=CREDIT_CODE,
        ),
        person_values(
            county_a,
            name="阿依古丽·买买提",
            ethnicity="维吾尔族",
            mobile="+86 １３９ ７７１２ ３４５６",
            postcode="５３００２２",
            employer_credit_code="９１４５０１００ｍａ５ｋｘｘｘｘ１３",
            title_level=TitleLevel.JUNIOR,
            title_cert_number="gx 2012 00001",
            employer="南宁\u200b绿城\n商贸公司",
            address="南宁市\t民族大道\r\n100号",
            email="a@例子.中国",
        ),
        person_values(
            county_b,
            name="O'Neil",
            employer='=HYPERLINK("http://x","y")',
            position="+1",
            school="@广西大学",
            major="-会计",
            address="'民族大道",
            abacus_level="",
            in_accounting_post=False,
            has_computing_cert=False,
        ),
        person_values(
            county_b,
            name="𠮷野家",
            id_type=IdType.PASSPORT,
            id_number="E12345678",
            gender=Gender.FEMALE,
            birth_date=datetime.date(1900, 1, 1),
            cert_issue_date=timezone.localdate(),
            education="",
            title_level=TitleLevel.NONE,
            title_cert_number="",
            title_date=None,
        ),
    ]


def register() -> list[tuple]:
    fields = ["bureau__code", *RECORD_FIELDS]
    return sorted(Practitioner.objects.values_list(*fields))


@pytest.fixture
def edge_register(county_a, county_b, practitioner_a, account_a, with_photo, clerk_a):
    """The edge records imported, two of them then confirmed as if at the counter, and one
    person confirmed at the counter with an application typed at the edges."""
    from collection import diff
    from collection import services as collection_services
    from collection.forms import ApplicationForm
    from tests.helpers import confirm

    records = edge_records(county_a, county_b)
    data = "".join(registerfile.iter_csv(records)).encode()
    result = imports.import_register(actor=None, data=data)
    assert result.ok and result.created == len(records), result.problems
    Practitioner.objects.filter(name__in=["O'Neil", "𠮷野家"]).update(confirmed_at=timezone.now())

    typed = {
        "name": "  韦丽芳\u200b ",
        "mobile": "+86 １３９ ７７１２ ３４５６",
        "postcode": "５３００ ２２",
        "employer": "南宁市\n" + "公" * 96,
        "employer_credit_code": CREDIT_CODE.lower(),
        "address": "民族大道\t100号\r\n2单元",
        "title_level": TitleLevel.SENIOR,
        "title_cert_number": "ｇｘ 2012 001",
        "title_date": "2012年12月1日",
        "cert_issue_date": "2011/6/30",
        "email": "a@例子.中国",
    }
    values = {
        name: value
        for name, value in diff.record_values(practitioner_a).items()
        if value is not False
    }
    revision = practitioner_a.applications.get().revision
    form = ApplicationForm(
        {**values, **typed, "in_accounting_post": "on", "revision": revision},
        practitioner=practitioner_a,
    )
    assert form.is_valid(), form.errors
    collection_services.submit_application(
        practitioner=practitioner_a, actor=account_a, values=form.cleaned_data, revision=revision
    )
    confirm(practitioner_a.applications.get(), clerk_a)
    practitioner_a.refresh_from_db()
    assert practitioner_a.confirmed_at and practitioner_a.employer == "南宁市 " + "公" * 96
    assert practitioner_a.mobile == "13977123456"
    return register()


def empty_the_register() -> None:
    from collection.models import Application, Photo, Submission
    from confirmation.models import Confirmation

    for model in (Confirmation, Submission, Application, Photo, Practitioner):
        model.objects.all().delete()


@pytest.mark.parametrize("fmt", registerfile.FORMATS)
def test_an_export_imports_back_unchanged_and_into_an_empty_register_the_same(edge_register, fmt):
    import io

    out = io.BytesIO() if fmt == "xlsx" else io.StringIO()
    count = services.export_register(actor=None, fmt=fmt, out=out)
    data = out.getvalue() if fmt == "xlsx" else out.getvalue().encode("utf-8")
    assert count == len(edge_register) == 5

    result = imports.import_register(actor=None, data=data)
    assert not result.problems, list(result.problems)
    assert (result.unchanged, result.created, result.updated) == (5, 0, 0)
    assert result.skipped_confirmed == []
    assert register() == edge_register

    empty_the_register()
    result = imports.import_register(actor=None, data=data)
    assert not result.problems and result.created == 5
    assert register() == edge_register
