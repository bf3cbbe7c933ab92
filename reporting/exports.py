"""The progress bulletin as a workbook (进度通报.xlsx), for the bureaus: always in Chinese.

Sheet "进度通报": the title, the week and cut-off, a header row, one row per bureau in rank
order, the totals row, and a native Excel bar chart of the rates below the table. Sheet "趋势":
the city's rate per week and a native line chart. Numbers stay numbers (the rate a fraction
shown as a percentage; the change since last week in points, shown as "+3.6 个百分点" as on
the page and in the PDF), so that the bureau can sort and sum them; every text cell goes
through core.spreadsheets, so a bureau named `=HYPERLINK(…)` shows as typed and is never a
formula.

openpyxl in normal mode (its charts need it); a bulletin has a few dozen rows.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext

from core import spreadsheets
from practitioners.constants import Standing
from reporting import points

RATE_FORMAT = "0.0%"
BLUE = "0B4F8A"
AMBER = "B35C00"
HEADER_FILL = "DCE6F1"

# The bureau's columns: (key of the row, kind). Kinds: rank, text, count, rate, change.
COLUMNS = (
    ("rank", "rank"),
    ("bureau_name", "text"),
    ("holders", "count"),
    ("in_post", "count"),
    ("not_started", "count"),
    ("draft", "count"),
    ("waiting", "count"),
    ("returned", "count"),
    ("confirmed_week", "count"),
    ("confirmed", "count"),
    ("pending", "count"),
    ("rate", "rate"),
    ("rate_change", "change"),
    ("sheet", "text"),
)


def column_headers() -> dict[str, str]:
    """The columns' headers in the active language (the workbook and the PDF share them)."""
    return {
        "rank": pgettext("bulletin", "Rank"),
        "bureau_name": pgettext("bulletin", "Bureau"),
        "holders": pgettext("bulletin", "Certificate holders"),
        "in_post": pgettext("bulletin", "In an accounting post"),
        # The states in the one vocabulary's words, as every page names them.
        "not_started": str(Standing.NOT_STARTED.label),
        "draft": str(Standing.DRAFT.label),
        "waiting": str(Standing.WAITING.label),
        "returned": str(Standing.RETURNED.label),
        "confirmed_week": pgettext("bulletin", "Confirmed this week"),
        "confirmed": pgettext("bulletin", "Confirmed in total"),
        "pending": str(Standing.PENDING.label),
        "rate": pgettext("bulletin", "Confirmation rate"),
        "rate_change": pgettext("bulletin", "Change since last week"),
        "sheet": pgettext("bulletin", "Weekly progress sheet"),
    }


def cutoff_text(week_label: str, cutoff_label: str) -> str:
    """The line under the title: the week and the moment the figures were taken."""
    return pgettext("bulletin", "%(week)s  Figures as of %(cutoff)s") % {
        "week": week_label,
        "cutoff": cutoff_label,
    }


