"""The bulletin's pictures and files: SVG charts, the workbook and the PDF of 13 bureaus."""

import io
import logging
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import charts, exports, pdf
from tests.reporting.bulletin_data import FORMULA_NAME, bulletin_rows, bulletin_trend

SVG = "{http://www.w3.org/2000/svg}"
TITLE = "南宁市会计人员信息采集工作进度通报（第50周）"
WEEK = "第50周"
CUTOFF = "2026年12月13日 24:00"


@pytest.fixture(scope="module")
def data():
    rows, totals = bulletin_rows()
    return rows, totals, bulletin_trend()


@pytest.fixture(scope="module")
def rate_svg(data):
    return charts.rate_chart_svg(data[0])


@pytest.fixture(scope="module")
def trend_svg(data):
    return charts.trend_chart_svg(data[2])


def file_arguments(data) -> dict:
    rows, totals, trend = data
    return dict(
        title=TITLE, week_label=WEEK, cutoff_label=CUTOFF, rows=rows, totals=totals, trend=trend
    )


def elements(svg: str, tag: str, root=None) -> list:
    return list((root if root is not None else ET.fromstring(svg)).iter(SVG + tag))


def style_of(element) -> str:
    return element.get("style", "")


# --- Charts -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rate", "trend"])
def test_a_chart_is_scalable_svg_with_its_text_as_outlines(kind, rate_svg, trend_svg):
    svg = rate_svg if kind == "rate" else trend_svg
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == SVG + "svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None  # the page sizes it
    assert elements(svg, "text") == [] and "<text" not in svg  # outlines: no font needed
    assert elements(svg, "script") == [] and "<script" not in svg.lower()
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg  # fits inline in HTML
    assert len(svg.encode()) < 150 * 1024


def test_both_charts_can_sit_in_one_page_their_ids_never_clash(rate_svg, trend_svg):
    ids = {}
    for svg in (rate_svg, trend_svg):
        own = [element.get("id") for element in ET.fromstring(svg).iter() if element.get("id")]
        assert len(own) == len(set(own))
        references = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
        assert references <= set(own)  # every reference resolves inside the same chart
        for name in own:
            assert name not in ids
            ids[name] = svg
    # matplotlib's `*{…}` default style is scoped to its own chart, not the whole page.
    assert "<style" in rate_svg and "#rate-chart *{" in rate_svg and ">*{" not in rate_svg


def test_the_same_data_gives_the_same_bytes(data, rate_svg, trend_svg):
    rows, _totals, trend = data
    assert charts.rate_chart_svg(rows) == rate_svg
    assert charts.trend_chart_svg(trend) == trend_svg


def test_the_same_bytes_in_another_process(rate_svg):
    """A kept chart compares equal to one drawn by another worker."""
    script = (
        "import django, hashlib; django.setup();"
        "from reporting.charts import rate_chart_svg;"
        "from tests.reporting.bulletin_data import bulletin_rows;"
        "print(hashlib.sha256(rate_chart_svg(bulletin_rows()[0]).encode()).hexdigest())"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    import hashlib

    assert result.stdout.strip() == hashlib.sha256(rate_svg.encode()).hexdigest()


def bars(svg: str, kind: str = "rate") -> list[str]:
    """The fill colour of each bar inside the plotting area (the legend's keys are outside)."""
    root = ET.fromstring(svg)
    (axes,) = [g for g in root.iter(SVG + "g") if g.get("id") == f"{kind}-axes_1"]
    fills = []
    for path in elements(svg, "path", axes):
        match = re.search(r"fill: (#[0-9a-f]{6})", style_of(path))
        if match and match.group(1) in (charts.BLUE, charts.AMBER):
            fills.append(match.group(1))
    return fills


def test_one_bar_per_bureau_below_the_city_in_amber(data, rate_svg):
    rows, totals, _trend = data
    fills = bars(rate_svg)
    assert len(fills) == 13
    expected = [charts.AMBER if row["rate"] < totals["rate"] else charts.BLUE for row in rows]
    assert fills == expected  # in rank order, from the top
    assert charts.AMBER in fills and charts.BLUE in fills
    assert "stroke-dasharray" in rate_svg  # the city's rate, a dashed line


def test_the_city_rate_can_be_given(data):
    rows, _totals, _trend = data
    assert set(bars(charts.rate_chart_svg(rows, city_rate=0.0))) == {charts.BLUE}


def data_markers(svg: str) -> list:
    """The trend line's markers (white, outlined in blue)."""
    return [
        use
        for use in elements(svg, "use")
        if "fill: #ffffff" in style_of(use) and f"stroke: {charts.BLUE}" in style_of(use)
    ]


def test_the_trend_has_a_marker_per_week(data, trend_svg):
    assert len(data_markers(trend_svg)) == len(data[2]) == 6


def test_a_trend_of_one_week_shows_its_point_in_the_middle():
    svg = charts.trend_chart_svg(bulletin_trend(1))
    ET.fromstring(svg)
    (marker,) = data_markers(svg)
    root = ET.fromstring(svg)
    (axes,) = [g for g in root.iter(SVG + "g") if g.get("id") == "trend-axes_1"]
    frame = elements(svg, "path", axes)[0].get("d")  # the plotting area's rectangle
    xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) ", frame)]
    assert float(marker.get("x")) == pytest.approx((min(xs) + max(xs)) / 2, abs=1)


