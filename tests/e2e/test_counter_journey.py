"""The counter: a practitioner of 青秀区 submits, a clerk of 青秀区 scans the reference, checks the
data side by side, confirms once every original is ticked and prints the confirmation record;
the practitioner then sees the application confirmed. A clerk of another county who scans the
same reference is only told where to send the person.

Like the other browser tests, assertions are on data (database state, element ids, data-*
attributes, URLs, response bytes) rather than on UI wording; the few texts compared are the
site's own values (names, addresses, numbers) or the site's translation of a status.

The journey also writes test-artifacts/counter-journey-*.png (the search page, the review page at
1366 and 1920 pixels, the refused confirmation, the confirmed page, the practitioner's confirmed
home page and the other county's "send them to" box) for a human to look at, and checks that no
page of the journey scrolls sideways.
"""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from collection import diff
from collection import services as collection_services
from collection.constants import ApplicationStatus
from collection.models import Application
from collection.originals import originals_for
from confirmation.constants import PrintKind
from confirmation.models import Confirmation, PrintLog
from practitioners.idnumbers import mask_id_number
from tests.e2e.pages import LAPTOP, PASSWORD, WIDE, page_overflow
from tests.helpers import jpeg_bytes, submit

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EMPLOYER = "南宁市青秀区新竹会计服务有限公司"

LOGIN = reverse("login")
HOME = reverse("collection:home")
FORM = reverse("collection:application")
COUNTER = reverse("confirmation:counter")


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def account(practitioner_a, account_a, campaign):
    """practitioner_a (韦丽芳, 青秀区 450103) with an activated login and an ID photo."""
    collection_services.set_application_photo(
        practitioner=practitioner_a, actor=account_a, data=jpeg_bytes()
    )
    return account_a


@pytest.fixture
def submitted(practitioner_a, account) -> Application:
    """The application submitted unchanged through the service (no browser): for the 2nd test."""
    return submit(practitioner_a, account)


# --- Steps ------------------------------------------------------------------------------------


def expect_status(page: Page, status: str) -> None:
    """The practitioner's home page: the status paragraph's data-status, and its badge's wording
    as the site itself translates the status (Chinese UI)."""
    expect(page.locator("main p[data-status]")).to_have_attribute("data-status", status)
    expect(page.locator("#status")).to_have_text(status_label(status))


def status_label(status: str) -> str:
    with translation.override("zh-hans"):
        return str(ApplicationStatus(status).label)


def log_in(page: Page, live_server, username: str, landing: str, *, go_to: str = "") -> None:
    """Log in (straight on to `go_to` when given, as after following a link) and land."""
    page.goto(live_server.url + LOGIN + (f"?next={go_to}" if go_to else ""))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form").get_by_role("button").click()
    expect(page).to_have_url(live_server.url + landing)


def scan(page: Page, text: str) -> None:
    """What a barcode scanner does: keystrokes into the focused box, then Enter."""
    expect(page.locator("#counter-q")).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def open_counter(page: Page, live_server, username: str) -> None:
    """A clerk logs in and goes to the counter (the menu's Counter item is the current page)."""
    log_in(page, live_server, username, COUNTER, go_to=COUNTER)
    expect(page.locator(f"nav a.nav-link.active[href='{COUNTER}']")).to_be_visible()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


# --- Tests ------------------------------------------------------------------------------------


