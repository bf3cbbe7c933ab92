"""On-post registration (上岗注册) and continuing education (继续教育登记): the practitioner
registers, a clerk of their bureau approves or returns it; the people who did business before
collecting are listed, exported and told."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from business import services
from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from practitioners import tallies as register_tallies
from practitioners.constants import AuditAction, RegisterFigure
from practitioners.models import AuditEvent
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

ON_POST = {
    "employer": "南宁市青秀区某科技有限公司",
    "employer_credit_code": "",
    "post": "会计主管",
    "start_date": "2025-09-01",
}
EDUCATION = {"year": "2025", "hours": "24", "provider": "南宁市会计学会", "content": "政府会计制度"}


def test_on_post_registration_is_approved_and_written_into_the_record(
    client, confirmed_a, account_a, clerk_a
):
    was_in_post = confirmed_a.in_accounting_post
    before = (
        register_tallies.figures().get(confirmed_a.bureau_id, {}).get(RegisterFigure.IN_POST, 0)
    )
    client.force_login(account_a)
    response = client.post(reverse("business:on_post"), ON_POST)
    assert response.status_code == 302
    registration = OnPostRegistration.objects.get()
    assert registration.status == RegistrationStatus.SUBMITTED
    page = client.get(reverse("business:on_post"))
    assert 'id="waiting"' in page.text  # one at a time

    client.force_login(clerk_a)
    queue = client.get(reverse("business:decisions"))
    assert confirmed_a.name in queue.text and ON_POST["employer"] in queue.text
    decided = client.post(
        reverse("business:decide", args=["on-post", registration.pk]), {"action": "approve"}
    )
    assert decided.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED and registration.decided_by == clerk_a
    confirmed_a.refresh_from_db()
    assert confirmed_a.employer == ON_POST["employer"] and confirmed_a.position == "会计主管"
    assert confirmed_a.in_accounting_post
    after = register_tallies.figures()[confirmed_a.bureau_id][RegisterFigure.IN_POST]
    assert after == before + (0 if was_in_post else 1)
    assert register_tallies.differences() == {}
    event = AuditEvent.objects.get(action=AuditAction.ON_POST_APPROVED)
    assert event.actor == clerk_a
    # The approval is a version of the record, with who approved it.
    assert (
        "上岗注册已核准" in client.get(reverse("practitioners:detail", args=[confirmed_a.pk])).text
    )


def test_continuing_education_is_returned_with_a_reason_and_registered_again(
    client, confirmed_a, account_a, clerk_a
):
    client.force_login(account_a)
    assert client.post(reverse("business:education"), EDUCATION).status_code == 302
    record = EducationRecord.objects.get()
    client.force_login(clerk_a)
    empty = client.post(
        reverse("business:decide", args=["education", record.pk]), {"action": "return"}
    )
    assert empty.status_code == 302
    record.refresh_from_db()
    assert record.status == RegistrationStatus.SUBMITTED  # a return needs a reason
    client.post(
        reverse("business:decide", args=["education", record.pk]),
        {"action": "return", "reason": "请上传学时证明"},
    )
    record.refresh_from_db()
    assert record.status == RegistrationStatus.RETURNED
    assert AuditEvent.objects.filter(action=AuditAction.EDUCATION_RETURNED).exists()
    client.force_login(account_a)
    page = client.get(reverse("business:education"))
    assert "请上传学时证明" in page.text
    assert client.post(reverse("business:education"), EDUCATION).status_code == 302
    second = EducationRecord.objects.exclude(pk=record.pk).get()
    client.force_login(clerk_a)
    client.post(reverse("business:decide", args=["education", second.pk]), {"action": "approve"})
    second.refresh_from_db()
    assert second.status == RegistrationStatus.APPROVED


def test_a_decision_made_twice_changes_nothing_the_second_time(confirmed_a, account_a, clerk_a):
    record = services.register_education(
        practitioner=confirmed_a,
        actor=account_a,
        values={"year": 2025, "hours": 24, "provider": "学会", "content": "准则"},
    )
    services.approve_registration(registration=record, actor=clerk_a)
    with pytest.raises(services.AlreadyDecided):
        services.return_registration(registration=record, actor=clerk_a, reason="x")
    record.refresh_from_db()
    assert record.status == RegistrationStatus.APPROVED


@pytest.mark.parametrize(
    ("page", "values", "field"),
    [
        ("business:on_post", {**ON_POST, "start_date": "2999-01-01"}, "start_date"),
        ("business:on_post", {**ON_POST, "employer": ""}, "employer"),
        ("business:on_post", {**ON_POST, "employer_credit_code": "12345"}, "employer_credit_code"),
        ("business:on_post", {**ON_POST, "post": "会计😀"}, "post"),
        ("business:education", {**EDUCATION, "hours": "0"}, "hours"),
        ("business:education", {**EDUCATION, "hours": "abc"}, "hours"),
        ("business:education", {**EDUCATION, "year": "2999"}, "year"),
        ("business:education", {**EDUCATION, "provider": ""}, "provider"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(
    client, confirmed_a, account_a, page, values, field
):
    client.force_login(account_a)
    response = client.post(reverse(page), values)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.text
    assert "is-invalid" in response.text
    for value in values.values():
        if value and value not in ("0", "abc"):
            assert value in response.text  # nothing typed is lost
    assert not OnPostRegistration.objects.exists() and not EducationRecord.objects.exists()


def test_a_second_waiting_on_post_registration_is_refused(confirmed_a, account_a):
    values = {**ON_POST, "start_date": datetime.date(2025, 9, 1)}
    services.register_on_post(practitioner=confirmed_a, actor=account_a, values=values)
    with pytest.raises(services.BusinessError):
        services.register_on_post(practitioner=confirmed_a, actor=account_a, values=values)
    assert OnPostRegistration.objects.count() == 1


def test_only_the_clerks_of_the_persons_bureau_decide(
    client, confirmed_a, account_a, clerk_b, admin_a, city_staff
):
    record = services.register_education(
        practitioner=confirmed_a,
        actor=account_a,
        values={"year": 2025, "hours": 24, "provider": "学会", "content": "准则"},
    )
    url = reverse("business:decide", args=["education", record.pk])
    client.force_login(clerk_b)
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert confirmed_a.name not in client.get(reverse("business:decisions")).text
    client.force_login(admin_a)
    assert client.post(url, {"action": "approve"}).status_code == 403
    client.force_login(city_staff)
    assert client.post(url, {"action": "approve"}).status_code == 403
    assert client.get(reverse("business:decisions"), {"bureau": "450103"}).status_code == 200
    record.refresh_from_db()
    assert record.status == RegistrationStatus.SUBMITTED


def _earlier_records(person):
    OnPostRegistration.objects.create(
        practitioner=person,
        employer="某公司",
        post="出纳",
        start_date=datetime.date(2015, 1, 1),
        status=RegistrationStatus.APPROVED,
        source=Source.IMPORTED,
    )
    EducationRecord.objects.create(
        practitioner=person,
        year=2020,
        hours=24,
        status=RegistrationStatus.APPROVED,
        source=Source.IMPORTED,
    )


def test_people_who_did_business_before_collecting_are_flagged_listed_and_exported(
    client, county_a, county_b, practitioner_a, account_a, confirmed_person, clerk_a, clerk_b
):
    _earlier_records(practitioner_a)  # not confirmed: flagged
    _earlier_records(confirmed_person)  # confirmed: not flagged
    other_county = PractitionerFactory(bureau=county_b)
    _earlier_records(other_county)

    client.force_login(clerk_a)
    page = client.get(reverse("business:flagged"))
    assert practitioner_a.name in page.text
    assert confirmed_person.name not in page.text and other_county.name not in page.text
    assert practitioner_a.id_number not in page.text  # masked
    export = client.get(reverse("business:flagged_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == practitioner_a.name
    assert rows[1][1] == practitioner_a.masked_id_number
    assert AuditEvent.objects.filter(action=AuditAction.FLAGGED_EXPORTED, actor=clerk_a).exists()
    xlsx = client.get(reverse("business:flagged_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # Another county's clerk sees only their own bureau's list.
    client.force_login(clerk_b)
    page = client.get(reverse("business:flagged"), {"bureau": "450103"})
    assert practitioner_a.name not in page.text and other_county.name in page.text

    client.force_login(account_a)
    home = client.get(reverse("collection:home"))
    assert 'id="business-first"' in home.text


# Session, user, then two lists / the count and the rows.
LIST_BUDGET = 4


def _count(client, url, **query):
    from tests.helpers import within_budget

    response, queries = within_budget(LIST_BUDGET, client, url, query)
    assert response.status_code == 200
    return queries


def test_the_lists_keep_to_their_budget_however_many_rows(client, county_a, campaign, clerk_a):
    from tests.helpers import confirm, make_submitted

    def add(n):
        for application in make_submitted(county_a, campaign, n):
            person = application.practitioner
            _earlier_records(person)  # flagged: not confirmed
            confirm(application, clerk_a)
            person.refresh_from_db()
            services.register_education(
                practitioner=person,
                actor=person.account,
                values={"year": 2025, "hours": 24, "provider": "学会", "content": "准则"},
            )
        for person in PractitionerFactory.create_batch(n, bureau=county_a):
            _earlier_records(person)

    client.force_login(clerk_a)
    add(1)
    few = (
        _count(client, reverse("business:decisions")),
        _count(client, reverse("business:flagged")),
    )
    add(4)
    many = (
        _count(client, reverse("business:decisions")),
        _count(client, reverse("business:flagged")),
    )
    assert many[0] <= few[0] and many[1] <= few[1]  # no query per row