def test_many_weeks_and_no_weeks_still_draw():
    assert len(data_markers(charts.trend_chart_svg(bulletin_trend(20)))) == 20
    ET.fromstring(charts.trend_chart_svg([]))
    ET.fromstring(charts.rate_chart_svg([]))


def test_names_are_never_mathtext(data):
    rows = [dict(row) for row in data[0]]
    rows[0]["short_name"] = "$\\frac{1}{0}$ 区"  # would be typeset (or fail) as mathtext
    ET.fromstring(charts.rate_chart_svg(rows))


def test_without_the_chinese_font_a_warning_is_logged(monkeypatch, caplog):
    monkeypatch.setattr(charts, "FONT_FAMILY", "No Such Font")
    monkeypatch.setattr(charts, "FALLBACK_FAMILIES", ("Also Missing",))
    charts.font_family.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="reporting.charts"):
            assert charts.font_family() == "DejaVu Sans"
        assert "fonts-noto-cjk" in caplog.text
    finally:
        monkeypatch.undo()
        charts.font_family.cache_clear()
    assert charts.font_family() == "Noto Sans CJK SC"


# --- Workbook -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook_bytes(data):
    return exports.bulletin_workbook(**file_arguments(data))


@pytest.fixture(scope="module")
def workbook(workbook_bytes):
    return load_workbook(io.BytesIO(workbook_bytes))


HEADER_ROW = 4


def test_the_sheets_title_cutoff_and_chinese_headers(workbook):
    assert workbook.sheetnames == ["进度通报", "趋势"]
    sheet = workbook["进度通报"]
    assert sheet["A1"].value == TITLE
    assert WEEK in sheet["A2"].value and CUTOFF in sheet["A2"].value
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    with translation.override("zh-hans"):
        assert headers == [exports.column_headers()[key] for key, _kind in exports.COLUMNS]
    assert headers[:2] == ["名次", "财政部门"] and "确认率" in headers and "较上周" in headers


def test_numbers_stay_numbers(data, workbook):
    rows, totals, _trend = data
    sheet = workbook["进度通报"]
    keys = [key for key, _kind in exports.COLUMNS]
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        cells = dict(zip(keys, sheet[number], strict=True))
        assert cells["rank"].value == row["rank"] and type(cells["rank"].value) is int
        assert cells["bureau_name"].value == row["bureau_name"]
        for key, kind in exports.COLUMNS:
            if kind == "count":
                assert cells[key].value == row[key] and type(cells[key].value) is int, key
        assert isinstance(cells["rate"].value, int | float)  # 0.0 reads back as 0
        assert cells["rate"].value == pytest.approx(row["rate"])
        assert cells["rate"].number_format == "0.0%"
        if row["rate_change"] is None:
            assert cells["rate_change"].value is None  # empty, not 0
        else:
            assert cells["rate_change"].value == pytest.approx(row["rate_change"])
            assert cells["rate_change"].number_format == "+0.0%;-0.0%;0.0%"
    totals_cells = dict(zip(keys, sheet[HEADER_ROW + 1 + len(rows)], strict=True))
    assert totals_cells["bureau_name"].value == "合计" and totals_cells["rank"].value is None
    assert totals_cells["holders"].value == totals["holders"]
    assert totals_cells["confirmed"].value == totals["confirmed"]
    assert totals_cells["rate"].value == pytest.approx(totals["rate"])


def test_a_name_like_a_formula_is_text_shown_as_typed(workbook, workbook_bytes):
    sheet = workbook["进度通报"]
    (cell,) = [c for c in sheet["B"] if c.value == FORMULA_NAME]
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name


