"""The bulletin's pictures and files: SVG charts, the workbook and the PDF of 13 bureaus."""

import io
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
PUBLISHED = "2026-12-14"


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
        title=TITLE,
        week_label=WEEK,
        cutoff_label=CUTOFF,
        rows=rows,
        totals=totals,
        trend=trend,
    )


def pdf_arguments(data) -> dict:
    return {**file_arguments(data), "published_label": PUBLISHED}


def elements(svg: str, tag: str, root=None) -> list:
    return list((root if root is not None else ET.fromstring(svg)).iter(SVG + tag))


def of_class(svg: str, tag: str, name: str) -> list:
    """The chart's own elements of one class (the charts' templates name what they draw)."""
    return [element for element in elements(svg, tag) if element.get("class") == name]


def texts(svg: str, name: str) -> list[str]:
    return ["".join(element.itertext()) for element in of_class(svg, "text", name)]


def plot_span(svg: str) -> tuple[float, float]:
    """The x axis's ends: 0 % and 100 % in the bar chart, the plot's edges in the trend."""
    (axis,) = of_class(svg, "line", "axis")
    return float(axis.get("x1")), float(axis.get("x2"))


def shown_as(name: str) -> str:
    """A name as the chart writes it: whole up to 12 characters, else cut with an ellipsis."""
    return name if len(name) <= 12 else name[:11] + "…"


# --- Charts -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rate", "trend"])
def test_a_chart_is_scalable_accessible_svg_with_chinese_text(kind, rate_svg, trend_svg):
    svg = rate_svg if kind == "rate" else trend_svg
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == SVG + "svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None  # the page sizes it
    title = {"rate": "各县区确认率", "trend": "全市确认率走势"}[kind]
    assert root.get("role") == "img" and root.get("aria-label") == title
    assert root[0].tag == SVG + "title" and root[0].text == title
    assert root[1].tag == SVG + "desc" and "%" in root[1].text  # the figures, in words
    assert root.get("font-family").startswith("'Noto Sans CJK SC',")  # the PDF's font
    assert elements(svg, "text")  # real text, drawn in that font
    assert elements(svg, "script") == [] and "<script" not in svg.lower()
    assert elements(svg, "style") == [] and "style=" not in svg  # nothing leaks into a page
    assert [element for element in root.iter() if element.get("id")] == []  # none can clash
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg  # fits inline in HTML
    assert len(svg.encode()) < 20 * 1024


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


def test_one_bar_per_bureau_as_long_as_its_rate_below_the_city_in_amber(data, rate_svg):
    rows, totals, _trend = data
    bars = of_class(rate_svg, "rect", "bar")
    assert len(bars) == len(rows) == 13
    zero, full = plot_span(rate_svg)
    for bar, row in zip(bars, rows, strict=True):  # in rank order, from the top
        assert float(bar.get("x")) == pytest.approx(zero)
        assert float(bar.get("width")) == pytest.approx(row["rate"] * (full - zero), abs=0.1)
    tops = [float(bar.get("y")) for bar in bars]
    assert tops == sorted(tops) and len(set(tops)) == 13
    expected = [charts.AMBER if row["rate"] < totals["rate"] else charts.BLUE for row in rows]
    assert [bar.get("fill") for bar in bars] == expected
    assert charts.AMBER in expected and charts.BLUE in expected
    (city,) = of_class(rate_svg, "line", "city")  # the city's rate, a dashed line
    assert float(city.get("x1")) == pytest.approx(zero + totals["rate"] * (full - zero), abs=0.1)
    assert city.get("stroke-dasharray")
    assert texts(rate_svg, "name") == [shown_as(row["short_name"]) for row in rows]
    assert texts(rate_svg, "value") == [f"{row['rate'] * 100:.1f}%" for row in rows]
    assert "全市合计 52.3%" in "".join(ET.fromstring(rate_svg).itertext())  # the legend


def test_the_city_rate_can_be_given(data):
    rows, _totals, _trend = data
    svg = charts.rate_chart_svg(rows, city_rate=0.0)
    assert {bar.get("fill") for bar in of_class(svg, "rect", "bar")} == {charts.BLUE}


def test_bureau_names_never_overlap_or_leave_the_chart():
    """Twelve Chinese characters (the longest a name is shown) on every one of 13 rows."""
    rows, _totals = bulletin_rows()
    for index, row in enumerate(rows):
        row["short_name"] = f"{'南宁市西乡塘区会计局'[: 1 + index % 10]}甲乙丙丁戊己庚辛"
    svg = charts.rate_chart_svg(rows)
    names = of_class(svg, "text", "name")
    zero, _full = plot_span(svg)
    size = float(ET.fromstring(svg).get("font-size"))
    baselines = [float(name.get("y")) for name in names]
    assert all(b - a >= 1.5 * size for a, b in zip(baselines, baselines[1:], strict=False))
    (group,) = [g for g in elements(svg, "g") if g.get("class") == "names"]
    assert group.get("text-anchor") == "end"  # right-aligned, left of the bars
    for name in names:  # each character one em at most
        right = float(name.get("x"))
        assert right < zero and right - len(name.text) * size >= 0


