"""From a figure to the people behind it, call lists, and fixed query counts on the pages."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from confirmation import services as counter_services
from practitioners.models import AuditEvent
from tests.factories import PractitionerFactory
from tests.helpers import make_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_of_a(campaign, county_a, clerk_a):
    waiting, returned = make_submitted(county_a, campaign, 2)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    idle = PractitionerFactory(bureau=county_a, mobile="13800138000")
    return {"waiting": waiting.practitioner, "returned": returned.practitioner, "idle": idle}


@pytest.mark.parametrize("figure", ["waiting", "returned", "not_started"])
def test_a_figure_opens_as_its_people_with_masked_id_numbers(client, clerk_a, people_of_a, figure):
    client.force_login(clerk_a)
    response = client.get(reverse("reporting:people", args=["450103", figure]))
    assert response.status_code == 200
    listed = [p.pk for p, _a in response.context["rows"]]
    page = response.content.decode()
    if figure == "not_started":
        assert people_of_a["idle"].pk in listed
        assert people_of_a["waiting"].pk not in listed and people_of_a["returned"].pk not in listed
    else:
        assert listed == [people_of_a[figure].pk]
    person = people_of_a["idle" if figure == "not_started" else figure]
    assert person.id_number not in page and person.masked_id_number in page
    assert "no-store" in response["Cache-Control"]


def test_another_countys_people_are_404(client, clerk_b, people_of_a):
    client.force_login(clerk_b)
    assert client.get(reverse("reporting:people", args=["450103", "waiting"])).status_code == 404
    assert client.get(reverse("reporting:people", args=["450103", "confirmed"])).status_code == 404


def test_the_call_list_is_exported_masked_escaped_and_audited(client, admin_a, people_of_a):
    person = people_of_a["idle"]
    person.employer = '=HYPERLINK("http://x","y")'
    person.save(update_fields=["employer"])
    client.force_login(admin_a)
    response = client.get(reverse("reporting:people_export", args=["450103", "not_started", "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = next(r for r in rows if r[0] == person.name)
    assert mine[1] == person.masked_id_number and mine[3] == "13800138000"
    assert mine[4] == "'" + person.employer
    assert all(person.id_number not in cell for row in rows for cell in row)
    event = AuditEvent.objects.get(action="call_list_exported")
    assert event.actor == admin_a and event.detail["figure"] == "not_started"
    response = client.get(reverse("reporting:people_export", args=["450103", "returned", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == people_of_a["returned"].name and values[1][7]
    assert client.get("/reporting/450103/people/waiting/export.exe").status_code == 404


def test_the_city_dashboard_takes_a_fixed_number_of_queries(
    client, city_staff, campaign, county_a, django_assert_max_num_queries
):
    client.force_login(city_staff)
    client.get(reverse("reporting:dashboard"))
    make_submitted(county_a, campaign, 3)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 13


def test_the_county_page_and_a_people_list_take_a_fixed_number_of_queries(
    client, admin_a, campaign, county_a, django_assert_max_num_queries
):
    client.force_login(admin_a)
    make_submitted(county_a, campaign, 2)
    # Last week's figures at its cut-off (two sums over the tallies while not yet frozen).
    with django_assert_max_num_queries(11):
        assert client.get(reverse("reporting:bureau", args=["450103"])).status_code == 200
    make_submitted(county_a, campaign, 2)
    with django_assert_max_num_queries(7):
        assert (
            client.get(reverse("reporting:people", args=["450103", "waiting"])).status_code == 200
        )


def test_county_staff_are_sent_from_the_dashboard_to_their_own_county(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 302 and response["Location"].endswith("/reporting/450103/")


def test_without_a_running_campaign_the_pages_say_so(client, city_staff, admin_a):
    client.force_login(city_staff)
    page = client.get(reverse("reporting:dashboard"))
    assert page.status_code == 200 and "目前没有正在开展的信息采集工作" in page.content.decode()
    client.force_login(admin_a)
    assert client.get(reverse("reporting:plan", args=["450103"])).status_code == 200


def test_the_definitions_page_explains_every_figure(client):
    from reporting.figures import FIGURES

    page = client.get(reverse("reporting:definitions")).content.decode()
    for definition in FIGURES:
        assert f'id="{definition.key}"' in page


def test_when_every_county_is_at_risk_each_says_how_far_it_is_from_the_pace_it_needs(
    client, city_staff, campaign, county_a, clerk_a
):
    from django.utils.translation import gettext as _

    from tests.helpers import confirm

    applications = make_submitted(county_a, campaign, 30)
    for application in applications[:2]:
        confirm(application, clerk_a)
    client.force_login(city_staff)
    response = client.get(reverse("reporting:dashboard"))
    page = response.content.decode()
    at_risk = response.context["at_risk"]
    assert at_risk and all(r.forecast.at_risk for r in at_risk)
    mine = next(r for r in at_risk if r.bureau == county_a)
    assert mine.forecast.per_week == 1 and mine.forecast.needed_per_week > 1
    for r in at_risk:
        phrase = _(
            "needs %(needed)s confirmations a week, has %(pace)s a week over the last two weeks"
        ) % {"needed": r.forecast.needed_per_week, "pace": round(r.forecast.per_week)}
        assert phrase in page
    needed = mine.forecast.needed_per_week
    assert _("%(pace)s of %(needed)s a week") % {"pace": 1, "needed": needed} in page
