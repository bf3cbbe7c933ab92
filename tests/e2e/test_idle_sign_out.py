"""A bureau administrator types into a form and is called away: typing keeps the session alive,
a warning comes before the end with "stay signed in", and when nobody answers the page signs
out, and after the login puts back what was typed (static/js/idle.js; a 6-second idle time
here, 15 minutes by default)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from tests.e2e.test_clerk_finds_practitioner import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, username: str) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form").get_by_role("button").click()


def test_the_typing_survives_the_idle_sign_out(page: Page, live_server, admin_a, settings):
    settings.REGISTRY_STAFF_IDLE_SECONDS = 6  # the warning 3 seconds before the end
    form = reverse("practitioners:create")
    page.goto(live_server.url + form)
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next="))
    log_in(page, "admin_a")
    expect(page).to_have_url(live_server.url + form)

    page.locator("input[name=name]").fill("韦丽芳")
    page.locator("input[name=address]").fill("南宁市青秀区民族大道 100 号")
    warning = page.locator("#idle-warning")
    page.wait_for_timeout(4000)  # past the first warning time: the typing kept it away
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=6000)
    expect(page.locator("#idle-stay")).to_be_focused()
    page.locator("#idle-stay").click()
    expect(warning).to_be_hidden()
    expect(page).to_have_url(live_server.url + form)

    # Nobody answers the next warning: the page signs out, keeping the typing.
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next="), timeout=12000)
    assert AuditEvent.objects.filter(actor=admin_a, action=AuditAction.SIGNED_OUT_IDLE).exists()
    expect(page.locator("main .alert")).to_contain_text(re.compile("6|1"))
    log_in(page, "admin_a")
    expect(page).to_have_url(live_server.url + form)
    expect(page.locator("#typing-restored")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("韦丽芳")
    expect(page.locator("input[name=address]")).to_have_value("南宁市青秀区民族大道 100 号")
    expect(page.locator("input[name=password]")).to_have_count(0)
