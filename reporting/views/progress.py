"""The figures: the city's dashboard, a county's progress, what each figure means, and the
people behind a figure (with their call list)."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collection.selectors import active_campaign
from core.pagination import DeferredJoinPaginator
from practitioners import registerfile
from practitioners.decorators import staff_required
from reporting import permissions, selectors, services, weeks
from reporting.figures import DEFINITIONS, FIGURES, PEOPLE_FIGURES, Figures, forecast, progress
from reporting.views.common import WIDE, campaign_or_none

PAGE_SIZE = 50


@require_GET
@staff_required
def dashboard(request):
    """City staff: every bureau at a glance. County staff go to their own county's page."""
    if not permissions.can_supervise(request.user):
        return redirect("reporting:bureau", code=request.user.bureau.code)
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    rows = selectors.overview(campaign=campaign)
    now = timezone.now()
    week = weeks.current_week(campaign, now)
    closed = weeks.is_closed(campaign, now)
    total = sum((r.figures for r in rows), Figures())
    counties = [r for r in rows if r.plan is not None]
    return render(
        request,
        "reporting/dashboard.html",
        {
            "container": WIDE,
            "campaign": campaign,
            "rows": rows,
            "total": total,
            "week": week,
            "week_label": weeks.label(campaign, week),
            "closed": closed,
            "cutoff": weeks.cutoff(campaign, week),
            "days_left": weeks.days_left(campaign, now),
            # A closed campaign asks for nothing more.
            "no_plan": [] if closed else [r for r in counties if r.plan.overdue],
            "no_sheet": [] if closed else [r for r in counties if selectors.sheet_missing(r.sheet)],
            "at_risk": [] if closed else [r for r in rows if r.forecast.at_risk],
            "definitions": DEFINITIONS,
            "last_week": week.previous(),
        },
    )


@require_GET
@staff_required
def bureau_progress(request, code: str):
    """A county's own page: live figures against last week's sheet, the forecast, the plan and
    the weekly sheets."""
    bureau = selectors.bureau_for(user=request.user, code=code)
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    now = timezone.now()
    live = progress(campaign=campaign)
    figures = live.bureaus.get(bureau.pk, Figures())
    week = weeks.current_week(campaign, now)
    closed = weeks.is_closed(campaign, now)
    sheets = selectors.sheets_of(campaign=campaign, bureau=bureau)
    # The comparison is with the last week whose figures are final.
    last_week = week if closed else week.previous()
    last = sheets.get(str(last_week))
    last_figures = (
        selectors.week_figures(campaign=campaign, bureau=bureau, week=last_week, sheet=last).figures
        if weeks.in_campaign(campaign, last_week)
        else None
    )
    comparison = []
    for definition in FIGURES:
        now_value = getattr(figures, definition.key)
        then = getattr(last_figures, definition.key) if last_figures else None
        comparison.append(
            {
                "definition": definition,
                "now": now_value,
                "then": then,
                "change": None if then is None else now_value - then,
            }
        )
    sheet_weeks = [
        {
            "week": w,
            "label": weeks.label(campaign, w),
            "sheet": sheets.get(str(w)),
            "cutoff": weeks.cutoff(campaign, w),
            "overdue": weeks.cutoff(campaign, w) < now
            and selectors.never_submitted(sheets.get(str(w))),
        }
        for w in reversed(weeks.campaign_weeks(campaign, until=week))
    ]
    reports = permissions.reports(bureau)
    return render(
        request,
        "reporting/bureau_progress.html",
        {
            "campaign": campaign,
            "bureau": bureau,
            "figures": figures,
            "comparison": comparison,
            "last": last,
            "last_week_label": weeks.label(campaign, last_week),
            "closed": closed,
            "week": week,
            "forecast": forecast(
                figures=figures,
                recent=live.pace.get(bureau.pk, 0),
                today=weeks.local_today(campaign, now),
                deadline=campaign.collection_due_date,
            ),
            "plan": (
                selectors.plan_state(
                    campaign=campaign, plan=selectors.plan_of(campaign=campaign, bureau=bureau)
                )
                if reports
                else None
            ),
            "plan_due": campaign.plan_due_date,
            "sheet_weeks": sheet_weeks if reports else [],
            "people_figures": PEOPLE_FIGURES,
            "can_write": permissions.can_write_sheet(request.user, bureau),
            "days_left": weeks.days_left(campaign, now),
        },
    )


@require_GET
def definitions(request):
    """What each figure means: public, as the bulletins link to it."""
    return render(request, "reporting/definitions.html", {"figures": FIGURES})


@never_cache  # names and mobile numbers
@require_GET
@staff_required
def people(request, code: str, figure: str):
    """The people behind a figure of the bureau, now: ID numbers masked."""
    bureau = selectors.bureau_for(user=request.user, code=code)
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    queryset = selectors.people(campaign=campaign, bureau=bureau, figure=figure)
    page = DeferredJoinPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    applications = selectors.applications_of(campaign=campaign, practitioners=list(page))
    return render(
        request,
        "reporting/people_list.html",
        {
            "bureau": bureau,
            "campaign": campaign,
            "figure": DEFINITIONS[figure],
            "page": page,
            "rows": [(p, applications.get(p.pk)) for p in page],
        },
    )


@never_cache
@require_GET
@staff_required
def people_export(request, code: str, figure: str, fmt: str):
    bureau = selectors.bureau_for(user=request.user, code=code)
    campaign = active_campaign()
    if campaign is None or figure not in PEOPLE_FIGURES:
        raise Http404
    data = services.export_call_list(
        actor=request.user, campaign=campaign, bureau=bureau, figure=figure, fmt=fmt
    )
    response = HttpResponse(data, content_type=registerfile.CONTENT_TYPES[fmt])
    name = f"call-list-{bureau.code}-{figure}-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
