"""Staff sessions end after the idle time (practitioners.idle), audited, leading back to where
the person was; asking how long is left is no activity; practitioners are not concerned."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from practitioners.constants import AuditAction
from practitioners.idle import REFRESH, SEEN_KEY
from practitioners.models import AuditEvent

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def idle(settings):
    settings.REGISTRY_STAFF_IDLE_SECONDS = 15 * 60
    return settings


def minutes(n: float) -> datetime.datetime:
    return START + datetime.timedelta(minutes=n)


def test_a_clerk_back_after_the_idle_time_is_signed_out_and_led_back(idle, client, clerk_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        assert client.get(reverse("confirmation:counter")).status_code == 200
        clock.move_to(minutes(14))
        assert client.get(reverse("confirmation:counter")).status_code == 200  # still in
        clock.move_to(minutes(14 + 15.5))
        away = client.get(reverse("confirmation:counter") + "?q=4501")
    assert away.status_code == 302
    assert away.url == reverse("login") + "?next=/counter/%3Fq%3D4501"
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_OUT_IDLE)
    assert event.actor == clerk_a and event.detail["idle_seconds"] == 15.5 * 60
    login = client.get(away.url)
    assert "signed out after 15 minutes without activity" in login.text or "15 分钟" in login.text


def test_a_post_after_the_idle_time_is_not_carried_out(idle, client, clerk_a, submitted_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        review = reverse("confirmation:review", args=[submitted_a.pk])
        client.get(review)
        clock.move_to(minutes(16))
        done = client.post(review + "confirm/", {"revision": submitted_a.revision})
    assert done.status_code == 302 and done.url.startswith(reverse("login"))
    submitted_a.refresh_from_db()
    assert submitted_a.status == "submitted"


def test_activity_is_noted_at_most_every_half_minute(idle, client, clerk_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        client.get(reverse("confirmation:counter"))
        first = client.session[SEEN_KEY]
        clock.shift(REFRESH - 1)
        client.get(reverse("confirmation:counter"))
        assert client.session[SEEN_KEY] == first  # no session write for that one
        clock.shift(2)
        client.get(reverse("confirmation:counter"))
        assert client.session[SEEN_KEY] == first + REFRESH + 1


def test_asking_what_is_left_is_no_activity_and_staying_is(idle, client, clerk_a):
    status = reverse("idle_status")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        client.get(reverse("confirmation:counter"))
        clock.move_to(minutes(10))
        assert client.get(status).json() == {"left": 5 * 60}
        clock.move_to(minutes(14.5))
        assert client.get(status).json() == {"left": 30}
        assert client.post(status).json() == {"left": 15 * 60}  # "stay signed in"
        clock.move_to(minutes(14.5 + 16))
        assert client.get(status).json() == {"left": 0}
        assert "_auth_user_id" not in client.session


def test_staff_pages_carry_the_time_left_and_practitioners_neither_carry_nor_lose_it(
    idle, client, clerk_a, account_a
):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        page = client.get(reverse("confirmation:counter")).text
        assert 'data-idle-timeout="900"' in page and 'data-idle-left="900"' in page
        assert 'id="idle-warning"' in page and "js/idle" in page
        client.force_login(account_a)
        home = client.get(reverse("collection:home"))
        assert "data-idle-timeout" not in home.text
        clock.move_to(minutes(120))
        assert client.get(reverse("collection:home")).status_code == 200
        assert client.get(reverse("idle_status")).json() == {"left": 0}


def test_no_idle_time_when_switched_off(settings, client, clerk_a):
    settings.REGISTRY_STAFF_IDLE_SECONDS = 0
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk_a)
        client.get(reverse("confirmation:counter"))
        clock.move_to(minutes(300))
        page = client.get(reverse("confirmation:counter"))
    assert page.status_code == 200 and "data-idle-timeout" not in page.text