def test_values_sit_outside_their_bar_unless_it_is_full():
    rows = [
        {"short_name": "满", "rate": 1.0, "holders": 10, "confirmed": 10},
        {"short_name": "半", "rate": 0.5, "holders": 10, "confirmed": 5},
    ]
    svg = charts.rate_chart_svg(rows)
    zero, full = plot_span(svg)
    whole, half = of_class(svg, "rect", "bar")
    assert float(whole.get("width")) == pytest.approx(full - zero)
    inside, outside = of_class(svg, "text", "value")
    assert inside.text == "100.0%" and inside.get("fill") == "#ffffff"
    assert float(inside.get("x")) < full and inside.get("text-anchor") == "end"
    assert outside.text == "50.0%" and outside.get("fill") is None  # the ink colour
    assert float(outside.get("x")) > zero + float(half.get("width"))


def test_all_zero_and_no_bureaus_still_draw(data):
    rows = [{**row, "rate": 0.0, "confirmed": 0} for row in data[0]]
    svg = charts.rate_chart_svg(rows)
    bars = of_class(svg, "rect", "bar")
    assert len(bars) == 13 and {bar.get("width") for bar in bars} == {"0"}
    assert {bar.get("fill") for bar in bars} == {charts.BLUE}  # none is below 0 %
    assert set(texts(svg, "value")) == {"0.0%"}
    (city,) = of_class(svg, "line", "city")
    assert float(city.get("x1")) == pytest.approx(plot_span(svg)[0])

    empty = charts.rate_chart_svg([])
    assert of_class(empty, "rect", "bar") == [] and of_class(empty, "line", "city") == []
    assert texts(empty, "name") == [] and len(of_class(empty, "line", "axis")) == 1


def test_the_trend_has_a_point_per_week_at_its_rate(data, trend_svg):
    trend = data[2]
    points = of_class(trend_svg, "circle", "point")
    assert len(points) == len(trend) == 6
    (axis,) = of_class(trend_svg, "line", "axis")
    bottom = float(axis.get("y1"))
    top = min(float(line.get("y1")) for line in elements(trend_svg, "line"))  # the 100 % grid
    xs = [float(point.get("cx")) for point in points]
    assert xs == sorted(xs) and len(set(xs)) == 6
    for point, week in zip(points, trend, strict=True):
        height = (bottom - float(point.get("cy"))) / (bottom - top)
        assert height == pytest.approx(week["rate"], abs=0.002)
    (line,) = of_class(trend_svg, "polyline", "line")
    assert len(line.get("points").split()) == 6
    assert texts(trend_svg, "week") == [week["label"] for week in trend]
    assert texts(trend_svg, "value") == [f"{week['rate'] * 100:.1f}%" for week in trend]


def test_a_trend_of_one_week_shows_its_point_in_the_middle():
    svg = charts.trend_chart_svg(bulletin_trend(1))
    (point,) = of_class(svg, "circle", "point")
    left, right = plot_span(svg)
    assert float(point.get("cx")) == pytest.approx((left + right) / 2, abs=0.1)
    assert texts(svg, "week") == ["第45周"]


@pytest.mark.parametrize("count", [6, 12, 20, 52])
def test_week_labels_and_values_never_overlap(count):
    svg = charts.trend_chart_svg(bulletin_trend(count))
    size = float(ET.fromstring(svg).get("font-size"))
    assert len(of_class(svg, "circle", "point")) == count
    weeks = of_class(svg, "text", "week")
    assert weeks[-1].text == f"第{44 + count}周"  # the latest week is always named
    gaps = [float(b.get("x")) - float(a.get("x")) for a, b in zip(weeks, weeks[1:], strict=False)]
    if weeks[0].get("transform"):  # turned 45°: the labels' distance across is gap × √½
        assert "rotate(-45" in weeks[0].get("transform")
        assert all(gap * 0.7071 >= 1.1 * size for gap in gaps)
    else:  # level: each character one em at most
        assert all(gap >= len(weeks[0].text) * size for gap in gaps)
    values = of_class(svg, "text", "value")
    assert values[-1].text == f"{bulletin_trend(count)[-1]['rate'] * 100:.1f}%"
    value_gaps = [
        float(b.get("x")) - float(a.get("x")) for a, b in zip(values, values[1:], strict=False)
    ]
    assert all(gap >= 6 * 0.6 * size for gap in value_gaps)  # "100.0%"
    # Every label stays inside the picture, however deep the turned labels reach.
    height = float(ET.fromstring(svg).get("viewBox").split()[3])
    turned = bool(weeks[0].get("transform"))
    reach = max(len(week.text) for week in weeks) * size * 0.7071 if turned else 0.3 * size
    assert all(float(week.get("y")) + reach <= height for week in weeks)


