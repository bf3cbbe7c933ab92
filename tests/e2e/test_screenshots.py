"""Screenshots of the clerk's pages at desktop and phone width, for a human to look at.

Written to test-artifacts/ (gitignored): login-<size>.png, list-<size>.png, detail-<size>.png.
The test also checks what a screenshot cannot be trusted to show: no page-level sideways
scrolling at phone width (wide tables must scroll inside their own box).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from practitioners.idnumbers import mask_id_number
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_clerk_finds_practitioner import log_in, search
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {
    "desktop": (DESKTOP, {}),
    "phone": (PHONE, {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}),
}


def page_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_login_list_and_detail(
    new_page, live_server, artifacts_dir, clerk_a, county_a, size
):
    viewport, options = SIZES[size]
    page = new_page(viewport, **options)
    # A rare-character name (CJK Extension A) and long free text: the hard cases for fonts
    # and narrow screens.
    person = PractitionerFactory(
        bureau=county_a,
        name="韦䶮堃",
        employer="南宁市青秀区绿城八桂北部湾东盟国际商贸物流供应链管理有限责任公司",
        address="广西壮族自治区南宁市青秀区民族大道136-5号华润大厦C座32楼3201号",
        email="wei.yanken.accounting-department@qingxiu-lvcheng-trading.example.com",
    )

    page.goto(live_server.url + "/")
    page.screenshot(path=artifacts_dir / f"login-{size}.png", full_page=True)
    assert page_overflow(page) == 0, "login page scrolls sideways"

    log_in(page, live_server, "clerk_a")
    search(page, person.id_number)
    expect(page.locator("table tbody tr")).to_contain_text(mask_id_number(person.id_number))
    page.screenshot(path=artifacts_dir / f"list-{size}.png", full_page=True)
    assert page_overflow(page) == 0, "register list scrolls sideways"

    page.get_by_role("link", name=person.name).click()
    expect(page).to_have_url(live_server.url + reverse("practitioners:detail", args=[person.pk]))
    expect(page.locator("h1")).to_have_text(person.name)
    page.screenshot(path=artifacts_dir / f"detail-{size}.png", full_page=True)
    assert page_overflow(page) == 0, "detail page scrolls sideways"
