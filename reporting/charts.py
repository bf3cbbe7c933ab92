"""The progress bulletin's two charts (进度通报图表), drawn once on the server as SVG.

- ``rate_chart_svg(rows)``: the confirmation rate of each bureau, a horizontal bar per bureau in
  the rows' (ranked) order on a 0–100 % axis, labelled with the bureau's short name and its
  percentage; bureaus below the city's overall rate in amber, the city's rate a dashed line.
- ``trend_chart_svg(trend)``: the city's overall confirmation rate per ISO week of the
  campaign, a line with markers and value labels.

This module only does arithmetic: where each bar, point, tick and label goes. The markup is
written by two Django templates (templates/reporting/charts/bars.svg and line.svg), so every
name is escaped by the template engine and shows exactly as typed. Text is real <text> in the
product's Chinese font stack (WeasyPrint and browsers draw it with the system's Noto Sans CJK
SC). There is no font to measure text with, so widths are estimated generously
(``text_width``): a Chinese character is one em, anything else 0.6 em.

Horizontal bars put each bureau's name on its own row, so names never overlap however many
bureaus there are; the week labels of a long trend turn 45° and, when even that is too
crowded, only every n-th one is shown (always the latest). The root <svg> has a viewBox but no
width or height (the page sizes it), no ids and no <style>, so it can sit anywhere. The same
data gives the same bytes. Labels are always in Chinese, like the bulletin itself.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import pgettext

BLUE = "#0b4f8a"  # the product's blue
AMBER = "#b35c00"  # bureaus below the city's rate
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#d9dee5"

# The product's Chinese font stack (static/css/app.css, templates/pdf/): Debian's
# fonts-noto-cjk on the server, the usual Chinese fonts on readers' machines.
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', sans-serif"
)
FONT_SIZE = 11.5  # in the SVG's own units; the page scales the whole chart
SMALL_SIZE = 10.5  # the values next to bars and points
# 420 units wide (the old 5.8 inches at 72 units an inch): on a phone 375 px wide the labels
# are still ~10 px high; the PDF sets the charts 150 mm wide (text ~11.7 pt).
WIDTH = 420
PAD = 8
LABEL_CHARS = 12  # a longer short name is cut (…) on the chart; the table shows it whole

ROW_HEIGHT = 24  # one bureau's row in the bar chart
BAR_HEIGHT = 16
LEGEND_LINE = 18
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

TREND_PLOT_HEIGHT = 170


def rate_chart_svg(
    rows: Sequence[Mapping[str, Any]], *, city_rate: float | None = None, language: str = ""
) -> str:
    """The bureaus' confirmation rates as SVG markup (an <svg> element, no XML prolog).

    rows: ranked, best first, each with "short_name" (or "bureau_name"), "rate" (0..1) and,
    unless city_rate is given, "holders" and "confirmed" (the city's rate is their ratio).
    language: of the title and legend; the site's (the published bulletin's) unless given.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        svg = render_to_string("reporting/charts/bars.svg", rate_chart(rows, city_rate=city_rate))
    return svg.strip()


