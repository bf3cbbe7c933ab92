"""A practitioner activates an account, uploads a photo, corrects and submits the application,
and prints the form; and a mistyped certificate number is refused without losing the entries.

Assertions are on data (database state, element ids, data-* attributes, URLs, response bytes)
rather than on UI wording, so they hold whether the collection pages are shown in Chinese or
English (and whatever the translation of a status says: it is compared with the site's own
translation of the status label).

Screenshots of these pages for people to look at are `make screenshots`' job; whether pages fit
a phone is test_phone_widths.py's.
"""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image
from playwright.sync_api import Page, expect

from collection.constants import ApplicationStatus
from collection.models import Application
from collection.originals import originals_for
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Lvcheng-Ledger-2026!"
MOBILE = "13907710000"
NEW_EMPLOYER = "南宁市青秀区新竹会计服务有限公司"

ACTIVATE = reverse("collection:activate")
HOME = reverse("collection:home")
FORM = reverse("collection:application")
PHOTO = reverse("collection:photo_upload")

# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def practitioner(county_a, campaign):
    """A practitioner of 青秀区 (450103) in the register, without a login yet."""
    person = PractitionerFactory(bureau=county_a)
    assert person.account_id is None
    return person


@pytest.fixture
def jpeg(tmp_path):
    """A 600 × 800 JPEG: larger than the 300 × 400 minimum, portrait like an ID photo."""
    path = tmp_path / "photo.jpg"
    image = Image.new("RGB", (600, 800), (235, 238, 242))
    image.paste((60, 70, 90), (180, 150, 420, 700))  # a dark "person" on a light background
    image.save(path, "JPEG", quality=90)
    return path


# --- Steps ------------------------------------------------------------------------------------


def status_label(status: str | None) -> str:
    """The home page's status wording as the site itself translates it (Chinese UI)."""
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        return gettext("Not started") if status is None else str(ApplicationStatus(status).label)


def application_of(practitioner) -> Application | None:
    return Application.objects.filter(practitioner=practitioner).first()


def fill_activation(page: Page, practitioner, **overrides) -> None:
    values = {
        "name": practitioner.name,
        "id_number": practitioner.id_number,
        "cert_number": practitioner.cert_number,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "mobile": MOBILE,
        **overrides,
    }
    for name, value in values.items():
        page.locator(f"form input[name={name}]").fill(value)


def submit_activation(page: Page) -> None:
    page.locator("main form").get_by_role("button").click()


def activate(page: Page, live_server, practitioner) -> None:
    page.goto(live_server.url + ACTIVATE)
    fill_activation(page, practitioner)
    submit_activation(page)
    expect(page).to_have_url(live_server.url + HOME)


def expect_status(page: Page, practitioner, status: str | None) -> None:
    expect(page.locator("#status")).to_have_text(status_label(status))
    application = application_of(practitioner)
    assert (application.status if application else None) == status


def upload_photo(page: Page, live_server, jpeg) -> None:
    page.goto(live_server.url + PHOTO)
    page.locator("#photo-form input[type=file][name=photo]").set_input_files(jpeg)
    page.locator("#photo-form button").click()
    expect(page).to_have_url(live_server.url + PHOTO)
    current = page.locator("#current-photo")
    expect(current).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.getElementById('current-photo');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert current.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [358, 441]


def click_action(page: Page, action: str) -> None:
    page.locator(f"#application-form button[name=action][value={action}]").click()


# --- Tests ------------------------------------------------------------------------------------