def test_a_native_chart_on_each_sheet(workbook, workbook_bytes):
    bar = workbook["进度通报"]._charts
    line = workbook["趋势"]._charts
    assert len(bar) == 1 and len(line) == 1
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as archive:
        names = archive.namelist()
        assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= set(names)
        bar_xml = archive.read("xl/charts/chart1.xml").decode()
        line_xml = archive.read("xl/charts/chart2.xml").decode()
    assert '<barDir val="bar" />' in bar_xml  # horizontal bars
    assert "<val><numRef><f>'进度通报'!$L$5:$L$17</f>" in bar_xml  # the rates
    assert "<cat><strRef><f>'进度通报'!$B$5:$B$17</f>" in bar_xml  # named by bureau
    assert '<orientation val="maxMin" />' in bar_xml  # rank 1 at the top
    assert "<lineChart>" in line_xml and "<val><numRef><f>'趋势'!$E$2:$E$7</f>" in line_xml
    assert "<cat><strRef><f>'趋势'!$A$2:$A$7</f>" in line_xml
    # openpyxl marks axes deleted unless told: both charts show theirs.
    assert '<delete val="1" />' not in bar_xml + line_xml


def test_the_trend_sheet(data, workbook):
    trend = data[2]
    sheet = workbook["趋势"]
    assert [c.value for c in sheet[1]] == ["周次", "ISO 周", "持证人数", "累计确认", "确认率"]
    for number, point in enumerate(trend, start=2):
        label, week, holders, confirmed, rate = sheet[number]
        assert (label.value, week.value) == (point["label"], point["week"])
        assert holders.value == point["holders"] and type(holders.value) is int
        assert confirmed.value == point["confirmed"]
        assert rate.value == pytest.approx(point["rate"]) and rate.number_format == "0.0%"


def test_columns_are_wide_enough_for_chinese(workbook):
    sheet = workbook["进度通报"]
    longest = max(exports.display_width(row[1].value or "") for row in sheet.iter_rows(5, 16))
    assert sheet.column_dimensions["B"].width >= longest
    assert all(sheet.column_dimensions[c].width >= 10 for c in "CDEFGHIJKL")


# --- PDF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulletin_pdf(data, rate_svg, trend_svg):
    return pdf.render_bulletin_pdf(**file_arguments(data), rate_svg=rate_svg, trend_svg=trend_svg)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_shows_the_title_bureaus_and_totals(data, bulletin_pdf):
    rows, totals, _trend = data
    reader = PdfReader(io.BytesIO(bulletin_pdf))
    text = compact("".join(page.extract_text() for page in reader.pages))
    assert compact(TITLE) in text and compact(CUTOFF) in text
    for row in rows:
        assert compact(row["bureau_name"]) in text
    assert "合计" in text
    for key in ("holders", "confirmed", "waiting", "confirmed_week"):
        assert str(totals[key]) in text
    assert f"{totals['rate'] * 100:.1f}%" in text
    assert "第1页/共2页" in text and "第2页/共2页" in text


def test_the_pdf_is_a4_with_every_font_embedded(bulletin_pdf):
    reader = PdfReader(io.BytesIO(bulletin_pdf))
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(595.3, abs=1)
        assert float(box.height) == pytest.approx(841.9, abs=1)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)
                assert "CJK" in str(descendant.get_object()["/BaseFont"])


def test_the_pdf_draws_the_charts(data, bulletin_pdf):
    """The charts are vector paths on the first page: many more than without them."""
    without = pdf.render_bulletin_pdf(**file_arguments(data), rate_svg="", trend_svg="")

    def operators(document: bytes) -> int:
        content = PdfReader(io.BytesIO(document)).pages[0].get_contents().get_data()
        return len(re.findall(rb"(?:^|\s)[mlc]\s", content))

    assert operators(bulletin_pdf) > operators(without) + 2000


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_the_first_page_shows_the_bars_in_colour(bulletin_pdf, tmp_path):
    from PIL import Image

    (tmp_path / "bulletin.pdf").write_bytes(bulletin_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "bulletin.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)

    def near(rgb, hex_colour):
        wanted = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return all(abs(a - b) < 24 for a, b in zip(rgb, wanted, strict=True))

    blue = sum(n for n, rgb in colours if near(rgb, charts.BLUE))
    amber = sum(n for n, rgb in colours if near(rgb, charts.AMBER))
    assert blue > 1000 and amber > 500  # bars, not a blank page


def test_the_pdf_prints_only_charts_from_reporting(data):
    with pytest.raises(ValueError):
        pdf.render_bulletin_pdf(
            **file_arguments(data), rate_svg="<img src=x onerror=alert(1)>", trend_svg=""
        )
