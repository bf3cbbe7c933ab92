"""The printed application form: what it says, that it is one A4 page whatever the values, how
it reads (tagged, in order), that it is rendered once and kept, and that it never goes online."""

import io
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from collection import originals
from collection import pdf as collection_pdf
from collection.constants import ApplicationStatus
from collection.diff import record_values
from collection.models import Application, Photo, Submission
from core.pdf import offline_fetcher, render_html_to_pdf
from core.storage import private_storage
from practitioners.constants import TitleLevel
from practitioners.models import Practitioner
from tests.factories import PractitionerFactory
from tests.helpers import longest_values, submit

pytestmark = pytest.mark.django_db
REFERENCE = "45010326123456"
NO_SEAL = "无工作单位，无需盖章"
SEAL_BOX = "工作单位（盖章）"
CLOSING_PUNCTUATION = "，。、；：）」』》！？"


def photo_of(practitioner) -> Photo:
    """A stored 358x441 JPEG, as the upload service leaves it."""
    out = io.BytesIO()
    Image.new("RGB", (358, 441), (60, 120, 200)).save(out, "JPEG", quality=85)
    photo = Photo(practitioner=practitioner, sha256="0" * 64)
    photo.image.save("photo.jpg", ContentFile(out.getvalue()), save=False)
    photo.national_image.save("national.jpg", ContentFile(out.getvalue()), save=False)
    photo.save()
    return photo


def submission_of(practitioner, campaign, *, reference=REFERENCE, **changes) -> Submission:
    """A submitted version 1 of the practitioner's record, with `changes` to the data."""
    data = {**record_values(practitioner), **changes}
    photo = photo_of(practitioner)
    application = Application.objects.create(
        campaign=campaign,
        practitioner=practitioner,
        bureau=practitioner.bureau,
        status=ApplicationStatus.SUBMITTED,
        data=data,
        photo=photo,
        reference=reference,
        submitted_at=timezone.now(),
    )
    return Submission.objects.create(
        application=application,
        number=1,
        data=data,
        record=record_values(practitioner),
        photo=photo,
    )


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def compact(text: str) -> str:
    """Text without whitespace: extraction puts spaces and line breaks where lines wrap."""
    return "".join(text.split())


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


@pytest.fixture
def practitioner(county_a):
    return PractitionerFactory(
        bureau=county_a,
        name="韦䶮",
        employer="南宁市东盟食品有限责任公司",
        title_level=TitleLevel.INTERMEDIATE,
        title_cert_number="ZJ2019-0451",
    )


@pytest.fixture
def submission(practitioner, campaign):
    return submission_of(practitioner, campaign)


@pytest.fixture
def pdf(submission) -> bytes:
    return collection_pdf.render_application_form(submission)


def test_form_shows_the_rare_name_the_reference_and_where_to_bring_it(pdf, county_a):
    text = text_of(pdf)
    assert "南宁市会计从业人员基本信息采集表" in text
    assert "韦䶮" in text
    assert REFERENCE in text
    assert county_a.hall_address in compact(text)
    assert county_a.hall_phone in text


def test_the_footer_carries_the_reference(pdf):
    footer_line = [
        line for line in text_of(pdf).splitlines() if "第 1 页" in line or "第1页" in line
    ]
    assert footer_line
    assert text_of(pdf).count(REFERENCE) >= 3  # the masthead, under the QR code, the footer


def test_form_is_in_chinese_whatever_language_is_active(submission):
    with translation.override("en"):
        text = text_of(collection_pdf.render_application_form(submission))
    assert "出生日期" in text  # Practitioner.birth_date's label
    assert "Date of birth" not in text
    assert "本人承诺所填信息真实、准确、完整" in text
    assert "本人签名：" in text


def test_the_form_is_tagged_pdf_ua_in_chinese(pdf):
    catalog = reader(pdf).trailer["/Root"]
    assert catalog["/Lang"] == "zh-CN"
    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    metadata = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in metadata  # the PDF/UA identification


def test_text_reads_in_order_label_then_value(submission, pdf):
    text = compact(text_of(pdf))
    data = submission.data
    name_label, gender_label = (
        zh(Practitioner._meta.get_field(f).verbose_name) for f in ("name", "gender")
    )
    assert text.index(name_label) < text.index(data["name"]) < text.index(gender_label)
    employer_label = zh(Practitioner._meta.get_field("employer").verbose_name)
    assert text.index(employer_label) < text.index(data["employer"])


