"""The permission matrix of every counter URL, each persona against county A's application."""

import pytest
from django.urls import reverse

from confirmation import services
from tests.confirmation.test_counter import all_ticks, ticks_for

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "account_a", "clerk_a", "admin_a", "clerk_b", "city_staff", "city_clerk"]
STAFF_200 = dict(
    anonymous=302,
    account_a=403,
    clerk_a=200,
    admin_a=200,
    clerk_b=200,
    city_staff=200,
    city_clerk=200,
)
GET_MATRIX = {
    "counter": STAFF_200,
    "queue": STAFF_200,
    "queue_of_a": STAFF_200,  # ?bureau=450103: only city staff may pick another bureau; others see their own
    "review_a": dict(
        anonymous=302,
        account_a=403,
        clerk_a=200,
        admin_a=200,
        clerk_b=404,
        city_staff=200,
        city_clerk=404,
    ),
    "print_settings": dict(
        anonymous=302,
        account_a=403,
        clerk_a=403,
        admin_a=200,
        clerk_b=403,
        city_staff=200,
        city_clerk=403,
    ),
    "calibration": dict(
        anonymous=302,
        account_a=403,
        clerk_a=200,
        admin_a=200,
        clerk_b=200,
        city_staff=200,
        city_clerk=200,
    ),
    "day_sheet": STAFF_200,
}
# Acting on county A's application: only A's clerks (city staff act for city-level people only).
POST_MATRIX = {
    "confirm_a": dict(
        anonymous=302,
        account_a=403,
        clerk_a=302,
        admin_a=403,
        clerk_b=404,
        city_staff=403,
        city_clerk=404,
    ),
    "print_a": dict(
        anonymous=302,
        account_a=403,
        clerk_a=200,
        admin_a=403,
        clerk_b=404,
        city_staff=403,
        city_clerk=404,
    ),
}


def get_url(page, application):
    return {
        "counter": reverse("confirmation:counter"),
        "queue": reverse("confirmation:queue"),
        "queue_of_a": reverse("confirmation:queue") + "?bureau=450103",
        "review_a": reverse("confirmation:review", args=[application.pk]),
        "print_settings": reverse("confirmation:print_settings"),
        "calibration": reverse("confirmation:calibration"),
        "day_sheet": reverse("confirmation:day_sheet"),
    }[page]


def log_in(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(GET_MATRIX))
def test_get_matrix(client, request, persona, page, submitted_a):
    log_in(client, request, persona)
    assert client.get(get_url(page, submitted_a)).status_code == GET_MATRIX[page][persona], (
        page,
        persona,
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_confirm_matrix(client, request, persona, submitted_a):
    log_in(client, request, persona)
    url = reverse("confirmation:review", args=[submitted_a.pk])
    response = client.post(
        url, {"action": "confirm", "revision": submitted_a.revision, **all_ticks(submitted_a)}
    )
    assert response.status_code == POST_MATRIX["confirm_a"][persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_print_matrix(client, request, persona, submitted_a, clerk_a):
    confirmation = services.confirm_at_counter(
        application=submitted_a, clerk=clerk_a, checklist=ticks_for(submitted_a), revision=None
    )
    log_in(client, request, persona)
    response = client.post(reverse("confirmation:certificate", args=[confirmation.pk]))
    assert response.status_code == POST_MATRIX["print_a"][persona]


def test_city_staff_see_another_bureaus_queue_and_clerks_do_not(
    client, city_staff, clerk_b, submitted_a
):
    client.force_login(city_staff)
    page = client.get(reverse("confirmation:queue"), {"bureau": "450103"}).context["page"]
    assert [a.pk for a in page.object_list] == [submitted_a.pk]
    client.force_login(clerk_b)
    page = client.get(reverse("confirmation:queue"), {"bureau": "450103"}).context["page"]
    assert list(page.object_list) == []