def test_no_weeks_still_draws():
    svg = charts.trend_chart_svg([])
    assert of_class(svg, "circle", "point") == [] and of_class(svg, "polyline", "line") == []
    assert len(of_class(svg, "line", "axis")) == 1


def test_names_show_exactly_as_typed(data):
    """Names are text, never markup or a formula: the template engine escapes them."""
    typed = ["$x^2$ 区", "<script>", "A & B 局", "$\\sqrt{x}$", '"引号"\'局']
    rows = [dict(row) for row in data[0]]
    for row, name in zip(rows, typed, strict=False):
        row["short_name"] = name
    svg = charts.rate_chart_svg(rows)
    assert texts(svg, "name")[:5] == typed
    assert "<script" not in svg and "&lt;script&gt;" in svg and "A &amp; B 局" in svg
    description = "".join(elements(svg, "desc")[0].itertext())
    assert all(name in description for name in typed)
    trend = bulletin_trend(2)
    trend[0]["label"] = "<b>&</b>"
    assert texts(charts.trend_chart_svg(trend), "week")[0] == "<b>&</b>"


# --- Workbook -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook_bytes(data):
    return exports.bulletin_workbook(**file_arguments(data))


@pytest.fixture(scope="module")
def workbook(workbook_bytes):
    return load_workbook(io.BytesIO(workbook_bytes))


HEADER_ROW = 4
POINTS_FORMAT = '+0.0" 个百分点";-0.0" 个百分点";0.0" 个百分点"'


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
            # A number in points, to the decimal the page shows, written with the unit.
            assert cells["rate_change"].value == round(row["rate_change"] * 100, 1)
            assert cells["rate_change"].number_format == POINTS_FORMAT
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
    return pdf.render_bulletin_pdf(**pdf_arguments(data), rate_svg=rate_svg, trend_svg=trend_svg)


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


def test_the_pdf_shows_the_change_in_points_and_the_publication_date(data, bulletin_pdf):
    """Each row's change as the page writes it, number and unit on one line: "+3.1 个百分点"."""
    rows, totals, _trend = data
    lines = [
        line.strip()
        for page in PdfReader(io.BytesIO(bulletin_pdf)).pages
        for line in page.extract_text().splitlines()
    ]
    assert "发布日期：2026-12-14" in lines  # under the cut-off, on a line of its own
    table = {line.split()[1]: line for line in lines if line.split()[0].isdigit()}
    table["合计"] = next(line for line in lines if line.startswith("合计 "))
    for row in [*rows, {**totals, "bureau_name": "合计"}]:
        if row["bureau_name"] == FORMULA_NAME:
            continue  # its name wraps in the cell; its change is checked below
        expected = points_text(row["rate_change"])
        assert f" {expected}" in table[row["bureau_name"]], row["bureau_name"]
    assert " +3.1 个百分点 " in table["南宁市本级财政局"]  # rank 1: a change of 0.031
    assert " −4.1 个百分点 " in table['=HYPERLINK("htt']  # rank 13: −0.041
    assert table["合计"].endswith(" 52.3% +1.2 个百分点")  # the city: 0.012


def test_the_pages_filter_writes_the_unit_in_the_readers_language():
    from reporting.templatetags.progress import points

    with translation.override("en"):
        assert points(0.036) == "+3.6 pp"
        assert points(-0.0004) == "0.0 pp"  # never "−0.0"
        assert points(None) == "—"  # no week before to compare with
    with translation.override("zh-hans"):
        assert points(-0.041) == "−4.1 个百分点"


def points_text(change: float | None) -> str:
    """A change of rate as every reader of the bulletin sees it, in percentage points."""
    if change is None:
        return "—"
    points = round(change * 100, 1)
    return ("0.0" if points == 0 else f"{points:+.1f}".replace("-", "−")) + " 个百分点"


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
                name = str(descendant.get_object()["/BaseFont"])
                assert "CJK" in name or "Registry-Sans-SC" in name  # core.pdf: the subset


def test_the_pdf_draws_the_charts_with_their_text(data, bulletin_pdf):
    """Page 1 holds the charts, whose names and figures are text in the embedded CJK font (the
    font test above); the table, with the bureaus' full names, starts on page 2."""
    rows, totals, trend = data
    without = pdf.render_bulletin_pdf(**pdf_arguments(data), rate_svg="", trend_svg="")

    def first_page(document: bytes) -> str:
        return compact(PdfReader(io.BytesIO(document)).pages[0].extract_text())

    text = first_page(bulletin_pdf)
    for row in rows:
        assert compact(row["short_name"][:11]) in text
    assert f"全市合计{totals['rate'] * 100:.1f}%" in text  # the legend
    assert all(week["label"] in text for week in trend)
    assert "青秀区" not in first_page(without) and "第45周" not in first_page(without)


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
            **pdf_arguments(data), rate_svg="<img src=x onerror=alert(1)>", trend_svg=""
        )
