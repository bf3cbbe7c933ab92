"""Whose records an import may touch, and moving a person to another bureau.

The attack: a county admin imports a row carrying the ID number of another county's person,
with their own bureau's code. Before step 4 the person moved over, with a new name and
certificate number (what activation checks), and the other county's clerk could still
confirm their open application.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from collection import services as collection_services
from collection.models import Application
from practitioners import imports
from practitioners.models import AuditEvent, Practitioner
from tests.helpers import all_ticks, csv_bytes, make_records

pytestmark = pytest.mark.django_db


def row_for(practitioner, bureau, **changes) -> dict:
    """A register row for an existing person, as another file would carry it."""
    record = make_records(bureau, count=1)[0]
    record.update(
        id_number=practitioner.id_number,
        birth_date=practitioner.birth_date,
        gender=practitioner.gender,
        cert_number=practitioner.cert_number,
        name=practitioner.name,
        bureau_code=bureau.code,
    )
    return record | changes


def test_a_county_admin_cannot_take_over_another_countys_person(
    client, admin_b, county_b, practitioner_a, submitted_a
):
    before = Practitioner.objects.values().get(pk=practitioner_a.pk)
    data = csv_bytes(
        [row_for(practitioner_a, county_b, name="冒名顶替", cert_number="450102000001")]
    )
    client.force_login(admin_b)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        reverse("business:register_import"),
        {"file": _upload(data)},
    )
    result = response.context["result"]
    assert not result.written
    (problem,) = result.problems
    assert problem.reason == "属于青秀区财政局，只能由该局或市局修改。"
    assert "名册文件已导入" not in response.content.decode()
    assert Practitioner.objects.values().get(pk=practitioner_a.pk) == before
    submitted_a.refresh_from_db()
    assert submitted_a.bureau_id == practitioner_a.bureau_id


def test_skip_invalid_still_leaves_the_other_countys_person_alone(
    admin_b, county_b, practitioner_a
):
    own = make_records(county_b, count=1)
    data = csv_bytes(own + [row_for(practitioner_a, county_b, name="冒名顶替")])
    result = imports.import_register(actor=admin_b, data=data, skip_invalid=True)
    assert result.written and result.created == 1 and result.updated == 0
    practitioner_a.refresh_from_db()
    assert practitioner_a.name != "冒名顶替" and practitioner_a.bureau.code == "450103"


def test_nobody_moves_a_person_by_import(city_staff, county_b, practitioner_a):
    result = imports.import_register(
        actor=city_staff, data=csv_bytes([row_for(practitioner_a, county_b)])
    )
    (problem,) = result.problems
    assert problem.column == "发证机关代码" and "record page" in problem.reason
    practitioner_a.refresh_from_db()
    assert practitioner_a.bureau.code == "450103"


def test_changes_to_what_activation_checks_are_audited_with_old_and_new(
    admin_a, county_a, practitioner_a
):
    old_name, old_cert = practitioner_a.name, practitioner_a.cert_number
    data = csv_bytes([row_for(practitioner_a, county_a, name="韦丽华", cert_number="450103000777")])
    result = imports.import_register(actor=admin_a, data=data, filename="更正.csv")
    assert result.written and result.updated == 1
    event = AuditEvent.objects.get(action="updated", practitioner=practitioner_a)
    assert event.actor == admin_a
    changes = {c["field"]: (c["old"], c["new"]) for c in event.detail["changes"]}
    assert changes["name"] == (old_name, "韦丽华")
    assert changes["cert_number"] == (old_cert, "450103000777")


def test_city_staff_move_a_person_with_their_open_application(
    city_staff, county_b, practitioner_a, submitted_a
):
    collection_services.move_practitioner(
        practitioner=practitioner_a, bureau=county_b, actor=city_staff, reason="证书转入兴宁区"
    )
    practitioner_a.refresh_from_db()
    submitted_a.refresh_from_db()
    assert practitioner_a.bureau == county_b and submitted_a.bureau == county_b
    event = AuditEvent.objects.get(action="moved")
    assert event.actor == city_staff
    assert event.detail["moved_from"] == "450103" and event.detail["reason"] == "证书转入兴宁区"
    assert event.detail["moved_to"] == "450102" and event.detail["applications"] == 1


def test_after_a_move_only_the_new_bureaus_counter_sees_and_decides_it(
    client, city_staff, clerk_a, clerk_b, county_b, practitioner_a, submitted_a
):
    collection_services.move_practitioner(
        practitioner=practitioner_a, bureau=county_b, actor=city_staff, reason="证书转入兴宁区"
    )
    submitted_a.refresh_from_db()
    client.force_login(clerk_a)
    assert client.get(reverse("confirmation:review", args=[submitted_a.pk])).status_code == 404
    assert (
        client.post(
            reverse("confirmation:confirm", args=[submitted_a.pk]),
            {"revision": submitted_a.revision, **all_ticks(submitted_a)},
        ).status_code
        == 404
    )
    client.force_login(clerk_b)
    queue = client.get(reverse("confirmation:queue")).context["page"]
    assert [a.pk for a in queue.object_list] == [submitted_a.pk]


def test_a_review_opened_before_the_move_cannot_confirm_after_it(
    city_staff, clerk_a, county_b, practitioner_a, submitted_a
):
    from confirmation import services as counter_services
    from tests.helpers import ticks_for

    ticks, revision = ticks_for(submitted_a), submitted_a.revision
    collection_services.move_practitioner(
        practitioner=practitioner_a, bureau=county_b, actor=city_staff, reason="证书转入兴宁区"
    )
    with pytest.raises(counter_services.CounterError, match="Only the counter of"):
        counter_services.confirm_at_counter(
            application=submitted_a, actor=clerk_a, checklist=ticks, revision=revision
        )
    assert Application.objects.get(pk=submitted_a.pk).status == "submitted"


@pytest.mark.parametrize("persona", ["admin_a", "clerk_a", "admin_b"])
def test_only_city_staff_move_people(request, persona, county_b, practitioner_a):
    with pytest.raises(PermissionDenied):
        collection_services.move_practitioner(
            practitioner=practitioner_a,
            bureau=county_b,
            actor=request.getfixturevalue(persona),
            reason="x",
        )


def test_the_move_page_moves_and_asks_for_a_reason(client, city_staff, county_b, practitioner_a):
    client.force_login(city_staff)
    url = reverse("collection:move", args=[practitioner_a.pk])
    response = client.post(url, {"bureau": county_b.pk, "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert client.post(url, {"bureau": county_b.pk, "reason": "证书转入"}).status_code == 302
    practitioner_a.refresh_from_db()
    assert practitioner_a.bureau == county_b


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("register.csv", data, content_type="text/csv")
