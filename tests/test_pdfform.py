"""accounting_registry.pdfform: setting values into the slots of a blank form.

The application form's own tests (tests/collection/test_pdf.py) check the filled-in form as a
whole; these check the parts: where a text goes, when it wraps or gives up, and the images.
"""

import io
import zlib

import pytest
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from accounting_registry import pdfform
from collection import pdf as collection_pdf

MM = 72 / 25.4  # PDF points per millimetre


def slot(width_mm=45.0, height_mm=5.7, size=9.5, align="left", valign="middle"):
    return pdfform.Slot(
        page=0,
        left=100.0,
        top=200.0,
        width=width_mm * MM,
        height=height_mm * MM,
        font_size=size,
        align=align,
        valign=valign,
    )


def set_text(text, place):
    return pdfform.set_text(text, place, pdfform.form_fonts(), {})


def line_width(line) -> float:
    fonts = pdfform.form_fonts()
    return sum(pdfform._advance(glyph, fonts) for glyph in line.glyphs) * line.size


def glyphs(text: str) -> list:
    """The text's glyphs in the prepared font (font 0)."""
    font = pdfform.form_fonts()[0]
    return [(0, font.glyph(character)) for character in text]


def test_a_short_value_is_one_line_at_the_slot_s_size_inside_the_slot():
    place = slot()
    (line,) = set_text("南宁市相思湖会计师事务所", place)
    assert line.size == place.font_size
    assert line.x == place.left
    assert place.top < line.baseline < place.top + place.height
    assert line_width(line) <= place.width


def test_centred_and_right_aligned_slots():
    (centred,) = set_text("4501", slot(align="center"))
    (right,) = set_text("4501", slot(align="right"))
    place = slot()
    assert centred.x == pytest.approx(place.left + (place.width - line_width(centred)) / 2)
    assert right.x + line_width(right) == pytest.approx(place.left + place.width)


def test_a_long_value_is_set_smaller_and_wrapped_within_the_slot():
    place = slot()
    lines = set_text("广西壮族自治区南宁市青秀区东盟商务区财务咨询服务有限责任公司", place)
    assert len(lines) == 2
    assert pdfform.MIN_FONT_SIZE <= lines[0].size < place.font_size
    assert all(line_width(line) <= place.width + 1e-6 for line in lines)
    assert lines[0].baseline < lines[1].baseline  # top to bottom
    assert place.top < lines[0].baseline and lines[1].baseline < place.top + place.height


def test_words_and_numbers_are_not_broken_when_they_fit_a_line():
    lines = set_text("联系邮箱地址 wei.zhang2026@example.com", slot(width_mm=40))
    assert [list(line.glyphs) for line in lines] == [
        glyphs("联系邮箱地址"),
        glyphs("wei.zhang2026@example.com"),
    ]


def test_a_value_too_long_even_at_the_smallest_size_gives_up():
    assert set_text("南宁市青秀区东葛路118号" * 8, slot()) is None


def test_a_rare_character_comes_from_the_system_font_as_in_base_css():
    """䶮 is not in GB 2312: like WeasyPrint with base.css, the filler takes it from the
    system's Noto Sans CJK SC, the second of the form's fonts."""
    fonts = pdfform.form_fonts()
    assert [font.postscript_name for font in fonts] == [
        "NotoSansCJKscGB2312-Regular",
        "NotoSansCJKsc-Regular",
    ]
    (line,) = set_text("韦䶮", slot())
    assert line.glyphs == ((0, fonts[0].glyph("韦")), (1, fonts[1].glyph("䶮")))


def test_a_character_no_font_has_gives_up():
    """The caller then renders the whole form (which shows WeasyPrint's missing glyph)."""
    assert set_text("韦\U00017000", slot()) is None  # a Tangut character


def test_blank_values_draw_nothing_and_whitespace_is_one_space():
    assert set_text("  \n ", slot()) == []
    (line,) = set_text("张\n\t 伟", slot())
    assert list(line.glyphs) == glyphs("张 伟")


