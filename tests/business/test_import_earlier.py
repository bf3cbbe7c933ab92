"""The register import carries business done before the system: 上岗日期 and 继续教育学时
columns become approved, imported records; a second import adds nothing; bad cells are row
problems like any other."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from stdnum.cn import ric

from business import registerimport
from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from business.selectors import flagged
from practitioners import registerfile
from practitioners.constants import Gender
from practitioners.models import Practitioner
from tests.helpers import make_records

pytestmark = pytest.mark.django_db


def _file(records, extra):
    rows = []
    for record, more in zip(records, extra, strict=True):
        row = dict(zip(registerfile.HEADERS, registerfile.record_to_row(record), strict=True))
        row.update(more)
        rows.append(row)
    from tests.helpers import rows_as_csv

    return rows_as_csv(rows)


def test_earlier_records_are_imported_once_and_flag_the_unconfirmed(county_a):
    records = make_records(county_a, 3)
    data = _file(
        records,
        [
            {"上岗日期": "2015-03-01", "继续教育学时": "2023:24；2024:36"},
            {"上岗日期": "", "继续教育学时": "2024:12"},
            {"上岗日期": "", "继续教育学时": ""},
        ],
    )
    dry = registerimport.import_register(actor=None, data=data, dry_run=True)
    assert dry.earlier_records == 4 and not OnPostRegistration.objects.exists()

    result = registerimport.import_register(actor=None, data=data, filename="old.csv")
    assert result.written and result.created == 3 and result.earlier_records == 4
    first = Practitioner.objects.get(id_number=records[0]["id_number"])
    on_post = OnPostRegistration.objects.get()
    assert on_post.practitioner == first and on_post.start_date == datetime.date(2015, 3, 1)
    assert on_post.status == RegistrationStatus.APPROVED and on_post.source == Source.IMPORTED
    assert on_post.employer == records[0]["employer"]
    assert sorted(EducationRecord.objects.values_list("year", "hours")) == [
        (2023, Decimal("24.0")),
        (2024, Decimal("12.0")),
        (2024, Decimal("36.0")),
    ]
    assert {p.id_number for p in flagged(bureau=county_a)} == {
        records[0]["id_number"],
        records[1]["id_number"],
    }

    again = registerimport.import_register(actor=None, data=data, filename="old.csv")
    assert again.written and again.earlier_records == 0
    assert OnPostRegistration.objects.count() == 1 and EducationRecord.objects.count() == 3


@pytest.mark.parametrize("cell", ["24", "2024-24", "1999:24", "2024:0", "2024:9999", "二〇二四:24"])
def test_bad_education_cells_are_row_problems(county_a, cell):
    data = _file(make_records(county_a, 1), [{"上岗日期": "", "继续教育学时": cell}])
    result = registerimport.import_register(actor=None, data=data)
    assert not result.written
    assert [p.column for p in result.problems] == ["继续教育学时"]
    assert not Practitioner.objects.exists()


def test_a_year_given_twice_is_a_row_problem_naming_the_year(county_a):
    """2023:24；2023:36 once kept the first silently: the file must say which it means."""
    data = _file(make_records(county_a, 1), [{"上岗日期": "", "继续教育学时": "2023:24；2023:36"}])
    result = registerimport.import_register(actor=None, data=data)
    assert not result.written and not EducationRecord.objects.exists()
    [problem] = result.problems
    assert problem.column == "继续教育学时" and "2023" in problem.reason
    assert "twice" in problem.reason


@pytest.mark.parametrize("day", [datetime.timedelta(days=1), datetime.timedelta(days=365 * 80)])
def test_an_on_post_date_in_the_future_is_a_row_problem(county_a, day):
    start = (timezone.localdate() + day).isoformat()
    data = _file(make_records(county_a, 1), [{"上岗日期": start, "继续教育学时": ""}])
    result = registerimport.import_register(actor=None, data=data)
    assert not result.written and not OnPostRegistration.objects.exists()
    assert [(p.column, p.reason) for p in result.problems] == [
        ("上岗日期", "This date is in the future.")
    ]


def _born(county, birth: datetime.date) -> dict:
    """A person of `county` whose resident ID says they were born on `birth`."""
    base = f"{county.code}{birth:%Y%m%d}123"
    return make_records(
        county,
        1,
        id_number=base + ric.calc_check_digit(base),
        birth_date=birth,
        gender=Gender.MALE,
    )[0]


def test_business_before_the_birth_date_is_a_row_problem(county_a):
    """The birth date is the row's (given, or read from the resident ID): an on-post date or a
    year of continuing education before it cannot be, and the reason names the birth date."""
    records = [*make_records(county_a, 2), _born(county_a, datetime.date(2004, 5, 6))]
    births = [datetime.date.fromisoformat(str(r["birth_date"])) for r in records]
    data = _file(
        records,
        [
            {"上岗日期": (births[0] - datetime.timedelta(days=1)).isoformat(), "继续教育学时": ""},
            {"上岗日期": births[1].isoformat(), "继续教育学时": ""},
            {"上岗日期": "", "继续教育学时": "2024:12；2003:24"},
        ],
    )
    result = registerimport.import_register(actor=None, data=data)
    assert not result.written
    assert not OnPostRegistration.objects.exists() and not Practitioner.objects.exists()
    found = {(p.row, p.column): p.reason for p in result.problems}
    assert found == {
        (2, "上岗日期"): f"The on-post date is before the date of birth ({births[0].isoformat()}).",
        (3, "上岗日期"): f"The on-post date is before the date of birth ({births[1].isoformat()}).",
        (4, "继续教育学时"): "2003 is before the year of birth (2004).",
    }


def test_business_after_the_birth_date_is_imported(county_a):
    record = _born(county_a, datetime.date(2004, 5, 6))
    data = _file([record], [{"上岗日期": "2024-05-07", "继续教育学时": "2004:12"}])
    result = registerimport.import_register(actor=None, data=data)
    assert result.written and result.earlier_records == 2, list(result.problems)