def test_practitioner_activates_uploads_photo_corrects_submits_and_prints(
    page: Page, live_server, practitioner, jpeg
):
    # Activation logs the practitioner in and lands on the home page: nothing started yet.
    activate(page, live_server, practitioner)
    practitioner.refresh_from_db()
    assert practitioner.account is not None
    assert practitioner.account.username == practitioner.id_number
    assert practitioner.account.mobile == MOBILE
    expect_status(page, practitioner, None)
    expect(page.locator(f"main a[href='{PHOTO}']")).to_be_visible()

    # The photo: chosen, framed by the script, stored, shown as it will be printed.
    page.locator(f"main a[href='{PHOTO}']").click()
    expect(page).to_have_url(live_server.url + PHOTO)
    upload_photo(page, live_server, jpeg)
    assert application_of(practitioner).photo_id is not None

    # The form, pre-filled from the record: a changed employer is marked as a correction.
    page.goto(live_server.url + FORM)
    employer = page.locator("#application-form [name=employer]")
    expect(employer).to_have_value(practitioner.employer)
    expect(page.locator(".registry-correction")).to_have_count(0)
    employer.fill(NEW_EMPLOYER)
    click_action(page, "save")
    expect(page).to_have_url(live_server.url + FORM)
    expect(page.locator("#application-form [name=employer]")).to_have_value(NEW_EMPLOYER)
    correction = page.locator(".registry-correction[data-field=employer]")
    expect(correction).to_be_visible()
    expect(correction).to_contain_text(practitioner.employer)  # the stored value, struck out
    expect(page.locator(".registry-correction")).to_have_count(1)
    assert application_of(practitioner).data["employer"] == NEW_EMPLOYER

    # Submit: back home, submitted, with a reference number.
    click_action(page, "submit")
    expect(page).to_have_url(live_server.url + HOME)
    expect_status(page, practitioner, ApplicationStatus.SUBMITTED)
    application = application_of(practitioner)
    assert re.fullmatch(practitioner.bureau.code + r"\d{8}", application.reference)
    expect(page.locator("main")).to_contain_text(application.reference)
    practitioner.refresh_from_db()
    assert practitioner.employer != NEW_EMPLOYER  # the record changes only at the counter

    # The form prints at once: the print page, printed by the browser (tests/e2e/test_print_page.py
    # checks what it prints); and the PDF, served inline to the logged-in practitioner.
    expect(page.locator("#print-form")).to_have_attribute(
        "href", reverse("collection:application_print")
    )
    link = page.locator("#download-form")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href == reverse("collection:application_pdf")
    response = page.request.get(live_server.url + href)  # shares the page's cookies
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1_000
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    assert application.reference in "".join(p.extract_text() or "" for p in reader.pages)

    # Home still shows the status and lists the originals to bring to the counter.
    page.goto(live_server.url + HOME)
    expect_status(page, practitioner, ApplicationStatus.SUBMITTED)
    main = page.locator("main")
    with translation.override("zh-hans"):
        originals = [str(o.label) for o in originals_for(application.data)]
    assert len(originals) >= 3  # form (sealed: there is an employer), certificate, ID card
    for label in originals:
        expect(main.locator("li", has_text=label)).to_have_count(1)


def test_wrong_certificate_number_is_refused_and_the_name_is_kept(
    page: Page, live_server, practitioner
):
    wrong = practitioner.cert_number[:-1] + str((int(practitioner.cert_number[-1]) + 1) % 10)
    page.goto(live_server.url + ACTIVATE)
    fill_activation(page, practitioner, cert_number=wrong)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit_activation(page)
    assert posted.value.status == 400
    expect(page.locator("#activation-error")).to_be_visible()
    expect(page.locator("form input[name=name]")).to_have_value(practitioner.name)
    expect(page.locator("form input[name=cert_number]")).to_have_value(wrong)
    expect(page).to_have_url(live_server.url + ACTIVATE)
    practitioner.refresh_from_db()
    assert practitioner.account_id is None


def test_photo_page_previews_and_frames_the_chosen_file(
    page: Page, live_server, practitioner, jpeg
):
    activate(page, live_server, practitioner)
    page.goto(live_server.url + PHOTO)
    blocked = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.locator("#photo-form input[type=file][name=photo]").set_input_files(jpeg)
    expect(page.locator("#crop-preview")).to_be_visible(timeout=1_500)
    assert not blocked, blocked
    width = page.locator("#photo-form input[name=crop_width]").input_value()
    height = page.locator("#photo-form input[name=crop_height]").input_value()
    assert width and height
    assert abs(int(width) / int(height) - 358 / 441) < 0.01  # the printed shape
    page.locator("#photo-form button").click()
    expect(page.locator("#current-photo")).to_be_visible()


def test_the_photo_frame_dims_the_photo_not_the_page(page: Page, live_server, practitioner, jpeg):
    """The frame's shade (a wide box-shadow) once covered the whole page, which then looked
    disabled: it is clipped to the photo."""
    activate(page, live_server, practitioner)
    page.goto(live_server.url + PHOTO)
    page.locator("#photo-form input[type=file][name=photo]").set_input_files(jpeg)
    expect(page.locator("#crop-preview")).to_be_visible(timeout=1_500)
    page.locator("#crop-zoom").fill("60")  # a smaller frame: some of the photo is outside it

    def brightest(selector: str) -> int:
        shot = Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("L")
        return shot.getextrema()[1]

    def corner_of_photo() -> int:
        box = page.locator("#crop-image").bounding_box()
        assert box is not None
        clip = {"x": box["x"] + 2, "y": box["y"] + 2, "width": 10, "height": 10}
        return Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L").getextrema()[1]

    assert brightest("h1") == 255  # the page's white is white: not shaded
    assert brightest("#photo-form button.btn-primary") >= 250  # the Upload button's label
    assert corner_of_photo() < 200  # the photo outside the frame is shaded (it is 238 bare)
