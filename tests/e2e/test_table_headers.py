"""Tables read on a phone and at the counter PC: a heading never breaks inside a word (a phone
showed 持证人/数, the audit trail at 1366 px 客户端/地/址), and its columns fit the screen."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from business import services as business_services
from practitioners.models import AuditEvent
from tests.e2e.pages import LAPTOP, PHONE, PHONE_OPTIONS, page_overflow
from tests.e2e.test_phone_widths import check, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Each visible heading's breaks between two Han characters: a Chinese word has no spaces, so a
# line break there splits a word ("持证人" on one line, "数" on the next).
BROKEN_HEADINGS = """() => {
  const han = /[\\u3400-\\u9fff]/;
  const broken = [];
  for (const th of document.querySelectorAll('thead th')) {
    if (!th.offsetParent) continue;  // a column hidden at this width
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    let previous = null;  // [character, top of its line]
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect || !rect.width) continue;
        const character = node.data[i];
        if (previous && han.test(previous[0]) && han.test(character) && rect.top > previous[1] + 2) {
          broken.push(th.innerText.trim());
        }
        previous = [character, rect.top];
      }
    }
  }
  return broken;
}"""


def broken_headings(page: Page, live_server, url: str) -> list[str]:
    response = page.goto(live_server.url + url)
    assert response.status == 200, url
    assert page_overflow(page) == 0, f"{url} scrolls sideways"
    return page.evaluate(BROKEN_HEADINGS)


def test_no_heading_breaks_inside_a_word_on_a_phone(
    new_page, live_server, city_staff, clerk_a, confirmed_person, campaign
):
    business_services.register_on_post(
        practitioner=confirmed_person,
        actor=confirmed_person.account,
        values={
            "employer": "南宁会计服务有限公司",
            "post": "出纳",
            "start_date": datetime.date(2025, 3, 1),
        },
    )
    city = new_page(PHONE, **PHONE_OPTIONS)
    log_in(city, live_server, city_staff.username)
    for url in (
        reverse("practitioners:bureau_overview"),
        reverse("reporting:dashboard"),
        reverse("reporting:publish"),
    ):
        assert broken_headings(city, live_server, url) == [], url
    clerk = new_page(PHONE, **PHONE_OPTIONS)
    log_in(clerk, live_server, clerk_a.username)
    for url in (reverse("practitioners:bureau_overview"), reverse("business:decisions")):
        assert broken_headings(clerk, live_server, url) == [], url
        check(clerk, live_server, url)  # and no name one character a line


def test_the_audit_trails_columns_fit_the_counter_pc(
    new_page, live_server, city_staff, clerk_a, practitioner_a
):
    detail = {
        "reference": "45010326469385",
        "version": 2,
        "archive_number": "4501032026000001",
        "checklist": ["sealed_form", "certificate", "id_card", "graduation", "abacus"],
        "changes": ["mobile", "employer"],
    }
    for address in ("2408:8456:3f11:1c2a:8d3e:b6f:4c21:9a77", "203.0.113.254", None):
        AuditEvent.objects.create(
            actor=clerk_a,
            action="application_confirmed",
            bureau=clerk_a.bureau,
            practitioner=practitioner_a,
            address=address,
            detail=detail,
        )
    page = new_page(LAPTOP)
    log_in(page, live_server, city_staff.username)
    assert broken_headings(page, live_server, reverse("practitioners:audit")) == []
    table = page.locator("#audit-events")
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= LAPTOP["width"]
    assert (
        page.evaluate(
            "(() => { const d = document.querySelector('#audit-events').parentElement;"
            " return d.scrollWidth - d.clientWidth; })()"
        )
        == 0
    ), "the audit trail scrolls sideways in its box at 1366 px"
    # Every heading on one line: the header row is as high as one line of it.
    heights = page.evaluate(
        "[...document.querySelectorAll('#audit-events thead th')].map(th => {"
        " const r = document.createRange(); r.selectNodeContents(th);"
        " return new Set([...r.getClientRects()].filter(x => x.width).map(x => Math.round(x.top))).size; })"
    )
    assert heights and set(heights) == {1}, heights
