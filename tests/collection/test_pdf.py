"""The printed application form: what it says, how it is built, and that it never goes online.

MEDIA_ROOT points at tmp_path (tests/collection/conftest.py), where the photos are stored.
"""

import io
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
import segno
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from accounting_registry.pdf import offline_fetcher, render_html_to_pdf
from collection import originals
from collection import pdf as collection_pdf
from collection.constants import ApplicationStatus
from collection.diff import record_values
from collection.models import Application, Photo, Submission
from collection.pdf import application_pdf
from practitioners.constants import TitleLevel
from tests.factories import PractitionerFactory

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
REFERENCE = "45010326123456"
COMMON_REFERENCE = "45010326000001"
NO_SEAL = "无工作单位，无需盖章"
SEAL_BOX = "工作单位（盖章）"


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
    return Submission.objects.create(application=application, number=1, data=data, photo=photo)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


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
def pdf(submission, whole_forms) -> bytes:
    """The form of 韦䶮, filled in on the blank (䶮, outside GB 2312, from the system font)."""
    pdf = application_pdf(submission)
    assert REFERENCE not in whole_forms
    return pdf


@pytest.fixture
def whole_pdf(submission) -> bytes:
    """The same form laid out and rendered whole by WeasyPrint (what a value too long for
    the blank gets)."""
    return collection_pdf.whole_application_pdf(submission)


@pytest.fixture
def common_submission(county_a, campaign):
    practitioner = PractitionerFactory(
        bureau=county_a,
        name="韦岩",
        employer="南宁市东盟食品有限责任公司",
        title_level=TitleLevel.INTERMEDIATE,
        title_cert_number="ZJ2019-0451",
    )
    return submission_of(practitioner, campaign, reference=COMMON_REFERENCE)


@pytest.fixture
def filled_pdf(common_submission, whole_forms) -> bytes:
    """The form of 韦岩, every value of which fits the blank: filled in, not rendered whole."""
    pdf = application_pdf(common_submission)
    assert COMMON_REFERENCE not in whole_forms
    return pdf


@pytest.fixture(autouse=True)
def whole_forms(monkeypatch):
    """The references of the forms rendered whole by WeasyPrint rather than filled in on the
    blank; and blanks laid out afresh in each test (none kept from an earlier one)."""
    rendered = []
    real = collection_pdf.render_to_pdf

    def spy(template_name, context, **kwargs):
        if context.get("values"):  # the whole form, not a blank
            rendered.append(context["values"]["qr_caption"])  # the reference
        return real(template_name, context, **kwargs)

    monkeypatch.setattr(collection_pdf, "render_to_pdf", spy)
    collection_pdf.blank_pdf.cache_clear()
    return rendered


def test_form_shows_the_rare_name_the_reference_and_where_to_bring_it(pdf, county_a):
    text = text_of(pdf)
    assert "南宁市会计从业人员基本信息采集表" in text
    assert "韦䶮" in text
    assert REFERENCE in text
    assert county_a.hall_address in text
    assert county_a.hall_phone in text


def test_form_is_in_chinese_whatever_language_is_active(submission):
    with translation.override("en"):
        text = text_of(application_pdf(submission))
    assert "出生日期" in text  # Practitioner.birth_date's label
    assert "Date of birth" not in text
    assert "本人承诺所填信息真实、准确、完整" in text
    assert "本人签名：" in text


