from django import template
from django.utils.translation import gettext as _

from reporting.points import points_text

register = template.Library()


@register.filter
def rate(value) -> str:
    """0.4567 -> 45.7%"""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def points(value) -> str:
    """A change of rate in percentage points, as the PDF and the workbook write it too:
    "+3.1 个百分点" / "−0.4 个百分点" / "0.0 个百分点"; "—" if there is nothing to compare."""
    return points_text(value)


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    return f"{value:+,}".replace("-", "−") if value else "0"


@register.filter
def attr(obj, name: str):
    return getattr(obj, name)


@register.inclusion_tag("reporting/_forecast.html")
def forecast_badge(forecast, long: bool = False):
    return {"f": forecast, "long": long}


@register.simple_tag
def days_phrase(days: int) -> str:
    if days > 0:
        return _("%(days)s days left") % {"days": days}
    if days == 0:
        return _("deadline today")
    return _("%(days)s days past the deadline") % {"days": -days}


@register.filter
def svg_data_uri(svg: str) -> str:
    """A stored chart as an <img> source: the picture stays apart from the page's styles."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@register.simple_tag
def sheet_state(row: dict) -> str:
    """A bulletin row's weekly sheet, in the reader's language."""
    from reporting.bulletins import sheet_label

    return sheet_label(row.get("sheet_status", ""), row.get("sheet_late", False)) or "—"


@register.simple_tag
def charts_as_read(rows, totals, trend, rate_svg: str, trend_svg: str) -> tuple[str, str]:
    """A bulletin's two charts in the reader's language (reporting.bulletins.charts_as_read)."""
    from reporting import bulletins

    content = {"rows": rows, "totals": totals, "trend": trend}
    return bulletins.charts_as_read(content, (rate_svg, trend_svg))
