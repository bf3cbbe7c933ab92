"""What a bulletin (进度通报) shows, computed once when it is published: every bureau's figures
as of the week's cut-off, ranked by confirmation rate, with the change since the week before
and the city's trend over the campaign's weeks; then its charts and files."""

import gc

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from practitioners.models import Bureau
from reporting import weeks
from reporting.constants import SheetStatus
from reporting.figures import Figures, progress
from reporting.models import ProgressSheet


def sheet_label(status: str, late: bool) -> str:
    """How a county's sheet of the week stands, in a few characters ("" for the city)."""
    if not status:
        return ""
    labels = {
        SheetStatus.DRAFT: pgettext("sheet", "not submitted"),
        SheetStatus.SUBMITTED: pgettext("sheet", "submitted"),
        SheetStatus.ACCEPTED: pgettext("sheet", "accepted"),
        SheetStatus.RETURNED: pgettext("sheet", "returned"),
    }
    label = labels[status]
    return _("%(status)s, late") % {"status": label} if late else label


def _sheet_state(bureau, sheet: ProgressSheet | None) -> tuple[str, bool]:
    if bureau.is_city:
        return "", False
    if sheet is None:
        return SheetStatus.DRAFT, False
    return sheet.status, sheet.late


def _rank(rows: list[dict]) -> None:
    rows.sort(key=lambda r: (-r["rate"], r["bureau_code"]))
    rank, previous = 0, None
    for position, row in enumerate(rows, start=1):
        if row["rate"] != previous:
            rank, previous = position, row["rate"]
        row["rank"] = rank


def build(*, campaign, week: weeks.Week) -> dict:
    """rows (ranked), totals and trend, as the bulletin stores them."""
    now = progress(campaign=campaign, as_of=weeks.cutoff(campaign, week), week=week)
    # The week before, as of its cut-off (the change since last week).
    earlier = week.previous()
    before = (
        progress(campaign=campaign, as_of=weeks.cutoff(campaign, earlier), week=earlier)
        if earlier >= weeks.first_week(campaign)
        else None
    )
    sheets = {
        s.bureau_id: s for s in ProgressSheet.objects.filter(campaign=campaign, week=str(week))
    }

    def change(current: Figures, previous: Figures | None) -> float | None:
        if previous is None or not previous.holders:
            return None
        return round(current.rate - previous.rate, 6)

    rows = []
    for bureau in Bureau.objects.order_by("code"):
        figures = now.bureaus.get(bureau.pk, Figures())
        status, late = _sheet_state(bureau, sheets.get(bureau.pk))
        rows.append(
            {
                "bureau_code": bureau.code,
                "bureau_name": bureau.name,
                "short_name": bureau.short_name,
                **figures.as_dict(),
                "rate_change": change(figures, before.bureaus.get(bureau.pk) if before else None),
                "sheet_status": status,
                "sheet_late": late,
            }
        )
    _rank(rows)
    total = now.total()
    totals = {
        "bureau_name": _("Total"),
        **total.as_dict(),
        "rate_change": change(total, before.total() if before else None),
    }
    trend = []
    for each in weeks.campaign_weeks(campaign, until=week):
        figures = progress(campaign=campaign, as_of=weeks.cutoff(campaign, each), week=each).total()
        trend.append(
            {
                "week": str(each),
                "label": weeks.short_label(each),
                "holders": figures.holders,
                "confirmed": figures.confirmed,
                "rate": round(figures.rate, 6),
            }
        )
    return {"rows": rows, "totals": totals, "trend": trend}


def titles(*, campaign, week: weeks.Week) -> dict[str, str]:
    """The files' title lines, in Chinese (the files are the bureau's, whoever publishes)."""
    cutoff = timezone.localtime(weeks.cutoff(campaign, week), weeks.zone(campaign))
    with translation.override("zh-hans"):
        return {
            "title": _("%(campaign)s: progress bulletin") % {"campaign": campaign.name},
            "week_label": weeks.label(campaign, week),
            "cutoff_label": cutoff.strftime("%Y-%m-%d %H:%M"),
        }


def charts_of(content: dict) -> tuple[str, str]:
    """The bulletin's two charts (SVG): every bureau's rate, and the city's trend, in the site's
    language (the published bulletin's)."""
    from reporting import charts

    rate_svg = charts.rate_chart_svg(content["rows"], city_rate=content["totals"]["rate"])
    return rate_svg, charts.trend_chart_svg(content["trend"])


def charts_as_read(content: dict, published: tuple[str, str]) -> tuple[str, str]:
    """The charts for the page's reader: the published ones (drawn in the site's language) as
    they are, or, for a reader in another language, drawn again from the same figures, with the
    weeks named in the reader's words."""
    from reporting import charts

    language = translation.get_language()
    if language == settings.LANGUAGE_CODE:
        return published
    trend = [
        {**point, "label": weeks.short_label(weeks.Week.parse(point["week"]))}
        if point.get("week")
        else point
        for point in content["trend"]
    ]
    return (
        charts.rate_chart_svg(
            content["rows"], city_rate=content["totals"]["rate"], language=language
        ),
        charts.trend_chart_svg(trend, language=language),
    )


def files(*, campaign, week: weeks.Week, content: dict, published_at) -> dict:
    """The charts (SVG) and the downloads (PDF, Excel) of a bulletin, made once. published_at:
    the moment it is published (Bulletin.published_at), which the PDF prints as a date in the
    campaign's time zone, so that a printed copy says when it was issued."""
    from reporting import exports, pdf

    names = titles(campaign=campaign, week=week)
    published = timezone.localtime(published_at, weeks.zone(campaign)).strftime("%Y-%m-%d")
    with translation.override("zh-hans"):
        labelled = [
            {**row, "sheet": sheet_label(row["sheet_status"], row["sheet_late"])}
            for row in content["rows"]
        ]
        content = {
            **content,
            "rows": labelled,
            "totals": {**content["totals"], "bureau_name": _("Total")},
        }
    rate_svg, trend_svg = charts_of(content)
    workbook = exports.bulletin_workbook(**names, **content)
    document = pdf.render_bulletin_pdf(
        **names, **content, rate_svg=rate_svg, trend_svg=trend_svg, published_label=published
    )
    gc.collect()
    return {"rate_svg": rate_svg, "trend_svg": trend_svg, "xlsx": workbook, "pdf": document}