def test_every_font_is_embedded(pdf, whole_pdf, filled_pdf):
    for form in (pdf, whole_pdf, filled_pdf):
        fonts = []
        for page in PdfReader(io.BytesIO(form)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                for descendant in font.get("/DescendantFonts", [font]):
                    fonts.append(descendant.get_object())
        assert fonts
        for font in fonts:
            descriptor = font["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            assert name in {PREPARED_FONT, VALUES_FONT, SYSTEM_FONT, "Noto-Sans-CJK-SC"}, name


def test_a_filled_in_form_is_made_without_the_network(common_submission, no_network):
    """The blank, the font, the photo and the QR code all come from this machine."""
    assert application_pdf(common_submission).startswith(b"%PDF")
    assert no_network == []


def font_names(pdf: bytes) -> set[str]:
    """The embedded fonts' names without their subset tags (ABCDEF+Noto-Sans-CJK-SC)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


PREPARED_FONT = "Noto-Sans-CJK-SC-GB2312"  # static/fonts/, built by scripts/build_pdf_font.py
PREPARED_FONT_FILE = "NotoSansCJKsc-Regular-GB2312.otf"
VALUES_FONT = "NotoSansCJKscGB2312-Regular"  # the same file's PostScript name (pdfform)
SYSTEM_FONT = "NotoSansCJKsc-Regular"  # the system Noto Sans CJK SC's PostScript name


def test_the_form_is_set_in_the_prepared_font_and_rare_characters_fall_back(
    pdf, whole_pdf, filled_pdf
):
    """Subsetting the 65 535-glyph system font costs every PDF ~35-50 ms; the GB 2312 subset
    a few. Only characters outside it (䶮 here) bring in the system font, as one more font:
    so WeasyPrint does with base.css, and so does the filler (the values are subsets of the
    same two files, named by their PostScript names)."""
    assert font_names(whole_pdf) == {PREPARED_FONT, "Noto-Sans-CJK-SC"}
    assert font_names(pdf) == {PREPARED_FONT, VALUES_FONT, SYSTEM_FONT}
    assert font_names(filled_pdf) == {PREPARED_FONT, VALUES_FONT}


def test_the_prepared_font_numbers_each_glyph_s_cid_as_its_glyph_id():
    """PDF writers print glyph IDs as the codes of an Identity-H CID font; strict readers
    (Acrobat) take the codes as CIDs and look them up in the font's charset, so in the font
    the forms embed the two must be the same numbers (scripts/build_pdf_font.py)."""
    font = TTFont(Path(__file__).parents[2] / "static" / "fonts" / PREPARED_FONT_FILE)
    order = font.getGlyphOrder()
    assert order[0] == ".notdef" and len(order) > 7000
    assert [name for gid, name in enumerate(order) if gid and name != f"cid{gid:05d}"] == []
    assert font["CFF "].cff.topDictIndex[0].ROS == ("Adobe", "Identity", 0)


def test_the_benchmark_bare_page_is_set_in_the_form_font():
    """bench/pdf_bench.py compares the form with a bare page: in the same font, honestly."""
    bench = pytest.importorskip("bench.pdf_bench")
    stylesheet = (Path(__file__).parents[2] / "templates" / "pdf" / "base.css").read_text()
    assert f"html {{\n  font-family: {bench.FONT_FAMILY};" in stylesheet
    assert font_names(render_html_to_pdf(bench.BARE_HTML)) == {PREPARED_FONT}


def test_the_qr_code_is_the_reference_one_unsmoothed_pixel_per_module(whole_pdf, filled_pdf):
    """Scanned at the counter: the segno matrix (quiet zone included) one pixel per module,
    drawn unsmoothed (Interpolate false) so that viewers and printers keep the modules square:
    a PNG in the whole form, a 1-bit image on the filled-in blank."""
    for form, reference in ((whole_pdf, REFERENCE), (filled_pdf, COMMON_REFERENCE)):
        qr = segno.make(reference, error="m", micro=False)
        expected = [[bool(module) for module in row] for row in qr.matrix_iter(border=4)]
        page = PdfReader(io.BytesIO(form)).pages[0]
        (image,) = [
            xobject.get_object()
            for xobject in page["/Resources"]["/XObject"].values()
            if xobject.get_object()["/Width"] == len(expected)
        ]
        assert image["/Interpolate"].value is False  # a pypdf BooleanObject
        (drawn,) = [i.image for i in page.images if i.image.size == (len(expected),) * 2]
        gray = drawn.convert("L")
        assert [
            [gray.getpixel((x, y)) < 128 for x in range(gray.width)] for y in range(gray.height)
        ] == expected


def test_form_is_one_small_page(pdf, whole_pdf, filled_pdf):
    for form in (pdf, whole_pdf, filled_pdf):
        assert len(PdfReader(io.BytesIO(form)).pages) == 1
        assert len(form) < 400 * 1024


def test_a_filled_in_blank_says_what_the_whole_form_says(common_submission, filled_pdf):
    """Every value, and every word of the blank, in both; the filled-in values can be
    searched and copied (ToUnicode), and both are A4 pages of the same size."""
    whole = collection_pdf.whole_application_pdf(common_submission)
    with translation.override("zh-hans"):
        values = collection_pdf.form_values(common_submission)
    filled_text, whole_text = compact(text_of(filled_pdf)), compact(text_of(whole))
    for value in values.values():
        assert compact(value) in filled_text, value
        assert compact(value) in whole_text, value
    for fixed in ("南宁市会计从业人员基本信息采集表", "本人承诺所填信息真实", SEAL_BOX, "受理人"):
        assert fixed in filled_text and fixed in whole_text
    boxes = [PdfReader(io.BytesIO(form)).pages[0].mediabox for form in (filled_pdf, whole)]
    assert boxes[0] == boxes[1]
    assert (round(boxes[0].width * 25.4 / 72), round(boxes[0].height * 25.4 / 72)) == (210, 297)


def test_a_long_value_is_set_smaller_on_two_lines_on_the_blank(county_a, campaign, whole_forms):
    """Thirty characters do not fit the employer's cell in one line at 9.5 pt: pdfform sets
    them smaller and wraps them, rather than render the whole form."""
    employer = "广西壮族自治区南宁市青秀区东盟商务区财务咨询服务有限责任公司"
    submission = submission_of(
        PractitionerFactory(bureau=county_a, name="李明"),
        campaign,
        reference="45010326000004",
        employer=employer,
        school="广西财经学院会计与审计学院会计学专业函授本科班",
    )
    text = compact(text_of(application_pdf(submission)))
    assert whole_forms == []
    assert employer in text
    assert "广西财经学院会计与审计学院会计学专业函授本科班" in text


def test_one_blank_is_laid_out_per_hall_and_a_changed_hall_gets_a_new_one(
    county_a, campaign, common_submission, monkeypatch
):
    """The blank is kept per process by what it shows (the bureau's hall, the originals, the
    campaign): a second form of the same kind is only filled in, and editing the hall's
    address in the admin shows on the next form, not an old blank."""
    laid_out = []
    real = collection_pdf.pdfform.render_blank

    def spy(template_name, context, **kwargs):
        laid_out.append(context["bureau"]["hall_address"])
        return real(template_name, context, **kwargs)

    monkeypatch.setattr(collection_pdf.pdfform, "render_blank", spy)
    other = submission_of(
        PractitionerFactory(
            bureau=county_a,
            name="陆小燕",
            employer="南宁市会计服务中心",
            title_level=TitleLevel.INTERMEDIATE,
            title_cert_number="ZJ2020-0001",
        ),
        campaign,
        reference="45010326000005",
    )
    application_pdf(common_submission)
    application_pdf(other)
    assert laid_out == [county_a.hall_address]

    county_a.hall_address = "南宁市青秀区民族大道1号政务服务中心三楼"
    county_a.save()
    other.application.bureau.refresh_from_db()
    text = compact(text_of(application_pdf(other)))
    assert laid_out == [laid_out[0], "南宁市青秀区民族大道1号政务服务中心三楼"]
    assert "南宁市青秀区民族大道1号政务服务中心三楼" in text


def test_the_longest_list_of_originals_has_a_line_for_each_on_the_blank(
    county_a, campaign, whole_forms
):
    everything = submission_of(
        PractitionerFactory(bureau=county_a, name="周敏", employer="南宁市会计服务中心"),
        campaign,
        reference="45010326000006",
        education="bachelor",
        title_level=TitleLevel.SENIOR,
        title_cert_number="GJ2015-0007",
        abacus_level="1",
        has_computing_cert=True,
    )
    listed = originals.originals_for(everything.data)
    assert len(listed) == len(collection_pdf.ORIGINAL_SLOTS)
    text = compact(text_of(application_pdf(everything)))
    assert whole_forms == []
    for number, item in enumerate(listed, start=1):
        assert f"{number}.{zh(item.label)}" in text


def compact(text: str) -> str:
    """Text without whitespace: extraction puts spaces and line breaks where lines wrap."""
    return "".join(text.split())


def test_with_an_employer_the_form_has_a_box_for_the_seal(pdf):
    text = text_of(pdf)
    assert SEAL_BOX in text
    assert NO_SEAL not in text


def test_without_an_employer_the_form_says_no_seal_is_needed(practitioner, campaign):
    blank = submission_of(practitioner, campaign, employer="  ", employer_credit_code="")
    text = text_of(application_pdf(blank))
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
    text = text_of(application_pdf(without))
    assert title_certificate not in text
    assert zh(originals.ID_CARD.label) in text


def test_very_long_values_flow_onto_a_second_page_at_most(practitioner, campaign, whole_forms):
    """Values too long for their place on the blank even when set small: the whole form is
    rendered, its rows growing to fit."""
    long = submission_of(
        practitioner,
        campaign,
        employer="广西壮族自治区南宁市青秀区" * 7,
        address="南宁市青秀区东葛路118号青秀万达广场西1栋" * 9,
        school="广西财经学院会计与审计学院" * 4,
    )
    reader = PdfReader(io.BytesIO(application_pdf(long)))
    assert whole_forms == [REFERENCE]
    assert len(reader.pages) <= 2
    assert "广西财经学院会计与审计学院" in "".join(page.extract_text() for page in reader.pages)


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


def test_a_rendered_form_is_left_in_test_artifacts_for_people_to_look_at(pdf):
    """application.pdf and application.png (80 dpi) in test-artifacts/ (gitignored)."""
    if not shutil.which("pdftoppm") or not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    target = ARTIFACTS_DIR / "application.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", target, ARTIFACTS_DIR / "application"],
        check=True,
    )
    assert (ARTIFACTS_DIR / "application.png").stat().st_size > 10_000
    # A second opinion on the fonts, from poppler: every font embedded ('emb' column).
    rows = subprocess.run(
        ["pdffonts", target], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), rows
