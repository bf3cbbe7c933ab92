"""Every kind of page fits a phone (390 CSS pixels): nothing scrolls sideways, and table cells
keep names readable (never one character a line). `make screenshots` takes the pictures."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.pages import PASSWORD, PHONE, PHONE_OPTIONS, page_overflow
from tests.factories import PractitionerFactory
from tests.helpers import confirm, make_submitted

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form").get_by_role("button").click()
    page.wait_for_load_state()


def narrowest_name_cell(page: Page) -> float:
    """The width, in characters, of the narrowest table cell holding a name (0 if none)."""
    return page.evaluate(
        """() => {
          const widths = [...document.querySelectorAll('td, th')]
            .filter(c => /^[\\u4e00-\\u9fff]{2,4}$/.test(c.innerText.trim()))
            .map(c => c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize));
          return widths.length ? Math.min(...widths) : 0;
        }"""
    )


def check(page: Page, live_server, url: str) -> None:
    response = page.goto(live_server.url + url)
    assert response.status == 200, url
    assert page_overflow(page) == 0, f"{url} scrolls sideways at 390 px"
    narrowest = narrowest_name_cell(page)
    assert narrowest == 0 or narrowest >= 3, f"{url}: a name cell {narrowest:.1f} characters wide"


def test_staff_pages_fit_a_phone(new_page, live_server, clerk_a, city_staff, county_a, campaign):
    applications = make_submitted(county_a, campaign, 3)
    confirmed = confirm(applications[0], clerk_a)
    person = PractitionerFactory(
        bureau=county_a,
        name="韦䶮堃",
        employer="南宁市青秀区绿城八桂北部湾东盟国际商贸物流供应链管理有限责任公司",
        address="广西壮族自治区南宁市青秀区民族大道136-5号华润大厦C座32楼3201号",
        email="wei.yanken.accounting-department@qingxiu-lvcheng-trading.example.com",
    )
    page = new_page(PHONE, **PHONE_OPTIONS)
    log_in(page, live_server, clerk_a.username)
    for url in (
        reverse("practitioners:list"),
        reverse("practitioners:detail", args=[person.pk]),
        reverse("confirmation:counter"),
        reverse("confirmation:queue"),
        reverse("confirmation:review", args=[applications[1].pk]),
        reverse("confirmation:review", args=[confirmed.application_id]),
        reverse("confirmation:day_sheet"),
        reverse("collection:staff_application", args=[applications[1].practitioner_id]),
        reverse("collection:campaigns"),
        reverse("practitioners:bureau_overview"),
    ):
        check(page, live_server, url)
    city = new_page(PHONE, **PHONE_OPTIONS)
    log_in(city, live_server, city_staff.username)
    for url in (
        reverse("practitioners:bureau_overview"),
        reverse("collection:campaigns"),
        reverse("business:register_import"),
        reverse("practitioners:export"),
        reverse("confirmation:print_settings"),
        reverse("reporting:dashboard"),
    ):
        check(city, live_server, url)
    # The progress table is the page: on a phone it fits without scrolling inside its box
    # (the forecast goes under each bureau's name, the running total stays for wider screens).
    city.goto(live_server.url + reverse("reporting:dashboard"))
    inside = city.evaluate(
        """[...document.querySelectorAll('.table-responsive')]
             .map(box => box.scrollWidth - box.clientWidth)"""
    )
    assert inside and max(inside) <= 0, f"the progress table scrolls {inside} px in its box"


def test_practitioner_pages_fit_a_phone(new_page, live_server, county_a, campaign):
    (application,) = make_submitted(county_a, campaign, 1)
    page = new_page(PHONE, **PHONE_OPTIONS)
    log_in(page, live_server, application.practitioner.id_number)
    for url in (
        reverse("collection:home"),
        reverse("collection:application"),
        reverse("collection:photo_upload"),
        reverse("collection:application_print"),  # the A4 sheet scrolls in its frame
    ):
        check(page, live_server, url)
    anonymous = new_page(PHONE, **PHONE_OPTIONS)
    for url in (
        reverse("login"),
        reverse("collection:activate"),
        reverse("collection:reset_with_code"),
        reverse("password_reset"),
    ):
        check(anonymous, live_server, url)
