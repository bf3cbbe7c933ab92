"""Staff pages: who may open what (the matrix), what lists show, their query budgets."""

import io
import json

import pytest
from django.urls import reverse

from practitioners import registerfile
from practitioners.models import AuditEvent, Practitioner
from tests.factories import PractitionerFactory, person_values
from tests.helpers import within_budget

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_own_start_page(client, clerk_a, city_staff):
    client.force_login(clerk_a)
    assert client.get("/")["Location"] == reverse("practitioners:list")
    client.force_login(city_staff)
    assert client.get("/")["Location"] == reverse("practitioners:bureau_overview")


def test_staff_log_in_with_username_and_password(client, clerk_a):
    response = client.post(
        reverse("login"), {"username": "clerk_a", "password": "Pass-word-2026"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("practitioners:list")
    client.logout()
    response = client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_list_masks_id_numbers_and_shows_only_own_bureau(
    client, clerk_a, practitioner_a, practitioner_b
):
    client.force_login(clerk_a)
    html = client.get(reverse("practitioners:list")).content.decode()
    assert practitioner_a.masked_id_number in html
    assert practitioner_a.id_number not in html
    assert practitioner_b.name not in html


@pytest.mark.parametrize("field", ["id_number", "cert_number"])
def test_search_by_full_number_finds_the_person(client, clerk_a, practitioner_a, field):
    PractitionerFactory.create_batch(3, bureau=practitioner_a.bureau)
    client.force_login(clerk_a)
    page = client.get(reverse("practitioners:list"), {"q": getattr(practitioner_a, field)}).context[
        "page"
    ]
    assert [p.pk for p in page.object_list] == [practitioner_a.pk]


def test_search_normalises_a_typed_id_number(client, clerk_a, practitioner_a):
    client.force_login(clerk_a)
    typed = " ".join(practitioner_a.id_number).lower()
    page = client.get(reverse("practitioners:list"), {"q": typed}).context["page"]
    assert [p.pk for p in page.object_list] == [practitioner_a.pk]


def test_search_by_name_prefix(client, clerk_a, practitioner_a):
    client.force_login(clerk_a)
    page = client.get(reverse("practitioners:list"), {"q": practitioner_a.name[:1]}).context["page"]
    assert practitioner_a in page.object_list


def test_a_search_too_long_is_told_next_to_the_box_and_lists_nobody(
    client, clerk_a, practitioner_a
):
    client.force_login(clerk_a)
    typed = "4501" * 15
    response = client.get(reverse("practitioners:list"), {"q": typed})
    assert response.status_code == 200 and response.context["page"] is None
    html = response.content.decode()
    box = html.split('id="id_q"', 1)[0].rsplit("<input", 1)[1]
    assert f'value="{typed}"' in box and "is-invalid" in box
    assert 'aria-describedby="id_q_error"' in html
    assert (
        '<div class="invalid-feedback d-block" id="id_q_error">最多 50 个字（现有 60 个）。' in html
    )
    assert practitioner_a.name not in html and "<table" not in html


def test_search_never_crosses_bureaus(client, clerk_a, practitioner_b):
    client.force_login(clerk_a)
    page = client.get(reverse("practitioners:list"), {"q": practitioner_b.id_number}).context[
        "page"
    ]
    assert list(page.object_list) == []


def test_city_staff_search_every_bureau_and_filter_by_one(
    client, city_staff, practitioner_a, practitioner_b
):
    client.force_login(city_staff)
    page = client.get(reverse("practitioners:list"), {"q": practitioner_b.id_number}).context[
        "page"
    ]
    assert [p.pk for p in page.object_list] == [practitioner_b.pk]
    page = client.get(reverse("practitioners:list"), {"bureau": "450103"}).context["page"]
    assert [p.pk for p in page.object_list] == [practitioner_a.pk]


def test_overlong_or_odd_search_input_never_fails(client, clerk_a):
    client.force_login(clerk_a)
    for q in ["x" * 10_000, "😀\x00'; DROP TABLE", "%", "_"]:
        assert client.get(reverse("practitioners:list"), {"q": q}).status_code == 200
    assert client.get(reverse("practitioners:list"), {"page": "abc"}).status_code == 200


def test_detail_shows_the_whole_record_and_is_audited(client, clerk_a, practitioner_a):
    client.force_login(clerk_a)
    html = client.get(reverse("practitioners:detail", args=[practitioner_a.pk])).content.decode()
    assert practitioner_a.id_number in html
    assert practitioner_a.cert_number in html
    assert AuditEvent.objects.filter(
        practitioner=practitioner_a, actor=clerk_a, action="viewed"
    ).exists()


def test_city_overview_shows_every_bureau_with_figures(
    client, city_staff, practitioner_a, practitioner_b
):
    client.force_login(city_staff)
    bureaus = client.get(reverse("practitioners:bureau_overview")).context["bureaus"]
    assert len(bureaus) == 13
    counts = {b.code: b.practitioner_count for b in bureaus}
    assert counts["450103"] == 1 and counts["450102"] == 1 and counts["450100"] == 0


# --- Query budgets ----------------------------------------------------------------------

# Session, user with bureau, the bureau choices (city staff only), count, page rows with bureau,
# where the page's people stand (one query for the page: the 状态 column).
LIST_BUDGET = {"clerk_a": 5, "city_staff": 6}
# The counter's hot path: session, user with bureau, (the bureau choices for city staff), the
# one or two people with that ID or certificate number, with no count, and where they stand.
LOOKUP_BUDGET = {"clerk_a": 4, "city_staff": 5}
# Session, user with bureau, figures.
OVERVIEW_BUDGET = 3


def count_queries(client, url, budget, params=None):
    response, queries = within_budget(budget, client, url, params)
    assert response.status_code == 200
    return queries


@pytest.mark.parametrize("persona", ["clerk_a", "city_staff"])
def test_the_list_page_keeps_to_its_budget_however_many_rows(
    client, request, county_a, county_b, persona
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("practitioners:list")
    PractitionerFactory.create_batch(2, bureau=county_a)
    few = count_queries(client, url, LIST_BUDGET[persona])
    PractitionerFactory.create_batch(20, bureau=county_a)
    PractitionerFactory.create_batch(20, bureau=county_b)
    assert count_queries(client, url, LIST_BUDGET[persona]) <= few  # no query per row


@pytest.mark.parametrize("persona", ["clerk_a", "city_staff"])
def test_a_number_lookup_keeps_to_its_budget(client, request, practitioner_a, persona):
    """A lookup by ID or certificate number needs no count of the matches: a query fewer than
    the list's budget."""
    client.force_login(request.getfixturevalue(persona))
    url = reverse("practitioners:list")
    for number in (practitioner_a.id_number, practitioner_a.cert_number):
        response, _count = within_budget(LOOKUP_BUDGET[persona], client, url, {"q": number})
        assert practitioner_a.name in response.content.decode()


def test_the_overview_keeps_to_its_budget_however_many_people(client, city_staff, county_a):
    client.force_login(city_staff)
    url = reverse("practitioners:bureau_overview")
    few = count_queries(client, url, OVERVIEW_BUDGET)
    PractitionerFactory.create_batch(10, bureau=county_a)
    assert count_queries(client, url, OVERVIEW_BUDGET) <= few  # no query per person


# --- Import and export in the web UI -------------------------------------------------------


def upload(client, records, **options):
    data = "".join(registerfile.iter_csv(records)).encode("utf-8")
    file = io.BytesIO(data)
    file.name = "register.csv"
    return client.post(reverse("business:register_import"), {"file": file, **options})


def test_admin_imports_own_bureau_rows(client, admin_a, county_a):
    client.force_login(admin_a)
    response = upload(client, [person_values(county_a) for _ in range(3)])
    assert response.status_code == 200
    assert response.context["result"].created == 3
    assert Practitioner.objects.filter(bureau=county_a).count() == 3


def test_county_admin_may_not_import_another_bureaus_rows(client, admin_a, county_a, county_b):
    client.force_login(admin_a)
    response = upload(client, [person_values(county_a), person_values(county_b)])
    result = response.context["result"]
    assert not result.written
    assert [(p.row, p.column) for p in result.problems] == [(3, "发证机关代码")]
    assert Practitioner.objects.count() == 0
    html = response.content.decode()
    assert (
        "发证机关代码" in html and "450102" in html
    )  # the error table shows row, column, value, reason


def test_city_staff_import_for_every_bureau(client, city_staff, county_a, county_b):
    client.force_login(city_staff)
    response = upload(client, [person_values(county_a), person_values(county_b)])
    assert response.context["result"].created == 2


def test_upload_of_a_broken_file_shows_the_reason_next_to_the_field(client, admin_a):
    client.force_login(admin_a)
    file = io.BytesIO(b"\x00\x01\x02" * 100)
    file.name = "register.csv"
    response = client.post(
        reverse("business:register_import"), {"file": file, "skip_invalid": "on"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert response.context["form"]["skip_invalid"].value() is True  # the ticked option is kept


def test_upload_without_a_file_is_a_form_error(client, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("business:register_import"), {})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_county_admin_export_holds_only_own_bureau(client, admin_a, practitioner_a, practitioner_b):
    client.force_login(admin_a)
    response = client.get(reverse("practitioners:export"), {"format": "json"})
    rows = json.loads(b"".join(response.streaming_content).decode())
    assert [r["证件号码"] for r in rows] == [practitioner_a.id_number]
    assert AuditEvent.objects.filter(action="exported", actor=admin_a).exists()


def test_county_admin_cannot_export_another_bureau(client, admin_a, practitioner_b):
    client.force_login(admin_a)
    response = client.get(reverse("practitioners:export"), {"format": "csv", "bureau": "450102"})
    assert response.status_code == 200
    assert response.context["form"].errors["bureau"]


def test_xlsx_download_is_a_real_workbook(client, city_staff, practitioner_a, practitioner_b):
    from openpyxl import load_workbook

    client.force_login(city_staff)
    response = client.get(reverse("practitioners:export"), {"format": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 3


# --- Adding one practitioner -------------------------------------------------------------


def new_person(bureau, **changes) -> dict:
    values = person_values(bureau)
    data = {k: v for k, v in values.items() if k != "bureau_code" and v not in (None, False)}
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    data["bureau"] = values["bureau_code"]
    data.update(changes)
    return data


def test_clerk_adds_a_missing_holder_to_own_bureau(client, clerk_a, county_a):
    client.force_login(clerk_a)
    data = new_person(county_a)
    response = client.post(reverse("practitioners:create"), data)
    assert response.status_code == 302
    practitioner = Practitioner.objects.get(id_number=data["id_number"])
    assert practitioner.bureau == county_a
    assert AuditEvent.objects.filter(
        practitioner=practitioner, action="created", actor=clerk_a
    ).exists()


def test_adding_refuses_bad_numbers_next_to_the_field_and_keeps_the_rest(
    client, clerk_a, county_a, practitioner_a
):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = new_person(
        county_a,
        id_number=practitioner_a.id_number[:-1] + "0"
        if practitioner_a.id_number[-1] != "0"
        else practitioner_a.id_number[:-1] + "1",
    )
    response = client.post(reverse("practitioners:create"), data)
    form = response.context["form"]
    assert "id_number" in form.errors and form["name"].value() == data["name"]
    data = new_person(county_a, cert_number=practitioner_a.cert_number)
    assert (
        "cert_number" in client.post(reverse("practitioners:create"), data).context["form"].errors
    )


def test_a_clerk_cannot_add_to_another_bureau(client, clerk_b, county_a):
    client.force_login(clerk_b)
    response = client.post(reverse("practitioners:create"), new_person(county_a))
    assert response.status_code == 200 and "bureau" in response.context["form"].errors
    assert not Practitioner.objects.exists()


def test_the_records_history_lists_changes_not_views(client, clerk_a, admin_a, practitioner_a):
    from practitioners import services

    services.record_practitioner_viewed(actor=admin_a, practitioner=practitioner_a)
    services.record_event(
        actor=admin_a, action="updated", practitioner=practitioner_a, fields=["x"]
    )
    client.force_login(clerk_a)
    events = client.get(reverse("practitioners:detail", args=[practitioner_a.pk])).context["events"]
    assert [e.action for e in events] == ["updated", "created"]
