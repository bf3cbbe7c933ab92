"""The import speaks the register's language both ways (step 12): the template shows an example
and the values of each coded column, yes/no goes in and comes out as 是/否, and a date the
import reads (2011年6月30日) the forms read too."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from collection.models import Application
from practitioners import fieldrules, imports, registerfile
from practitioners.constants import ETHNIC_GROUPS
from practitioners.models import Practitioner
from practitioners.registerfile.columns import ALLOWED_VALUES, BY_HEADER, CellError
from practitioners.registerfile.writing import EXAMPLE_RECORD, GUIDE_SHEET
from tests.collection.test_application import FORM, current_revision, form_data
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

CODED = ("性别", "民族", "证件类型", "学历", "职称", "珠算等级", "会计电算化证", "是否在岗")


def template_bytes(client, user) -> bytes:
    client.force_login(user)
    response = client.get(reverse("practitioners:import_template"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def guide_rows(data: bytes) -> list[list]:
    guide = load_workbook(io.BytesIO(data))[GUIDE_SHEET]
    return [[c.value for c in row] for row in guide.iter_rows()]


# --- The template -----------------------------------------------------------------------------


def test_the_template_has_an_example_row_that_the_import_reads_cleanly(client, admin_a):
    rows = guide_rows(template_bytes(client, admin_a))
    at = next(
        i
        for i, row in enumerate(rows)
        if row[: len(registerfile.HEADERS)] == list(registerfile.HEADERS)
    )
    example = rows[at + 1][: len(registerfile.HEADERS)]
    assert example[0] == EXAMPLE_RECORD["name"]
    assert example[registerfile.HEADERS.index("是否在岗")] == "是"
    problems: list = []
    parsed = registerfile.parse_row(
        2, example, [BY_HEADER[h] for h in registerfile.HEADERS], problems
    )
    assert problems == [] and parsed is not None
    assert parsed.values["in_accounting_post"] is True
    assert parsed.values["cert_issue_date"].isoformat() == "2011-06-30"


def test_the_template_lists_the_values_of_every_coded_column(client, admin_a):
    rows = guide_rows(template_bytes(client, admin_a))
    at = next(i for i, row in enumerate(rows) if row[: len(CODED)] == list(CODED))
    for number, header in enumerate(CODED):
        listed = [row[number] for row in rows[at + 1 :] if row[number]]
        assert listed == list(ALLOWED_VALUES[header]), header
    assert ALLOWED_VALUES["民族"] == ETHNIC_GROUPS and "壮族" in ETHNIC_GROUPS
    assert ALLOWED_VALUES["会计电算化证"] == ALLOWED_VALUES["是否在岗"] == ("是", "否")


@pytest.mark.parametrize("header", CODED)
def test_every_listed_value_is_one_the_import_takes(header):
    column = BY_HEADER[header]
    for word in ALLOWED_VALUES[header]:
        try:
            fieldrules.clean(column.field, column.parse(word))
        except (CellError, ValidationError) as exc:
            pytest.fail(f"{header}: {word} is refused ({exc})")


def test_the_first_sheet_offers_the_values_as_a_drop_down(client, admin_a):
    workbook = load_workbook(io.BytesIO(template_bytes(client, admin_a)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == list(registerfile.HEADERS) and sheet.max_row == 1
    lists = {
        str(validation.sqref).split(":")[0]: validation
        for validation in sheet.data_validations.dataValidation
    }
    for header in CODED:
        letter = sheet.cell(1, registerfile.HEADERS.index(header) + 1).column_letter
        validation = lists[f"{letter}2"]
        assert validation.type == "list" and GUIDE_SHEET in validation.formula1
        assert validation.errorStyle == "warning"  # the old system's other words still import


def test_importing_the_template_unchanged_creates_nobody(client, admin_a):
    data = template_bytes(client, admin_a)
    try:
        result = imports.import_register(actor=None, data=data, filename="template.xlsx")
    except registerfile.RegisterFileError:
        pass  # an empty file may be refused; what matters is that nobody is created
    else:
        assert result.created == 0 and not result.problems
    assert not Practitioner.objects.filter(id_number=EXAMPLE_RECORD["id_number"]).exists()
    assert not Practitioner.objects.exists()


# --- Yes and no, both ways ------------------------------------------------------------------


def download(client, user, fmt) -> bytes:
    client.force_login(user)
    response = client.get(reverse("practitioners:export"), {"format": fmt})
    return b"".join(response.streaming_content)


@pytest.fixture
def yes_and_no(county_a):
    return [
        PractitionerFactory(bureau=county_a, has_computing_cert=True, in_accounting_post=True),
        PractitionerFactory(bureau=county_a, has_computing_cert=False, in_accounting_post=False),
    ]


def test_yes_no_columns_are_exported_as_是_and_否(client, admin_a, yes_and_no):
    text = download(client, admin_a, "csv").decode("utf-8-sig")
    rows = {row["证件号码"]: row for row in csv.DictReader(io.StringIO(text))}
    yes, no = (rows[p.id_number] for p in yes_and_no)
    assert (yes["会计电算化证"], yes["是否在岗"]) == ("是", "是")
    assert (no["会计电算化证"], no["是否在岗"]) == ("否", "否")


def test_an_xlsx_export_reads_是否_and_imports_back_unchanged(client, admin_a, yes_and_no):
    data = download(client, admin_a, "xlsx")
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["会计电算化证"] in ("是", "否") and cells["是否在岗"] in ("是", "否")
    result = imports.import_register(actor=None, data=data, filename="export.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(yes_and_no))


# --- Dates: what the import reads, the forms read ---------------------------------------------


@pytest.fixture
def logged_in(client, account_a, campaign):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_application_form_takes_a_date_written_as_the_import_takes_it(
    logged_in, practitioner_a, with_photo
):
    response = logged_in.post(
        FORM,
        form_data(
            practitioner_a,
            current_revision(practitioner_a),
            action="submit",
            graduation_date="2011年6月30日",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    submission = Application.objects.get(practitioner=practitioner_a).submissions.get()
    assert submission.data["graduation_date"] == "2011-06-30"


def test_the_staff_form_takes_a_date_written_as_the_import_takes_it(county_a):
    from practitioners.forms import PractitionerForm
    from practitioners.models import Bureau
    from tests.factories import person_values

    values = person_values(county_a)
    values.pop("bureau_code")
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    data = {k: v for k, v in data.items() if v is not False and v is not None}
    data.update(bureau=county_a.code, cert_issue_date="2011年6月30日")
    form = PractitionerForm(data, bureaus=Bureau.objects.filter(pk=county_a.pk))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cert_issue_date"].isoformat() == "2011-06-30"


def test_the_import_page_says_the_template_has_an_example(client, admin_a):
    client.force_login(admin_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(reverse("business:register_import")).content.decode()
    assert "with an example and the values each column takes" in html
