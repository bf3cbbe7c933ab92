"""The progress bulletin's two charts (进度通报图表), drawn once on the server as SVG.

- ``rate_chart_svg(rows)``: the confirmation rate of each bureau, a horizontal bar per bureau in
  the rows' (ranked) order on a 0–100 % axis, labelled with the bureau's short name and its
  percentage; bureaus below the city's overall rate in amber, the city's rate a dashed line.
- ``trend_chart_svg(trend)``: the city's overall confirmation rate per ISO week of the
  campaign, a line with markers and value labels.

The SVG is the same on every screen and in every PDF: its text is drawn as outlines
(``svg.fonttype = "path"``), in Noto Sans CJK SC, so a phone without Chinese fonts, a browser
and WeasyPrint show the same glyphs; and it has no <text> to select or read (the page gives
alt text). The root <svg> keeps its viewBox but has no width or height: the page sizes it
(``width: 100%``). The same data gives the same bytes (a fixed hash salt, no date), so a
chart can be kept and compared. Every id is prefixed by the chart's kind, so that both charts
can sit inline in one HTML page. Labels are always in Chinese, like the bulletin itself.

matplotlib is imported inside the functions (it takes ~0.3 s to import). Figures are
``matplotlib.figure.Figure`` objects with their own SVG canvas: no pyplot and no global figure
state, so requests in several threads can draw at once. The only process-wide settings are the
two SVG options above, set once to constant values.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import pgettext

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

BLUE = "#0b4f8a"  # the product's blue
AMBER = "#b35c00"  # bureaus below the city's rate
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#d9dee5"

FONT_FAMILY = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk
# Tried in this order when Noto Sans CJK SC is missing (another Chinese font still shows
# characters rather than boxes).
FALLBACK_FAMILIES = (
    "Source Han Sans SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
FONT_SIZE = 11.5  # pt in the SVG's own units; the page scales the whole chart
# 5.8 inches (418 pt): on a phone 375 px wide the labels are still ~10 px high; the PDF sets
# the charts 150 mm wide (text ~11.7 pt).
WIDTH_IN = 5.8
LABEL_CHARS = 12  # a longer short name is cut (…) on the chart; the table shows it whole

_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def rate_chart_svg(rows: Sequence[Mapping[str, Any]], *, city_rate: float | None = None) -> str:
    """The bureaus' confirmation rates as SVG markup (an <svg> element, no XML prolog).

    rows: ranked, best first, each with "short_name" (or "bureau_name"), "rate" (0..1) and,
    unless city_rate is given, "holders" and "confirmed" (the city's rate is their ratio).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    if city_rate is None:
        city_rate = overall_rate(rows)
    names = [chart_label(row.get("short_name") or row.get("bureau_name") or "") for row in rows]
    rates = [max(0.0, min(1.0, float(row["rate"] or 0))) for row in rows]
    below = [rate < city_rate for rate in rates]
    font = font_properties()

    with translation.override("zh-hans"):
        above_text = pgettext("bulletin chart", "At or above the city")
        below_text = pgettext("bulletin chart", "Below the city")
        city_text = pgettext("bulletin chart", "City overall %(rate)s") % {
            "rate": percent(city_rate)
        }

    height = 0.95 + 0.34 * max(len(rows), 1)
    figure = new_figure(WIDTH_IN, height)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    axes.barh(
        positions,
        rates,
        height=0.66,
        color=[AMBER if flag else BLUE for flag in below],
        zorder=2,
    )
    for position, rate in zip(positions, rates, strict=True):
        inside = rate > 0.86  # no room to the right of the bar: the label goes inside it
        axes.text(
            rate - 0.012 if inside else rate + 0.012,
            position,
            percent(rate),
            ha="right" if inside else "left",
            va="center",
            color="white" if inside else INK,
            fontproperties=font,
            fontsize=FONT_SIZE - 1,
            parse_math=False,
            zorder=4,
            # Outside the bar, the label hides the city's line where they cross.
            bbox=None if inside else {"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
    if rows:
        axes.axvline(city_rate, color=INK, linestyle=(0, (4, 3)), linewidth=1.1, zorder=3)

    axes.set_xlim(0, 1)
    axes.set_ylim(len(rows) - 0.5 if rows else 0.5, -0.5)  # rank 1 at the top
    axes.xaxis.set_major_locator(MultipleLocator(0.2))
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_yticks(positions, names)
    style_axes(axes, font, grid_axis="x")
    axes.tick_params(axis="y", length=0, pad=6)

    handles = [
        Patch(color=BLUE, label=above_text),
        Patch(color=AMBER, label=below_text),
        Line2D([], [], color=INK, linestyle=(0, (4, 3)), linewidth=1.1, label=city_text),
    ]
    figure.legend(
        handles=handles,
        loc="outside upper center",
        ncols=3,
        frameon=False,
        prop=font_properties(FONT_SIZE - 0.5),
        handlelength=1.6,
        columnspacing=1.4,
    )
    return figure_svg(figure, "rate")


def trend_chart_svg(trend: Sequence[Mapping[str, Any]]) -> str:
    """The city's confirmation rate per ISO week as SVG markup (an <svg> element).

    trend: in week order, each with "label" (e.g. "第45周", or else "week") and "rate" (0..1).
    """
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    labels = [chart_label(point.get("label") or point.get("week") or "") for point in trend]
    rates = [max(0.0, min(1.0, float(point["rate"] or 0))) for point in trend]
    count = len(trend)
    font = font_properties()

    figure = new_figure(WIDTH_IN, 3.1)
    axes = figure.add_subplot()
    positions = list(range(count))
    axes.plot(
        positions,
        rates,
        color=BLUE,
        linewidth=2,
        marker="o",
        markersize=6,
        markerfacecolor="white",
        markeredgewidth=2,
        zorder=3,
        clip_on=False,
    )
    # Every value labelled while they fit; with many weeks every other one, from the last.
    step = 1 if count <= 12 else 2
    for index, (position, rate) in enumerate(zip(positions, rates, strict=True)):
        if (count - 1 - index) % step:
            continue
        high = rate > 0.9  # no room above the point: the label goes below it
        axes.annotate(
            percent(rate),
            (position, rate),
            xytext=(0, -9 if high else 9),
            textcoords="offset points",
            ha="center",
            va="top" if high else "bottom",
            color=INK,
            fontproperties=font,
            fontsize=FONT_SIZE - 1,
            parse_math=False,
            zorder=4,
        )

    # Categories centred with half a step either side: one week sits in the middle.
    axes.set_xlim(-0.5, max(count, 1) - 0.5)
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_locator(MultipleLocator(0.2))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_xticks(positions, labels)
    style_axes(axes, font, grid_axis="y")
    if count > 8:
        for label in axes.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    return figure_svg(figure, "trend")


# --- Helpers ------------------------------------------------------------------------------


def overall_rate(rows: Sequence[Mapping[str, Any]]) -> float:
    """The city's rate: all bureaus' confirmed holders over all their holders."""
    holders = sum(int(row.get("holders") or 0) for row in rows)
    confirmed = sum(int(row.get("confirmed") or 0) for row in rows)
    return confirmed / holders if holders else 0.0


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def chart_label(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def new_figure(width: float, height: float) -> Figure:
    """A figure with its own SVG canvas and constrained layout (labels never cut off)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    configure_matplotlib()
    figure = Figure(figsize=(width, height), dpi=72, layout="constrained", facecolor="white")
    FigureCanvasSVG(figure)
    figure.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
    return figure


def style_axes(axes, font, *, grid_axis: str) -> None:
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(MUTED)
    axes.grid(axis=grid_axis, color=GRID, linewidth=0.8, zorder=0)
    axes.set_axisbelow(True)
    axes.tick_params(colors=MUTED, labelcolor=INK, labelsize=FONT_SIZE)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(font)
        label.set_fontsize(FONT_SIZE)
        label.set_parse_math(False)  # a name with "$" is text, not mathtext


def figure_svg(figure: Figure, kind: str) -> str:
    """The figure as a scalable, self-contained <svg> element; the figure is cleared."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        figure.clear()
    svg = buffer.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE: it can sit inside HTML
    svg = _ROOT_SIZE.sub(r"\1", svg, count=1)
    svg = _ROOT_SIZE.sub(r"\1", svg, count=1)
    # The default style matplotlib writes is `*{…}`: inside an HTML page it would apply to
    # the whole page. Scope it to this chart.
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{kind}-chart *{{', 1)
    svg = svg.replace("<svg ", f'<svg id="{kind}-chart" ', 1)
    svg = _ID.sub(
        lambda m: m.group(0) if m.group(1) == f"{kind}-chart" else f'id="{kind}-{m.group(1)}"', svg
    )
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{kind}-{m.group(2)}", svg)
    return svg


@functools.cache
def font_family() -> str:
    """Noto Sans CJK SC if the system has it; else another Chinese font, with a warning."""
    from matplotlib import font_manager

    for family in (FONT_FAMILY, *FALLBACK_FAMILIES):
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        if family != FONT_FAMILY:
            logger.warning(
                "Font %r not found (Debian package fonts-noto-cjk): charts use %r",
                FONT_FAMILY,
                family,
            )
        return family
    logger.warning(
        "No Chinese font found (install Debian's fonts-noto-cjk): chart labels will show boxes"
    )
    return "DejaVu Sans"


def font_properties(size: float = FONT_SIZE):
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=font_family(), size=size)


@functools.cache
def configure_matplotlib() -> None:
    """The process-wide SVG settings: set once, always to the same values (so threads that
    draw at the same time never see them change)."""
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "path"  # text as outlines
    matplotlib.rcParams["svg.hashsalt"] = "accounting-registry-bulletin"  # stable ids
    matplotlib.rcParams["axes.unicode_minus"] = False  # "-" in Noto Sans CJK SC