def test_counter_confirms_and_prints_and_the_practitioner_sees_it(
    new_page, live_server, practitioner_a, account, clerk_a
):
    def fits(page: Page, name: str) -> None:
        assert page_overflow(page) == 0, f"{name} scrolls sideways"

    # 1. The practitioner (photo already uploaded) corrects the employer and submits.
    stored_employer = diff.display("employer", diff.record_values(practitioner_a)["employer"])
    person = new_page()
    log_in(person, live_server, practitioner_a.id_number, FORM, go_to=FORM)
    person.locator("#application-form [name=employer]").fill(NEW_EMPLOYER)
    person.locator("#application-form button[name=action][value=submit]").click()
    expect(person).to_have_url(live_server.url + HOME)
    expect_status(person, ApplicationStatus.SUBMITTED)
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    reference = application.reference
    expect(person.locator("#reference")).to_have_text(reference)  # what the form's QR code holds
    person.context.close()

    # 2. The clerk of 青秀区 scans the reference at the counter.
    clerk = new_page(LAPTOP)
    open_counter(clerk, live_server, clerk_a.username)
    fits(clerk, "search-1366")
    scan(clerk, reference)
    review_url = live_server.url + reverse("confirmation:review", args=[application.pk])
    expect(clerk).to_have_url(review_url)

    # Side by side: the stored record and what was submitted; the employer marked as changed.
    table = clerk.locator("#side-by-side")
    expect(table.locator("tr[data-field=name]")).to_contain_text(practitioner_a.name)
    expect(table.locator("tr[data-field=id_number]")).to_contain_text(practitioner_a.id_number)
    employer = table.locator("tr[data-field=employer]")
    expect(employer).to_have_class(re.compile(r"\bregistry-changed\b"))
    expect(employer.locator("td").nth(0)).to_have_text(stored_employer)
    expect(employer.locator("td").nth(1)).to_have_text(NEW_EMPLOYER)
    expect(table.locator("tr.registry-changed")).to_have_count(1)
    expect(clerk.locator("#review-status")).to_have_text(status_label(ApplicationStatus.SUBMITTED))
    fits(clerk, "review-1366")
    clerk.set_viewport_size(WIDE)
    fits(clerk, "review-1920")
    clerk.set_viewport_size(LAPTOP)

    # The checklist: one box per original the submitted data calls for.
    boxes = clerk.locator("#confirm-form input[type=checkbox]")
    expected_ticks = {f"tick_{o.key}" for o in originals_for(application.data)}
    expect(boxes).to_have_count(len(expected_ticks))
    assert set(boxes.evaluate_all("els => els.map(e => e.name)")) == expected_ticks
    expect(boxes.first).to_be_focused()  # the clerk starts ticking without the mouse

    # Confirm with one tick missing: refused, nothing changes.
    for index in range(len(expected_ticks) - 1):
        boxes.nth(index).check()
    with clerk.expect_response(lambda r: r.request.method == "POST") as posted:
        clerk.locator("#confirm-button").click()
    assert posted.value.status == 400
    expect(clerk.locator("#confirm-error")).to_be_visible()
    expect(clerk.locator("#archive-number")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Confirmation.objects.filter(application=application).exists()
    expect(boxes.nth(0)).to_be_checked()  # the ticks already set are kept
    expect(boxes.last).not_to_be_checked()
    fits(clerk, "review-missing-tick-1366")

    # Every tick: confirmed, with an archive number of the bureau and the year.
    for index in range(boxes.count()):
        boxes.nth(index).check()
    clerk.locator("#confirm-button").click()
    expect(clerk).to_have_url(review_url)
    number = clerk.locator("#archive-number")
    expect(number).to_be_visible()
    year = timezone.localdate().year
    expect(number).to_have_text(re.compile(rf"^450103{year}\d{{6}}$"))
    archive_number = number.inner_text()
    confirmation = Confirmation.objects.get(application=application)
    assert confirmation.archive_number == archive_number
    assert confirmation.clerk == clerk_a
    assert set(confirmation.checklist) == {t.removeprefix("tick_") for t in expected_ticks}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    practitioner_a.refresh_from_db()
    assert practitioner_a.employer == NEW_EMPLOYER  # the confirmed version is now the record
    expect(clerk.locator("#review-status")).to_have_text(status_label(ApplicationStatus.CONFIRMED))
    expect(clerk.locator("#confirm-form")).to_have_count(0)
    fits(clerk, "confirmed-1366")

    # Print: the form POSTs into a new tab, which receives the PDF.
    button = clerk.locator("#print-certificate")
    expect(button.locator("xpath=ancestor::form[1]")).to_have_attribute("target", "_blank")
    printed = {}

    def keep_the_pdf(route):
        # Chromium's PDF viewer replaces the body a response event sees: take it on its way.
        response = route.fetch()
        printed.update(method=route.request.method, response=response, body=response.body())
        route.fulfill(response=response)

    certificate = reverse("confirmation:certificate", args=[confirmation.pk])
    clerk.context.route("**" + certificate, keep_the_pdf)
    with (
        clerk.context.expect_page() as tab,
        clerk.context.expect_event("requestfinished", lambda r: r.url.endswith(certificate)),
    ):
        button.click()
    assert tab.value.opener() == clerk  # a new tab opened by the review page
    assert printed["method"] == "POST"
    tab.value.close()  # the clerk prints from the browser's PDF viewer: not tested here
    response = printed["response"]
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    pdf = printed["body"]
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "信息采集已确认" in text
    assert archive_number in text
    assert list(
        PrintLog.objects.filter(confirmation=confirmation).values_list("kind", flat=True)
    ) == [PrintKind.FIRST]

    # The review tab turns into the reprint form at once: a reason is needed, and the browser
    # will not send the form without one (the review stays in its own tab).
    reason = clerk.locator("#reprint-reason")
    expect(reason).to_be_visible()
    expect(reason).to_have_attribute("required", "")
    assert clerk.locator("#print-certificate").evaluate("b => !b.form.checkValidity()")
    expect(clerk).to_have_url(review_url)

    # 3. The practitioner, on another device, sees the application confirmed.
    person = new_page()
    log_in(person, live_server, practitioner_a.id_number, HOME)
    expect_status(person, ApplicationStatus.CONFIRMED)
    expect(person.locator("#reference")).to_have_text(reference)
    expect(person.locator("#print-form")).to_have_count(0)
    fits(person, "practitioner-confirmed-1280")


def test_clerk_of_another_county_is_told_where_to_send_the_person(
    new_page, live_server, practitioner_a, submitted, clerk_b, county_a
):
    clerk = new_page(LAPTOP)
    open_counter(clerk, live_server, clerk_b.username)
    scan(clerk, submitted.reference)
    expect(clerk).to_have_url(re.compile(re.escape(COUNTER) + r"\?q=" + submitted.reference + "$"))

    elsewhere = clerk.locator("#elsewhere")
    expect(elsewhere).to_be_visible()
    assert county_a.name == "青秀区财政局"
    expect(elsewhere).to_contain_text(county_a.name)
    expect(elsewhere).to_contain_text(county_a.hall_address)
    expect(elsewhere).to_contain_text(county_a.hall_phone)

    # Nothing about the person: not in the text, not in the markup, no link to the review page.
    html = clerk.content()
    for secret in (
        practitioner_a.name,
        practitioner_a.id_number,
        mask_id_number(practitioner_a.id_number),
        practitioner_a.cert_number,
    ):
        assert secret not in html, secret
    review = reverse("confirmation:review", args=[submitted.pk])
    expect(clerk.locator(f"a[href='{review}']")).to_have_count(0)
    assert clerk.goto(live_server.url + review).status == 404
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
