"""The register import carries business done before the system: 上岗日期 and 继续教育学时
columns become approved, imported records; a second import adds nothing; bad cells are row
problems like any other."""

import datetime
from decimal import Decimal

import pytest

from business import registerimport
from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from business.selectors import flagged
from practitioners import registerfile
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
