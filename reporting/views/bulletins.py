"""The bulletins: city staff publish a past week's; anyone reads the published ones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practitioners import registerfile
from practitioners.decorators import staff_required
from reporting import permissions, selectors, services, weeks
from reporting.documents import KINDS
from reporting.figures import DEFINITIONS
from reporting.forms import PublishForm
from reporting.views.common import WIDE, campaign_or_none


@require_http_methods(["GET", "POST"])
@staff_required
def publish(request):
    """City staff: the campaign's weeks, published or not, and publishing a past week."""
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    error, status = None, 200
    if request.method == "POST":
        form = PublishForm(request.POST)
        week = None
        if form.is_valid():
            try:
                week = weeks.Week.parse(form.cleaned_data["week"])
            except ValueError as exc:
                error = str(exc)
        if week is not None and not form.cleaned_data["confirm"]:
            # Publishing cannot be undone: it is asked for on the preview, never in one click.
            return redirect("reporting:publish_preview", week=str(week))
        if week is not None:
            try:
                bulletin = services.publish_bulletin(
                    campaign=campaign, week=week, actor=request.user
                )
            except services.ReportingError as exc:
                error = str(exc)
            else:
                messages.success(request, _("The bulletin is published."))
                return redirect(
                    "reporting:bulletin", campaign=bulletin.campaign_id, week=bulletin.week
                )
        status = 400
    now = timezone.now()
    published = {b.week: b for b in selectors.published_bulletins().filter(campaign=campaign)}
    rows = [
        {
            "week": w,
            "label": weeks.label(campaign, w),
            "cutoff": weeks.cutoff(campaign, w),
            "ready": weeks.cutoff(campaign, w) < now,
            "bulletin": published.get(str(w)),
        }
        for w in reversed(weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, now)))
    ]
    # The newest week still to publish stands out; older ones are there, but quieter.
    latest = next((r for r in rows if r["ready"] and not r["bulletin"]), None)
    if latest is not None:
        latest["latest"] = True
    return render(
        request,
        "reporting/bulletin_publish.html",
        {"campaign": campaign, "rows": rows, "error": error},
        status=status,
    )


@require_GET
@staff_required
def publish_preview(request, week: str):
    """City staff: the week's bulletin as publishing it now would make it (the same page as a
    published one, marked as a preview), the counties whose sheet of the week the city has not
    accepted, and the one button that publishes it."""
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    try:
        the_week = weeks.Week.parse(week)
    except ValueError:
        raise Http404 from None
    if not weeks.in_campaign(campaign, the_week):
        raise Http404
    try:
        preview = services.preview_bulletin(campaign=campaign, week=the_week, actor=request.user)
    except services.ReportingError as exc:
        published = selectors.published_bulletins().filter(campaign=campaign, week=str(the_week))
        if published.exists():
            return redirect("reporting:bulletin", campaign=campaign.pk, week=str(the_week))
        messages.error(request, str(exc))
        return redirect("reporting:publish")
    return render(
        request,
        "reporting/bulletin_preview.html",
        {
            "campaign": campaign,
            "week": the_week,
            "week_label": weeks.label(campaign, the_week),
            "container": WIDE,
            "preview": preview,
            "definitions": DEFINITIONS,
        },
    )


@require_GET
def bulletin_list(request):
    """Public: every published bulletin, newest first."""
    items = list(selectors.published_bulletins())
    for item in items:
        item.label = weeks.label(item.campaign, weeks.Week.parse(item.week))
    return render(request, "reporting/bulletin_list.html", {"bulletins": items})


@require_GET
def bulletin(request, campaign: int, week: str):
    """Public: a published bulletin, its table and charts (drawn when it was published)."""
    item = selectors.published_bulletin(campaign_id=campaign, week=week, light=True)
    the_week = weeks.Week.parse(item.week)
    return render(
        request,
        "reporting/bulletin_detail.html",
        {
            "bulletin": item,
            "week_label": weeks.label(item.campaign, the_week),
            "definitions": DEFINITIONS,
            "container": WIDE,
        },
    )


@require_GET
def bulletin_file(request, campaign: int, week: str, fmt: str):
    """Public: the bulletin's PDF or Excel file, as made when it was published."""
    item = selectors.published_bulletin(campaign_id=campaign, week=week)
    field = {"pdf": item.pdf, "xlsx": item.xlsx}[fmt]
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"),
        content_type=KINDS["pdf"] if fmt == "pdf" else registerfile.CONTENT_TYPES[fmt],
        as_attachment=fmt == "xlsx",
        filename=f"bulletin-{item.week}.{fmt}",
    )
