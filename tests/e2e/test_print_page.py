"""The form prints at once (issue 29): the print page, printed by Chromium, is one A4 page with
every field of the PDF, its Chinese text extractable and its QR code decodable (zbarimg), the
moment the application is submitted, whatever the worker's queue."""

import functools
import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from fontTools.ttLib import TTCollection
from pypdf import PdfReader

from collection import pdf as form_pdf
from collection import services as collection_services
from tests.conftest import activate
from tests.e2e.pages import DESKTOP, assert_accessible, nu_errors
from tests.factories import PractitionerFactory
from tests.helpers import confirm as confirm_at_counter
from tests.helpers import jpeg_bytes, submit, submit_change

pytestmark = pytest.mark.django_db(transaction=True)

A4_POINTS = (595.28, 841.89)
MISSING_ZBAR = "zbarimg not found on PATH: install Debian's zbar-tools: make test-system-deps"


@functools.cache
def same_glyph() -> dict[int, str]:
    """Chromium's PDF names some glyphs of Noto Sans CJK by a radical (⼈ U+2F08 for 人, ⺠ for
    民): the font draws both with one glyph. {radical: the ideograph of its glyph}, from the
    font's own character map."""
    found = subprocess.run(
        ["fc-match", "Noto Sans CJK SC", "--format=%{file}\n%{index}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    cmap = TTCollection(found[0]).fonts[int(found[1])].getBestCmap()
    ideograph = {}
    for code in range(0x4E00, 0xA000):
        if code in cmap:
            ideograph.setdefault(cmap[code], chr(code))
    return {
        code: ideograph[cmap[code]]
        for code in range(0x2E80, 0x2FE0)
        if code in cmap and cmap[code] in ideograph
    }


def compact(text: str) -> str:
    """Text without spaces, each glyph read as the ideograph it draws (same_glyph)."""
    return "".join(text.translate(same_glyph()).split())


def printed(new_page, live_server, account, url: str) -> bytes:
    """The page at `url`, as the practitioner's browser prints it to PDF."""
    client = Client()
    client.force_login(account)
    page = new_page(DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    response = page.goto(live_server.url + url)
    assert response.status == 200
    assert_accessible(page)  # on screen, before printing
    page.emulate_media(media="print")
    assert not page.locator(".print-bar").is_visible()  # the bar does not print
    return page.pdf(prefer_css_page_size=True, print_background=True)


def qr_text(pdf: bytes, folder) -> str:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip(MISSING_ZBAR)
    (folder / "form.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", "form.pdf", "form"],
        cwd=folder,
        check=True,
    )
    done = subprocess.run(
        [zbarimg, "--raw", "-q", "form.png"], cwd=folder, capture_output=True, text=True
    )
    return done.stdout.strip()


def fields_of(submission) -> list[str]:
    """Every label and value the form shows (the PDF's own context), in Chinese."""
    with translation.override("zh-hans"):
        sections = form_pdf.form_context(submission)["sections"]
    return [
        compact(text)
        for section in sections
        for row in section.rows
        for cell in row
        for text in (cell.label, cell.value)
        if compact(text) not in ("", "—")
    ]


def one_a4_page(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1, f"{len(reader.pages)} pages"
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 0), round(float(box.height), 0)) == tuple(
        round(v, 0) for v in A4_POINTS
    )
    return compact(reader.pages[0].extract_text())


@pytest.fixture
def person(county_a, campaign):
    person = PractitionerFactory(
        bureau=county_a, employer="南宁市青秀区新竹会计服务有限公司", ethnicity="壮族"
    )
    account = activate(person)
    collection_services.set_application_photo(practitioner=person, actor=account, data=jpeg_bytes())
    return person, account


def test_the_application_form_prints_at_once_as_one_a4_page_like_the_pdf(
    new_page, live_server, person, tmp_path
):
    practitioner, account = person
    application = submit(practitioner, account)
    submission = application.latest_submission
    data = printed(new_page, live_server, account, reverse("collection:application_print"))

    text = one_a4_page(data)
    assert compact(f"受理编号：{application.reference}") in text
    assert "南宁市会计从业人员基本信息采集表" in text
    stored = compact(
        PdfReader(io.BytesIO(form_pdf.render_application_form(submission))).pages[0].extract_text()
    )
    for item in fields_of(submission):
        assert item in text, f"{item} missing from the printed page"
        assert item in stored, f"{item} missing from the PDF"
    assert qr_text(data, tmp_path) == application.reference


def test_the_change_form_prints_at_once(new_page, live_server, person, clerk_a, tmp_path):
    practitioner, account = person
    confirm_at_counter(submit(practitioner, account), clerk_a)
    practitioner.refresh_from_db()
    change = submit_change(practitioner, account, employer="广西北部湾会计师事务所有限公司")
    data = printed(new_page, live_server, account, reverse("collection:change_print"))
    text = one_a4_page(data)
    assert "南宁市会计从业人员基本信息变更表" in text
    assert "广西北部湾会计师事务所有限公司（变更）" in text
    assert qr_text(data, tmp_path) == change.reference


def test_the_print_page_has_no_nu_checker_error(person, tmp_path, settings):
    practitioner, account = person
    submit(practitioner, account)
    client = Client()
    client.force_login(account)
    documents = {}
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        documents[f"print.{language}"] = client.get(reverse("collection:application_print")).text
    errors = nu_errors(documents, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)