def trend_chart_svg(trend: Sequence[Mapping[str, Any]], *, language: str = "") -> str:
    """The city's confirmation rate per ISO week as SVG markup (an <svg> element).

    trend: in week order, each with "label" (e.g. "第45周", or else "week") and "rate" (0..1).
    language: of the title; the site's (the published bulletin's) unless given.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        svg = render_to_string("reporting/charts/line.svg", trend_chart(trend))
    return svg.strip()


# --- Geometry -----------------------------------------------------------------------------


def rate_chart(rows: Sequence[Mapping[str, Any]], *, city_rate: float | None = None) -> dict:
    """Everything bars.svg draws, in SVG units (numbers already formatted)."""
    if city_rate is None:
        city_rate = overall_rate(rows)
    city_rate = clamp(city_rate)
    names = [chart_label(row.get("short_name") or row.get("bureau_name") or "") for row in rows]
    rates = [clamp(row.get("rate")) for row in rows]

    title = pgettext("bulletin", "Confirmation rate by bureau")
    legend_texts = [
        ("bar", BLUE, pgettext("bulletin chart", "At or above the city")),
        ("bar", AMBER, pgettext("bulletin chart", "Below the city")),
        (
            "line",
            INK,
            pgettext("bulletin chart", "City overall %(rate)s") % {"rate": percent(city_rate)},
        ),
    ]
    legend, legend_height = legend_layout(legend_texts)

    label_width = max((text_width(name, FONT_SIZE) for name in names), default=0.0)
    left = PAD + label_width + 8
    right = WIDTH - PAD - text_width("100%", FONT_SIZE) / 2  # the last tick label fits
    plot_width = right - left
    top = legend_height + 4
    bottom = top + ROW_HEIGHT * max(len(rows), 1)

    bars = []
    for index, (name, rate) in enumerate(zip(names, rates, strict=True)):
        middle = top + ROW_HEIGHT * (index + 0.5)
        length = rate * plot_width
        value = percent(rate)
        value_width = text_width(value, SMALL_SIZE)
        # No room right of the bar: the value goes inside it, in white.
        inside = length + 4 + value_width > plot_width
        value_x = left + length - 4 if inside else left + length + 4
        bars.append(
            {
                "name": name,
                "value": value,
                "below": rate < city_rate,
                "fill": AMBER if rate < city_rate else BLUE,
                "x": num(left),
                "y": num(middle - BAR_HEIGHT / 2),
                "width": num(length),
                "height": BAR_HEIGHT,
                "label_x": num(left - 8),
                "baseline": num(middle + 0.35 * FONT_SIZE),
                "value_x": num(value_x),
                "value_baseline": num(middle + 0.35 * SMALL_SIZE),
                "value_inside": inside,
                # Outside the bar, a white patch hides the city's line where they cross.
                "patch_x": num(value_x - 1),
                "patch_y": num(middle - 0.6 * SMALL_SIZE),
                "patch_width": num(value_width + 2),
                "patch_height": num(1.2 * SMALL_SIZE),
            }
        )

    ticks = [
        {
            "x": num(left + tick * plot_width),
            "label": f"{tick * 100:.0f}%",
        }
        for tick in TICKS
    ]
    height = bottom + 8 + FONT_SIZE + PAD
    return {
        "width": WIDTH,
        "height": num(height),
        "font_family": FONT_FAMILY,
        "font_size": FONT_SIZE,
        "small_size": SMALL_SIZE,
        "colours": {"ink": INK, "muted": MUTED, "grid": GRID},
        "title": title,
        "legend": legend,
        "bars": bars,
        "ticks": ticks,
        "city": {"x": num(left + city_rate * plot_width), "value": percent(city_rate)}
        if rows
        else None,
        "plot": {
            "left": num(left),
            "right": num(right),
            "top": num(top),
            "bottom": num(bottom),
            "tick_baseline": num(bottom + 6 + FONT_SIZE),
        },
    }


def legend_layout(items: Sequence[tuple[str, str, str]]) -> tuple[list[dict], float]:
    """The legend's keys, centred lines above the plot; an item that does not fit on the line
    starts a new one. Returns the items (with positions) and the legend's height."""
    key, gap, spacing = 12, 4, 14
    lines: list[list[tuple[float, tuple[str, str, str]]]] = [[]]
    used = 0.0
    for item in items:
        width = key + gap + text_width(item[2], SMALL_SIZE)
        if lines[-1] and used + spacing + width > WIDTH - 2 * PAD:
            lines.append([])
            used = 0.0
        used += (spacing if lines[-1] else 0) + width
        lines[-1].append((width, item))
    placed = []
    for number, line in enumerate(lines):
        total = sum(width for width, _item in line) + spacing * (len(line) - 1)
        x = (WIDTH - total) / 2
        middle = PAD + LEGEND_LINE * (number + 0.5)
        for width, (kind, colour, text) in line:
            placed.append(
                {
                    "kind": kind,
                    "colour": colour,
                    "text": text,
                    "key_x": num(x),
                    "key_end": num(x + key),
                    "key_y": num(middle - 5),
                    "middle": num(middle),
                    "text_x": num(x + key + gap),
                    "baseline": num(middle + 0.35 * SMALL_SIZE),
                }
            )
            x += width + spacing
    return placed, PAD + LEGEND_LINE * len(lines)