def test_a_bitmap_is_one_bit_per_pixel_black_for_true_rows_padded_to_bytes():
    rows = [[1, 0, 1, 1, 0, 0, 0, 0, 1], [0] * 9]
    picture = pdfform.bitmap_picture(rows)
    assert (picture.width, picture.height, picture.bits) == (9, 2, 1)
    assert picture.interpolate is False
    # DeviceGray: a 0 bit is black. Row 1: 10110000 1(0000000) -> inverted.
    assert zlib.decompress(picture.data) == bytes([0b01001111, 0b01111111, 0xFF, 0xFF])


def test_jpegs_are_embedded_as_they_are_and_other_images_refused():
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 20, 30)).save(out, "JPEG")
    picture = pdfform.jpeg_picture(out.getvalue())
    assert (picture.width, picture.height, picture.color_space) == (30, 40, "/DeviceRGB")
    assert picture.data == out.getvalue() and picture.filter == "/DCTDecode"
    for image, kind in ((Image.new("RGB", (5, 5)), "PNG"), (Image.new("CMYK", (5, 5)), "JPEG")):
        other = io.BytesIO()
        image.save(other, kind)
        with pytest.raises(ValueError):
            pdfform.jpeg_picture(other.getvalue())


@pytest.fixture
def blank():
    """The application form's blank: its slots are where base.css sizes them."""
    form = collection_pdf.BlankForm(
        campaign="测试采集",
        bureau_name="青秀区财政局",
        hall_name="青秀区政务服务中心",
        hall_address="南宁市青秀区东葛路118号",
        hall_phone="0771-5500000",
        hall_hours="周一至周五",
        has_employer=True,
    )
    with translation.override("zh-hans"):
        return pdfform.render_blank(
            collection_pdf.TEMPLATE,
            collection_pdf.form_context(form),
            stylesheet=collection_pdf.STYLESHEET,
        )


def test_the_blank_records_every_slot_of_the_template(blank):
    fields = [field for _key, _title, names in collection_pdf.SECTIONS for field in names]
    expected = {"qr", "qr_caption", "reference", "version", "submitted_on", "photo"}
    expected |= set(fields) | set(collection_pdf.ORIGINAL_SLOTS)
    assert set(blank.slots) == expected
    (height,) = blank.page_heights
    assert height == pytest.approx(297 * MM, abs=0.5)  # A4
    photo = blank.slots["photo"]
    assert (photo.width, photo.height) == (pytest.approx(26 * MM), pytest.approx(32 * MM))
    name = blank.slots["name"]
    assert name.font_size == pytest.approx(9.5)
    assert 15 * MM < name.left < photo.left  # right of the margin and of the label
    assert name.height >= 5.7 * MM - 0.1


def test_filling_in_draws_the_values_in_an_embedded_searchable_font(blank):
    out = io.BytesIO()
    Image.new("RGB", (358, 441), (60, 120, 200)).save(out, "JPEG")
    pdf = pdfform.fill(
        blank,
        {"name": "张伟", "employer": "南宁市东盟食品有限责任公司"},
        {"photo": pdfform.jpeg_picture(out.getvalue())},
        title="采集表 4501",
    )
    reader = PdfReader(io.BytesIO(pdf))
    (page,) = reader.pages
    text = page.extract_text()
    assert "张伟" in text and "南宁市东盟食品有限责任公司" in text
    assert reader.metadata.title == "采集表 4501"
    values = page["/Resources"]["/Font"]["/FormValues0"].get_object()
    descendant = values["/DescendantFonts"][0].get_object()
    assert descendant["/Subtype"] == "/CIDFontType0"
    assert "/FontFile3" in descendant["/FontDescriptor"].get_object()
    assert [image.image.size for image in page.images if image.image.size == (358, 441)]


def test_filling_gives_up_on_what_it_cannot_set_and_refuses_unknown_slots(blank):
    assert pdfform.fill(blank, {"name": "韦\U00017000"}) is None
    assert pdfform.fill(blank, {"address": "南宁市青秀区东葛路118号" * 12}) is None
    with pytest.raises(KeyError):
        pdfform.fill(blank, {"nickname": "小韦"})
