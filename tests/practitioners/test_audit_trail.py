"""City staff search and export the audit trail; nobody else reads it; nothing edits it."""

import csv
import io

import pytest
from django.urls import reverse

from practitioners import audit
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from practitioners.services import record_event, record_practitioner_viewed

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(practitioner_a, practitioner_b, clerk_a, clerk_b):
    AuditEvent.objects.all().delete()  # the people's creation: not what these tests look at
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
    events = page.context["found"].events
    assert {(e.actor, e.action) for e in events} == {
        (clerk_a, AuditAction.VIEWED),
        (clerk_a, AuditAction.UPDATED),
    }
    table = page.text.split('id="audit-events"')[1].split("</table>")[0]
    assert trail.id_number not in table  # masked in the list (the search box keeps what was typed)
    by_actor = client.get(reverse("practitioners:audit"), {"actor": "clerk_b"}).context["found"]
    assert all(e.actor.username == "clerk_b" for e in by_actor.events) and by_actor.events


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


def test_pages_go_back_in_time_with_a_cursor(city_staff, practitioner_a, clerk_a, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    AuditEvent.objects.all().delete()
    for _ in range(5):
        record_practitioner_viewed(actor=clerk_a, practitioner=practitioner_a)
    first = audit.page({})
    second = audit.page({}, before=first.older)
    third = audit.page({}, before=second.older)
    ids = [e.id for found in (first, second, third) for e in found.events]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == 5
    assert third.older is None


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