def font_names(pdf: bytes) -> set[str]:
    """The embedded fonts' names without their subset tags (ABCDEF+Noto-Sans-CJK-SC)."""
    names = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)
                names.add(str(descendant["/BaseFont"]).split("+", 1)[-1])
    return names


def test_every_font_is_embedded_and_headings_are_bold(pdf):
    names = font_names(pdf)
    assert any("Bold" in name for name in names), names
    # Noto Sans CJK, as the subset of GB 2312 (core.pdf) and whole for a rare character
    assert all("CJK" in name or name.startswith("Registry-Sans-SC") for name in names), names


def test_the_qr_code_is_the_reference_one_unsmoothed_pixel_per_module(pdf):
    """Scanned at the counter: the segno matrix (quiet zone included) one pixel per module,
    drawn unsmoothed so that viewers and printers keep the modules square."""
    qr = collection_pdf.qr_code(REFERENCE)
    expected = [[bool(module) for module in row] for row in qr.matrix_iter(border=4)]
    page = reader(pdf).pages[0]
    (drawn,) = [i.image for i in page.images if i.image.size == (len(expected),) * 2]
    gray = drawn.convert("L")
    assert [
        [gray.getpixel((x, y)) < 128 for x in range(gray.width)] for y in range(gray.height)
    ] == expected


def test_every_value_the_form_accepts_fits_one_a4_page(county_a, campaign):
    submission = submission_of(
        PractitionerFactory(bureau=county_a, name="韦䶮"), campaign, **longest_values(county_a)
    )
    pdf = collection_pdf.render_application_form(submission)
    pages = reader(pdf).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (round(box.width * 25.4 / 72), round(box.height * 25.4 / 72)) == (210, 297)
    text = compact(text_of(pdf))
    for value in (submission.data["address"], submission.data["employer"], "本人签名"):
        assert compact(value) in text
    assert len(pdf) < 400 * 1024


def test_no_line_starts_with_closing_punctuation(county_a, campaign):
    """Pango's line breaking keeps ，）。 at the end of a line, as Chinese typesetting does."""
    submission = submission_of(
        PractitionerFactory(bureau=county_a, name="李明"), campaign, **longest_values(county_a)
    )
    lines = text_of(collection_pdf.render_application_form(submission)).splitlines()
    assert [line for line in lines if line.strip()[:1] in CLOSING_PUNCTUATION] == []


def test_with_an_employer_the_form_has_a_box_for_the_seal(pdf):
    text = text_of(pdf)
    assert SEAL_BOX in text
    assert NO_SEAL not in text


def test_without_an_employer_the_form_says_no_seal_is_needed(practitioner, campaign):
    blank = submission_of(practitioner, campaign, employer="  ", employer_credit_code="")
    text = text_of(collection_pdf.render_application_form(blank))
    assert NO_SEAL in text
    assert SEAL_BOX not in text
    assert zh(originals.UNSEALED_FORM.label) in text


def test_title_certificate_is_asked_for_only_when_a_title_is_declared(county_a, campaign, pdf):
    title_certificate = zh(originals.TITLE.label)
    assert title_certificate in text_of(pdf)
    without = submission_of(
        PractitionerFactory(bureau=county_a, name="黄喆"),
        campaign,
        reference="45010326000002",
        title_level=TitleLevel.NONE,
        title_cert_number="",
        title_date="",
    )
    text = text_of(collection_pdf.render_application_form(without))
    assert title_certificate not in text
    assert zh(originals.ID_CARD.label) in text


# --- Rendered once, kept, served ------------------------------------------------------------


