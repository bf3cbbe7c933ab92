"""A change request (a person's request to correct their record) is answered within
REGISTRY_CHANGE_ANSWER_DAYS: the counter's queue shows the day and what is past it, and the
person sees the day on their page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from collection.models import Application
from confirmation import selectors
from tests.helpers import submit_change

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def change(confirmed_person):
    with time_machine.travel(SUBMITTED, tick=False):
        return submit_change(
            confirmed_person, confirmed_person.account, employer="广西北部湾会计师事务所有限公司"
        )


def queue(client, clerk):
    client.force_login(clerk)
    return client.get(reverse("confirmation:queue"), {"kind": "change"})


def test_the_queue_shows_the_day_to_answer_by_and_flags_it_once_past(
    client, clerk_a, change, settings, county_a
):
    settings.REGISTRY_CHANGE_ANSWER_DAYS = 15
    assert change.answer_by == datetime.date(2026, 11, 17)
    with time_machine.travel(datetime.datetime(2026, 11, 17, 12, 0, tzinfo=datetime.UTC)):
        page = queue(client, clerk_a)
        assert "2026-11-17" in page.text and "overdue-changes" not in page.text
        assert selectors.overdue_changes(bureau=county_a) == 0
    with time_machine.travel(datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)):
        page = queue(client, clerk_a)
        assert 'id="overdue-changes"' in page.text and "text-bg-danger" in page.text
        assert selectors.overdue_changes(bureau=county_a) == 1


def test_the_person_sees_the_day_their_request_is_answered_by(client, change):
    client.force_login(change.practitioner.account)
    home = client.get(reverse("collection:home"))
    assert 'id="change-answer-by"' in home.text
    assert change.answer_by.isoformat() in home.text


def test_a_collection_application_has_no_day_to_answer_by(submitted_a):
    assert Application.objects.get(pk=submitted_a.pk).answer_by is None