def bulletin_workbook(
    *,
    title: str,
    week_label: str,
    cutoff_label: str,
    rows: Sequence[Mapping[str, Any]],
    totals: Mapping[str, Any],
    trend: Sequence[Mapping[str, Any]],
) -> bytes:
    """The bulletin as .xlsx bytes.

    title: e.g. "南宁市会计人员信息采集工作进度通报（第45周）"; week_label: "第45周";
    cutoff_label: when the figures were taken, e.g. "2026年11月8日 24:00".
    rows, totals, trend: as the reporting app builds them (see tests/reporting/bulletin_data.py).
    """
    from openpyxl import Workbook

    with translation.override("zh-hans"):
        workbook = Workbook()
        bulletin_sheet(workbook.active, title, week_label, cutoff_label, rows, totals)
        trend_sheet(workbook.create_sheet(), trend)
        workbook.properties.creator = ""
        workbook.properties.title = title
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def bulletin_sheet(sheet, title, week_label, cutoff_label, rows, totals) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    sheet.title = pgettext("bulletin", "Progress bulletin")
    width = len(COLUMNS)
    bold = Font(bold=True)
    thin = Side(style="thin", color="8C96A3")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    text(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 26
    text(sheet, 2, 1, cutoff_text(week_label, cutoff_label))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.cell(2, 1).alignment = Alignment(horizontal="center")

    header_row = 4
    headers = column_headers()
    for column, (key, _kind) in enumerate(COLUMNS, start=1):
        cell = text(sheet, header_row, column, headers[key])
        cell.font = bold
        cell.alignment = centre
        cell.border = grid
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    sheet.row_dimensions[header_row].height = 34

    first = header_row + 1
    for offset, row in enumerate(rows):
        write_row(sheet, first + offset, row, grid)
    totals_row = first + len(rows)
    write_row(sheet, totals_row, {**totals, "rank": None, "sheet": ""}, grid)
    for column in range(1, width + 1):
        sheet.cell(totals_row, column).font = bold
        sheet.cell(totals_row, column).border = Border(
            left=thin, right=thin, top=Side(style="medium", color="333333"), bottom=thin
        )

    # Readable widths: a Chinese character takes two of Excel's character widths.
    for column, (key, kind) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(column)
        if kind == "text":
            values = [str(row.get(key) or "") for row in rows] + [headers[key]]
            sheet.column_dimensions[letter].width = min(max(map(display_width, values)) + 3, 40)
        elif kind == "rank":
            sheet.column_dimensions[letter].width = 7
        else:
            sheet.column_dimensions[letter].width = 11.5
    sheet.freeze_panes = sheet.cell(first, 3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"

    if rows:
        city_rate = totals.get("rate")
        sheet.add_chart(rate_chart(sheet, rows, first, city_rate), f"B{totals_row + 3}")


def write_row(sheet, number: int, row: Mapping[str, Any], border) -> None:
    from openpyxl.styles import Alignment

    for column, (key, kind) in enumerate(COLUMNS, start=1):
        value = row.get(key)
        if kind == "text":
            cell = text(sheet, number, column, value)
        elif value is None:
            cell = sheet.cell(number, column)  # an empty cell, not 0
        elif kind in ("rank", "count"):
            cell = sheet.cell(number, column, int(value))
        elif kind == "change":
            # In points (3.6), not as a fraction: "+3.6 个百分点", as the page and the PDF.
            cell = sheet.cell(number, column, points.points(value))
            cell.number_format = points.excel_format()
        else:
            cell = sheet.cell(number, column, float(value))
            cell.number_format = RATE_FORMAT
        cell.border = border
        if kind == "rank":
            cell.alignment = Alignment(horizontal="center")


def rate_chart(sheet, rows, first: int, city_rate: float | None):
    """A horizontal bar per bureau, in rank order from the top; below the city's rate amber."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.marker import DataPoint

    rate_column = 1 + [key for key, _kind in COLUMNS].index("rate")
    name_column = 1 + [key for key, _kind in COLUMNS].index("bureau_name")
    last = first + len(rows) - 1
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = pgettext("bulletin", "Confirmation rate by bureau")
    chart.legend = None
    chart.gapWidth = 40
    chart.add_data(Reference(sheet, min_col=rate_column, min_row=first, max_row=last))
    series = chart.series[0]
    series.cat = text_categories(Reference(sheet, min_col=name_column, min_row=first, max_row=last))
    series.graphicalProperties.solidFill = BLUE
    series.graphicalProperties.line.solidFill = BLUE
    if city_rate is not None:
        for index, row in enumerate(rows):
            if float(row["rate"] or 0) < city_rate:
                point = DataPoint(idx=index)
                point.graphicalProperties.solidFill = AMBER
                point.graphicalProperties.line.solidFill = AMBER
                series.dPt.append(point)
    series.dLbls = DataLabelList()
    series.dLbls.showVal = True
    for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(series.dLbls, flag, False)
    # The first bureau at the top, the rate axis below the bars.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.2
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    # openpyxl 3.1 marks axes deleted by default: Excel would draw none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # every bureau named, however small the chart is drawn
    chart.x_axis.txPr = font_size(9)
    chart.width = 20
    chart.height = 2.5 + 0.65 * len(rows)  # 13 bureaus: one landscape page with the table
    return chart


def trend_sheet(sheet, trend: Sequence[Mapping[str, Any]]) -> None:
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.title = pgettext("bulletin", "Trend")
    headers = [
        pgettext("bulletin", "Week"),
        pgettext("bulletin", "ISO week"),
        pgettext("bulletin", "Certificate holders"),
        pgettext("bulletin", "Confirmed in total"),
        pgettext("bulletin", "Confirmation rate"),
    ]
    for column, header in enumerate(headers, start=1):
        cell = text(sheet, 1, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for number, point in enumerate(trend, start=2):
        text(sheet, number, 1, point.get("label") or point.get("week"))
        text(sheet, number, 2, point.get("week"))
        for column, key in ((3, "holders"), (4, "confirmed")):
            if point.get(key) is not None:
                sheet.cell(number, column, int(point[key]))
        if point.get("rate") is not None:
            sheet.cell(number, 5, float(point["rate"])).number_format = RATE_FORMAT
    for letter, width in zip("ABCDE", (10, 11, 12, 12, 11), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if not trend:
        return

    last = 1 + len(trend)
    chart = LineChart()
    chart.title = pgettext("bulletin", "City confirmation rate by week")
    chart.style = 12
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=5, min_row=2, max_row=last))
    series = chart.series[0]
    series.cat = text_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    series.graphicalProperties.line.solidFill = BLUE
    series.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
    series.marker.symbol = "circle"
    series.marker.size = 7
    series.marker.graphicalProperties.solidFill = "FFFFFF"
    series.marker.graphicalProperties.line.solidFill = BLUE
    series.smooth = False
    series.dLbls = DataLabelList()
    series.dLbls.showVal = True
    series.dLbls.position = "t"
    for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(series.dLbls, flag, False)
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.2
    chart.y_axis.number_format = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 16
    chart.height = 8.5
    sheet.add_chart(chart, f"A{last + 3}")  # below the table: prints on the same page


def font_size(points: float):
    """An axis's labels at this size (small enough that every bureau's name shows)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    size = CharacterProperties(sz=int(points * 100))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def text_categories(reference):
    """A chart's categories read as text (openpyxl's set_categories says they are numbers)."""
    from openpyxl.chart.data_source import AxDataSource, StrRef

    return AxDataSource(strRef=StrRef(f=str(reference)))


def text(sheet, row: int, column: int, value: Any):
    """A text cell: shown as typed, never a formula (core.spreadsheets)."""
    return spreadsheets.xlsx_text(sheet.cell(row, column), value)


def display_width(text: str) -> int:
    """A text's width in Excel character widths: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