def test_submitting_renders_and_keeps_the_form(
    practitioner_a, account_a, with_photo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(practitioner_a, account_a)
    submission = application.latest_submission
    name = collection_pdf.form_path(submission)
    assert private_storage().exists(name)
    with private_storage().open(name, "rb") as kept:
        assert kept.read().startswith(b"%PDF")


def test_a_download_serves_the_kept_form(
    client, practitioner_a, account_a, with_photo, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(practitioner_a, account_a)
    with private_storage().open(collection_pdf.form_path(application.latest_submission)) as kept:
        stored = kept.read()

    def no_render(submission):
        raise AssertionError("the kept form should be served, not rendered again")

    monkeypatch.setattr(collection_pdf, "render_application_form", no_render)
    client.force_login(account_a)
    response = client.get(reverse("collection:application_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert "no-store" in response["Cache-Control"]


def test_a_download_before_the_form_is_kept_renders_and_keeps_it(
    client, practitioner_a, account_a, with_photo
):
    application = submit(practitioner_a, account_a)  # on_commit never ran: nothing kept
    name = collection_pdf.form_path(application.latest_submission)
    assert not private_storage().exists(name)
    client.force_login(account_a)
    response = client.get(reverse("collection:application_pdf"))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert private_storage().exists(name)


def test_a_changed_hall_gets_a_new_form_and_the_old_one_goes(
    practitioner_a, account_a, with_photo, county_a
):
    application = submit(practitioner_a, account_a)
    submission = application.latest_submission
    old = collection_pdf.store_application_form(submission)
    county_a.hall_address = "南宁市青秀区民族大道1号政务服务中心三楼"
    county_a.save()
    submission = Submission.objects.select_related("application__bureau").get(pk=submission.pk)
    new = collection_pdf.form_path(submission)
    assert new != old
    with collection_pdf.stored_application_form(submission) as kept:
        assert "南宁市青秀区民族大道1号政务服务中心三楼" in compact(text_of(kept.read()))
    assert private_storage().exists(new) and not private_storage().exists(old)


# --- Never online ---------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Fails the test if anything opens a connection or a URL."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return calls


def test_a_form_is_made_without_the_network(submission, no_network):
    assert collection_pdf.render_application_form(submission).startswith(b"%PDF")
    assert no_network == []


def test_rendering_never_fetches_anything_from_the_network(no_network):
    html = (
        '<html><head><link rel="stylesheet" href="https://example.com/x.css"></head>'
        "<body><p style=\"font-family: 'Noto Sans CJK SC'\">网络图片：</p>"
        '<img src="http://example.com/x.png"><img src="//example.com/y.png">'
        '<img src="file:///etc/hostname"></body></html>'
    )
    pdf = render_html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert no_network == []


def test_the_fetcher_serves_data_uris_and_static_files_and_refuses_the_rest(no_network):
    fetcher = offline_fetcher()
    data = fetcher.fetch("data:text/plain;base64,5Y2X5a6B")
    assert data.read().decode() == "南宁"
    static = fetcher.fetch((Path(__file__).parents[2] / "static" / "favicon.svg").as_uri())
    assert static.content_type == "image/svg+xml"
    for url in (
        "http://example.com/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (Path(__file__).parents[2] / "static" / ".." / "manage.py").as_uri(),
        "file://example.com/static/favicon.svg",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    assert no_network == []


def test_poppler_finds_every_font_embedded(pdf, tmp_path):
    """A second opinion on the fonts, from poppler (the 'emb' column of pdffonts)."""
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed")
    target = tmp_path / "application.pdf"
    target.write_bytes(pdf)
    rows = subprocess.run(
        ["pdffonts", target], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), rows


def test_the_forms_font_is_cut_to_gb2312_and_a_rare_character_falls_back(tmp_path):
    """core.pdf's subset font serves the common characters; one outside GB 2312 (䶮, a name's)
    comes from the whole Noto Sans CJK, next in the family list: a second font, never a box."""
    from core.pdf import render_html_to_pdf, subset_fonts

    assert set(subset_fonts()) == {"normal", "bold"}
    style = "font-family: 'Registry Sans SC', 'Noto Sans CJK SC', sans-serif"

    def fonts_and_text(words: str) -> tuple[int, str]:
        data = render_html_to_pdf(
            f'<html lang="zh-CN"><body><p style="{style}">{words}</p></body></html>'
        )
        target = tmp_path / "words.pdf"
        target.write_bytes(data)
        rows = subprocess.run(
            ["pdffonts", target], check=True, capture_output=True, text=True
        ).stdout.splitlines()[2:]
        return len(rows), PdfReader(io.BytesIO(data)).pages[0].extract_text()

    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed")
    count, text = fonts_and_text("南宁市青秀区")
    assert count == 1 and "南宁市青秀区" in text
    count, text = fonts_and_text("南宁市青秀区 韦䶮")
    assert count == 2 and "韦䶮" in text
