"""The progress bulletin printed (进度通报.pdf): A4 portrait, always in Chinese.

The title, the cut-off and the publication date, the two charts (the SVG of reporting.charts as <img> data URIs: WeasyPrint
draws them as vectors, their text in the embedded Noto Sans CJK SC), then the ranked table with
its totals.
Page numbers in the footer ("第 N 页 / 共 M 页"). Only aggregate figures: no personal data.
"""

from __future__ import annotations

import base64
import gc
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext

from core.pdf import render_to_pdf
from reporting.exports import COLUMNS, column_headers, cutoff_text
from reporting.points import points_text

TEMPLATE = "pdf/bulletin.html"


def render_bulletin_pdf(
    *,
    title: str,
    week_label: str,
    cutoff_label: str,
    rows: Sequence[Mapping[str, Any]],
    totals: Mapping[str, Any],
    trend: Sequence[Mapping[str, Any]],
    rate_svg: str,
    trend_svg: str,
    published_label: str,
) -> bytes:
    """The bulletin as PDF bytes. rate_svg and trend_svg: the markup of
    reporting.charts.rate_chart_svg and trend_chart_svg (trusted: drawn by this project);
    published_label: the publication date, e.g. "2026-11-24" (printed as 发布日期：2026-11-24)."""
    with translation.override("zh-hans"):
        context = {
            "title": title,
            "subtitle": cutoff_text(week_label, cutoff_label),
            "published": pgettext("bulletin", "Published: %(date)s") % {"date": published_label},
            "columns": [{"key": key, "header": column_headers()[key]} for key, _kind in COLUMNS],
            "rows": [table_row(row) for row in rows],
            "totals": table_row({**totals, "rank": None, "sheet": ""}),
            "has_trend": bool(trend),
            "rate_svg": chart_markup(rate_svg),
            "trend_svg": chart_markup(trend_svg),
        }
        _html, pdf = render_to_pdf(TEMPLATE, context)
    gc.collect()  # WeasyPrint's documents hold reference cycles: keep a worker's memory flat
    return pdf


def table_row(row: Mapping[str, Any]) -> list[dict[str, str]]:
    """A row's cells as the table shows them: {"text", "kind"} in the columns' order."""
    cells = []
    for key, kind in COLUMNS:
        value = row.get(key)
        if value is None:
            shown = "—" if kind == "change" else ""
        elif kind == "rate":
            shown = f"{float(value) * 100:.1f}%"
        elif kind == "change":
            shown = points_text(value)
        elif kind in ("rank", "count"):
            shown = str(int(value))
        else:
            shown = str(value)
        cells.append({"text": shown, "kind": kind})
    return cells


def chart_markup(svg: str) -> str:
    """A chart's SVG as a data: URI for an <img>; anything else is refused."""
    svg = (svg or "").strip()
    if not svg:
        return ""
    if not (svg.startswith("<svg") and svg.endswith("</svg>")) or "<script" in svg.lower():
        raise ValueError("A bulletin chart must be an <svg> element from reporting.charts")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
