"""A hurried user in the browser (issue 27, points 8 and 9): a real double click on 提交 submits
the application once and shows it submitted; a real Enter key in a reason box on 业务审核
returns that registration (or, with no reason, sends nothing), never approves it."""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from business import services as business_services
from business.constants import RegistrationStatus
from business.models import EducationRecord
from collection.constants import ApplicationStatus
from collection.models import Application
from tests.e2e.pages import DESKTOP, LAPTOP
from tests.e2e.test_business_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)

FORM = reverse("collection:application")
HOME = reverse("collection:home")
DECISIONS = reverse("business:decisions")
CONFLICT = "在其他窗口中被修改"  # "changed in another window", as the zh-Hans page says it
# A person's double click: the second click 2 × 60 ms after the first (Playwright's `delay` is
# waited after each press and between the clicks).
CLICK_DELAY_MS = 60
# How long the answer to a POST takes to come back: a real server's, not the live server's few
# milliseconds, so the second click comes while the first request is in flight.
ANSWER_DELAY_S = 0.6
# A submission renders its printed form before it answers (the task backend of the tests runs
# tasks at once): seconds on a busy machine, beyond the browser tests' usual 5 s.
SUBMIT_TIMEOUT_MS = 30_000


def posts_to(page: Page, path: str) -> list:
    """The POST requests the page sends to `path` from now on (a live list)."""
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and request.url.split("?")[0].endswith(path)
            else None
        ),
    )
    return sent


def answer_posts_slowly(page: Page, path: str) -> None:
    """POSTs to `path` reach the server at once, their answers reach the page ANSWER_DELAY_S
    later. A POST the page gave up meanwhile (a newer submission replaced it) was still
    handled by the server, as over a real network."""

    def slowly(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        try:
            answer = route.fetch(max_redirects=0, timeout=SUBMIT_TIMEOUT_MS)
            time.sleep(ANSWER_DELAY_S)
            route.fulfill(response=answer)
        except PlaywrightError:
            pass  # the page gave this one up: the server has still handled it

    page.route(f"**{path}", slowly)


def double_click_submit(page: Page, live_server, account) -> list:
    log_in(page, live_server, account.username)
    page.goto(live_server.url + FORM)
    sent = posts_to(page, FORM)
    answer_posts_slowly(page, FORM)
    page.dblclick("#application-form button[name=action][value=submit]", delay=CLICK_DELAY_MS)
    expect(page).to_have_url(live_server.url + HOME, timeout=SUBMIT_TIMEOUT_MS)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("main")).not_to_contain_text(CONFLICT)
    return sent


def test_a_double_click_on_submit_sends_one_post_and_shows_it_submitted(
    live_server, page, practitioner_a, account_a, with_photo
):
    sent = double_click_submit(page, live_server, account_a)

    assert len(sent) == 1
    assert "action=submit" in sent[0].post_data
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submissions.count() == 1


def test_without_the_script_the_second_post_of_a_double_click_shows_it_submitted(
    live_server, new_page, practitioner_a, account_a, with_photo
):
    """The server's half: with scripts off, the browser sends both clicks' POSTs and shows the
    second one's answer, which must be the submitted application, not a conflict."""
    page = new_page(DESKTOP, java_script_enabled=False)

    sent = double_click_submit(page, live_server, account_a)

    assert len(sent) == 2
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submissions.count() == 1


@pytest.fixture
def waiting(confirmed_person):
    """A continuing-education registration of county A's waiting for its clerks."""
    return business_services.register_education(
        practitioner=confirmed_person,
        actor=confirmed_person.account,
        values={"year": 2025, "hours": 24, "provider": "南宁市会计学会", "content": "准则"},
    )


def test_enter_in_the_reason_box_returns_and_never_approves(
    live_server, new_page, clerk_a, waiting
):
    clerk = new_page(LAPTOP)
    log_in(clerk, live_server, clerk_a.username)
    clerk.goto(live_server.url + DECISIONS)
    decide = reverse("business:decide", args=["education", waiting.pk])
    sent = posts_to(clerk, decide)
    reason = clerk.locator(f"#reason-education-{waiting.pk}")

    # Enter with no reason yet: the browser asks for one and sends nothing.
    reason.press("Enter")
    expect(reason).to_be_focused()
    assert clerk.evaluate("element => !element.validity.valid", reason.element_handle())

    # Enter after typing the reason: returned, with that reason.
    reason.fill("请上传学时证明")
    with clerk.expect_navigation():
        reason.press("Enter")
    expect(clerk.locator(f"#education-{waiting.pk}")).to_have_count(0)

    assert len(sent) == 1 and "action=return" in sent[0].post_data
    record = EducationRecord.objects.get(pk=waiting.pk)
    assert record.status == RegistrationStatus.RETURNED
    assert record.return_reason == "请上传学时证明"
