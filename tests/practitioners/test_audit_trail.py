"""City staff search and export the audit trail; nobody else reads it; nothing edits it."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from practitioners import audit, auditwords
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from practitioners.services import record_event, record_practitioner_viewed
from tests.helpers import clear_audit_trail

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(practitioner_a, practitioner_b, clerk_a, clerk_b):
    clear_audit_trail()  # the people's creation: not what these tests look at
    record_practitioner_viewed(actor=clerk_a, practitioner=practitioner_a)
    record_practitioner_viewed(actor=clerk_b, practitioner=practitioner_b)
    record_event(
        actor=clerk_a, action=AuditAction.UPDATED, practitioner=practitioner_a, fields=["mobile"]
    )
    return practitioner_a


def test_city_staff_find_who_looked_at_a_person_and_what_changed(
    client, city_staff, trail, clerk_a
):
    client.force_login(city_staff)
    page = client.get(reverse("practitioners:audit"), {"person": trail.id_number})
    assert page.status_code == 200
    events = page.context["page"].object_list
    assert {(e.actor, e.action) for e in events} == {
        (clerk_a, AuditAction.VIEWED),
        (clerk_a, AuditAction.UPDATED),
    }
    table = page.text.split('id="audit-events"')[1].split("</table>")[0]
    assert trail.id_number not in table  # masked in the list (the search box keeps what was typed)
    by_actor = client.get(reverse("practitioners:audit"), {"actor": "clerk_b"}).context["page"]
    assert all(e.actor.username == "clerk_b" for e in by_actor) and by_actor.object_list


def test_the_export_holds_what_the_filters_find_and_is_itself_audited(client, city_staff, trail):
    client.force_login(city_staff)
    response = client.get(
        reverse("practitioners:audit"), {"person": trail.cert_number, "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and {r[4] for r in rows[1:]} == {trail.name}
    assert all(r[5] == trail.masked_id_number for r in rows[1:])
    exported = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORTED)
    assert exported.actor == city_staff and exported.detail["rows"] == 2


def test_pages_go_back_in_time_numbered_like_every_list(
    client, city_staff, practitioner_a, clerk_a, monkeypatch
):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    clear_audit_trail()
    for _ in range(5):
        record_practitioner_viewed(actor=clerk_a, practitioner=practitioner_a)
    pages = [audit.page({}, number) for number in (1, 2, 3)]
    ids = [e.id for found in pages for e in found.object_list]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == 5
    assert pages[0].paginator.num_pages == 3 and not pages[2].has_next()
    client.force_login(city_staff)
    first = client.get(reverse("practitioners:audit"), {"actor": "clerk_a"})
    assert "?actor=clerk_a&amp;page=2" in first.text  # the filters survive paging
    second = client.get(reverse("practitioners:audit"), {"actor": "clerk_a", "page": 2})
    assert [e.id for e in second.context["page"].object_list] == ids[2:4]


def test_a_practitioners_account_is_masked_as_the_one_who_acted(
    client, city_staff, practitioner_a, account_a
):
    """A practitioner's account is named by the ID number: the page, the CSV and the Excel
    show it masked, as the person's own column does."""
    clear_audit_trail()
    record_event(actor=account_a, action=AuditAction.PHOTO_UPLOADED, practitioner=practitioner_a)
    masked = practitioner_a.masked_id_number
    client.force_login(city_staff)
    page = client.get(reverse("practitioners:audit"))
    table = page.text.split('id="audit-events"')[1].split("</table>")[0]
    assert practitioner_a.id_number not in table and table.count(masked) == 2
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("practitioners:audit"), {"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("practitioners:audit"), {"format": "xlsx"}).content)
    ).active
    excel_rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    for rows in (csv_rows, excel_rows):
        assert not any(practitioner_a.id_number in str(cell) for row in rows for cell in row)
        rows = [row for row in rows[1:] if row[1] != "city_staff"]  # not the first export
        assert len(rows) == 1 and rows[0][1] == masked and rows[0][5] == masked


def test_the_detail_reads_as_words_on_the_page_and_in_the_exports(
    client, city_staff, practitioner_a, clerk_a, admin_a
):
    clear_audit_trail()
    record_event(
        actor=clerk_a,
        action=AuditAction.UPDATED,
        practitioner=practitioner_a,
        changes=[
            {"field": "name", "label": "name", "old": "韦丽", "new": "韦丽芳"},
            {"field": "mobile", "label": "mobile", "old": "13700000000", "new": "13700000001"},
        ],
    )
    record_event(
        actor=admin_a,
        action=AuditAction.SHEET_SUBMITTED,
        bureau=admin_a.bureau,
        week="2026-W49",
        version=1,
        late=False,
    )
    client.force_login(city_staff)
    page = client.get(reverse("practitioners:audit"))  # in Chinese, the default
    table = page.text.split('id="audit-events"')[1].split("</table>")[0]
    for raw in ("changes:", "late:", "False", "[", "{", "13700000001"):
        assert raw not in table
    assert "姓名" in table and "手机号码" in table  # the fields' own labels, translated
    english = client.get(reverse("practitioners:audit"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Changed: </span>name, mobile" in english.text
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("practitioners:audit"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
                ).content.decode("utf-8-sig")
            )
        )
    )
    workbook = client.get(
        reverse("practitioners:audit"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    excel_rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    for rows in (csv_rows, excel_rows):
        rows = [[], *(row for row in rows[1:] if row[1] != "city_staff")]  # not the first export
        assert rows[1][7] == "Week: 2026 week 49; Version: 1; Late: No"
        assert rows[2][7] == "Changed: name, mobile"


def test_every_known_detail_has_words_and_no_value_reads_as_python():
    assert auditwords.describe({"changes": [], "late": False, "week": "2026-W49"}) == [
        ("Changed", "none"),
        ("Week", "2026 week 49"),
        ("Late", "No"),
    ]
    searched = {"person": "450103199001013428", "actor": "450103199001013428"}
    assert auditwords.describe({"filters": searched}) == [
        ("Filters", "Person=450103********3428, Done by=450103********3428")
    ]
    assert auditwords.describe({"filters": {"actor": "city"}}) == [("Filters", "Done by=city")]
    assert auditwords.describe({"unknown": [True, None, {"a": 1}]}) == [("unknown", "Yes, —, a=1")]
    assert auditwords.describe({"decision": "returned", "feedback": ""}) == [
        ("Decision", "Return for changes")
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"person": "韦丽"}, "person"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"),
    ],
)
def test_bad_filters_are_explained_next_to_the_field(client, city_staff, query, field):
    client.force_login(city_staff)
    response = client.get(reverse("practitioners:audit"), query)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'class="invalid-feedback"' in response.text


def test_the_product_offers_no_way_to_change_an_event(client, city_staff, trail):
    event = AuditEvent.objects.first()
    client.force_login(city_staff)
    assert client.post(reverse("practitioners:audit"), {"id": event.pk}).status_code == 405