def trend_chart(trend: Sequence[Mapping[str, Any]]) -> dict:
    """Everything line.svg draws, in SVG units (numbers already formatted)."""
    labels = [chart_label(point.get("label") or point.get("week") or "") for point in trend]
    rates = [clamp(point.get("rate")) for point in trend]
    count = len(trend)
    title = pgettext("bulletin", "City confirmation rate by week")

    left = PAD + text_width("100%", FONT_SIZE) + 6
    right = WIDTH - PAD - 4
    top = PAD + 6
    bottom = top + TREND_PLOT_HEIGHT
    # Categories centred in equal slots: one week sits in the middle.
    slot = (right - left) / max(count, 1)

    # Week labels: level while they fit in their slot; else turned 45°, and only every
    # n-th one (counted from the latest) when even turned labels would touch.
    label_width = max((text_width(label, FONT_SIZE) for label in labels), default=0.0)
    turned = label_width + 6 > slot
    label_step = math.ceil(1.6 * FONT_SIZE / slot) if turned else 1
    label_depth = label_width * math.sqrt(0.5) + FONT_SIZE if turned else FONT_SIZE
    # Values: every point while they fit side by side, else every n-th, from the latest.
    value_step = math.ceil((text_width("100.0%", SMALL_SIZE) + 4) / slot)

    points = []
    for index, (label, rate) in enumerate(zip(labels, rates, strict=True)):
        x = left + slot * (index + 0.5)
        y = bottom - rate * TREND_PLOT_HEIGHT
        from_latest = count - 1 - index
        high = rate > 0.9  # no room above the point: the value goes below it
        points.append(
            {
                "label": label,
                "value": percent(rate),
                "x": num(x),
                "y": num(y),
                "show_label": from_latest % label_step == 0,
                "show_value": from_latest % value_step == 0,
                "value_baseline": num(y + 9 + 0.75 * SMALL_SIZE if high else y - 9),
                "label_x": num(x + 3 if turned else x),
                "label_baseline": num(bottom + 6 + (0.75 if turned else 1) * FONT_SIZE),
            }
        )
    ticks = [
        {
            "y": num(bottom - tick * TREND_PLOT_HEIGHT),
            "baseline": num(bottom - tick * TREND_PLOT_HEIGHT + 0.35 * FONT_SIZE),
            "label": f"{tick * 100:.0f}%",
        }
        for tick in TICKS
    ]
    return {
        "width": WIDTH,
        "height": num(bottom + 6 + label_depth + PAD),
        "font_family": FONT_FAMILY,
        "font_size": FONT_SIZE,
        "small_size": SMALL_SIZE,
        "colours": {"ink": INK, "muted": MUTED, "grid": GRID, "blue": BLUE},
        "title": title,
        "points": points,
        "line": " ".join(f"{point['x']},{point['y']}" for point in points),
        "turned": turned,
        "ticks": ticks,
        "plot": {
            "left": num(left),
            "right": num(right),
            "top": num(top),
            "bottom": num(bottom),
            "tick_x": num(left - 6),
        },
    }


# --- Helpers ------------------------------------------------------------------------------


def overall_rate(rows: Sequence[Mapping[str, Any]]) -> float:
    """The city's rate: all bureaus' confirmed holders over all their holders."""
    holders = sum(int(row.get("holders") or 0) for row in rows)
    confirmed = sum(int(row.get("confirmed") or 0) for row in rows)
    return confirmed / holders if holders else 0.0


def clamp(rate: Any) -> float:
    """A rate kept within 0..1 (None is 0), so that no bar or point leaves the plot."""
    return max(0.0, min(1.0, float(rate or 0)))


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def chart_label(text: Any) -> str:
    """A name as one short line: whitespace runs become one space, control characters (which
    XML cannot carry) go, and a name longer than LABEL_CHARS is cut with an ellipsis."""
    text = "".join(
        char for char in str(text) if unicodedata.category(char) != "Cc" or char in " \t\n\r"
    )
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def text_width(text: str, size: float) -> float:
    """A generous estimate of the text's width: Chinese (wide or ambiguous) characters one em, others
    0.6 em (Noto Sans CJK's Latin letters and digits are narrower)."""
    ems = sum(1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.6 for char in text)
    return ems * size


def num(value: float) -> str:
    """A coordinate as the SVG writes it: one decimal at most, never localised."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
