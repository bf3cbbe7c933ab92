"""Progress reporting pages: the city's dashboard, a county's progress, its work plan and weekly
sheets, the people behind a figure, and the public bulletins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collection.selectors import active_campaign
from core.pagination import DeferredJoinPaginator
from practitioners import registerfile
from practitioners.decorators import staff_required
from reporting import permissions, selectors, services, weeks
from reporting.constants import SHEET_NOTES, SheetStatus
from reporting.documents import KINDS, DocumentError
from reporting.figures import (
    DEFINITIONS,
    FIGURES,
    PEOPLE_FIGURES,
    Figures,
    forecast,
    progress,
)
from reporting.forms import (
    PlanDecisionForm,
    PlanUploadForm,
    PublishForm,
    SheetDecisionForm,
    SheetForm,
)

PAGE_SIZE = 50


def _campaign_or_none(request):
    campaign = active_campaign()
    if campaign is None:
        return None, render(request, "reporting/no_campaign.html", status=200)
    return campaign, None


def _week_or_404(campaign, text: str) -> weeks.Week:
    try:
        week = weeks.Week.parse(text)
    except ValueError:
        raise Http404 from None
    if not weeks.in_campaign(campaign, week):
        raise Http404
    return week


@require_GET
@staff_required
def dashboard(request):
    """City staff: every bureau at a glance. County staff go to their own county's page."""
    if not permissions.can_supervise(request.user):
        return redirect("reporting:bureau", code=request.user.bureau.code)
    campaign, refusal = _campaign_or_none(request)
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
    campaign, refusal = _campaign_or_none(request)
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
    campaign, refusal = _campaign_or_none(request)
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


# --- Work plan ----------------------------------------------------------------------------------


def _reporting_bureau(request, code: str):
    bureau = selectors.bureau_for(user=request.user, code=code)
    if not permissions.reports(bureau):
        raise Http404
    return bureau


def _filed_plan(bureau):
    """The running campaign and the county's plan in it; 404 when there is none."""
    campaign = active_campaign()
    current = selectors.plan_of(campaign=campaign, bureau=bureau) if campaign else None
    if current is None:
        raise Http404
    return campaign, current


@require_http_methods(["GET", "POST"])
@staff_required
def plan(request, code: str):
    """The county's work plan: its versions and the city's decision; the county admin files
    or replaces it here, city staff decide and tick the paper copy."""
    bureau = _reporting_bureau(request, code)
    campaign, refusal = _campaign_or_none(request)
    if refusal:
        return refusal
    current = selectors.plan_of(campaign=campaign, bureau=bureau)
    latest = current.versions.all()[0] if current and current.versions.all() else None
    upload = PlanUploadForm(
        initial={
            "revision": current.revision if current else None,
            "summary": latest.summary if latest else "",
        }
    )
    status = 200
    if request.method == "POST":
        if not permissions.can_file_plan(request.user, bureau):
            raise PermissionDenied
        upload = PlanUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                services.file_work_plan(
                    campaign=campaign,
                    bureau=bureau,
                    actor=request.user,
                    data=upload.cleaned_data["file"].read(),
                    file_name=upload.cleaned_data["file"].name,
                    summary=upload.cleaned_data["summary"],
                    revision=upload.cleaned_data["revision"],
                )
            except DocumentError as error:
                upload.add_error("file", str(error))
            except services.ReportingError as error:
                upload.add_error(None, str(error))
            else:
                messages.success(request, _("The work plan is filed with the city."))
                return redirect("reporting:plan", code=bureau.code)
        status = 400
    return render(
        request,
        "reporting/plan_detail.html",
        _plan_context(request, campaign, bureau, current, upload=upload),
        status=status,
    )


def _plan_context(request, campaign, bureau, current, **forms):
    can_decide = (
        permissions.can_supervise(request.user)
        and current is not None
        and current.status == "filed"
    )
    return {
        "campaign": campaign,
        "bureau": bureau,
        "state": selectors.plan_state(campaign=campaign, plan=current),
        "plan": current,
        "can_file": permissions.can_file_plan(request.user, bureau)
        and (current is None or current.status != "acknowledged"),
        "can_decide": can_decide,
        "can_tick_paper": permissions.can_supervise(request.user) and current is not None,
        "decision": forms.get("decision")
        or (PlanDecisionForm(initial={"revision": current.revision}) if can_decide else None),
        **forms,
    }


@require_POST
@staff_required
def plan_decide(request, code: str):
    bureau = _reporting_bureau(request, code)
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign, current = _filed_plan(bureau)
    form = PlanDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_work_plan(
                plan=current,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comments=form.cleaned_data["comments"],
                revision=form.cleaned_data["revision"],
            )
        except services.ReportingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your decision on the work plan is recorded."))
            return redirect("reporting:plan", code=bureau.code)
    return render(
        request,
        "reporting/plan_detail.html",
        _plan_context(request, campaign, bureau, current, decision=form),
        status=400,
    )


@require_POST
@staff_required
def plan_paper(request, code: str):
    bureau = _reporting_bureau(request, code)
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    _campaign, current = _filed_plan(bureau)
    services.record_plan_paper(
        plan=current, actor=request.user, received=request.POST.get("received") == "1"
    )
    return redirect("reporting:plan", code=bureau.code)


@never_cache
@require_GET
@staff_required
def plan_file(request, code: str, number: int):
    """A version of the plan, to the county's staff and city staff only."""
    bureau = _reporting_bureau(request, code)
    _campaign, current = _filed_plan(bureau)
    version = selectors.plan_version(plan=current, number=number)
    response = FileResponse(
        version.file.open("rb"),
        content_type=KINDS[version.kind],
        as_attachment=version.kind != "pdf",
        filename=f"{bureau.code}-plan-v{version.number}.{version.kind}",
    )
    # A PDF opens in the browser's viewer; Word and ODT files are downloaded, never rendered.
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Weekly sheets ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def sheet(request, code: str, week: str):
    """A county's sheet of a week: the figures (live until submitted, then as frozen), the
    notes, the versions; the county admin saves or submits, city staff accept or return."""
    bureau = _reporting_bureau(request, code)
    campaign, refusal = _campaign_or_none(request)
    if refusal:
        return refusal
    the_week = _week_or_404(campaign, week)
    current = selectors.sheet_of(campaign=campaign, bureau=bureau, week=the_week)
    can_write = permissions.can_write_sheet(request.user, bureau)
    status = 200
    form = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        current = current or services.sheet_for(campaign=campaign, bureau=bureau, week=the_week)
        form = SheetForm(request.POST)
        if form.is_valid():
            notes = {name: form.cleaned_data[name] for name in SHEET_NOTES}
            submit = "submit" in request.POST
            try:
                if submit:
                    services.submit_sheet(
                        sheet=current,
                        actor=request.user,
                        notes=notes,
                        revision=form.cleaned_data["revision"],
                    )
                else:
                    services.save_sheet_notes(
                        sheet=current,
                        actor=request.user,
                        notes=notes,
                        revision=form.cleaned_data["revision"],
                    )
            except services.ReportingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The sheet is submitted to the city.")
                    if submit
                    else _("The notes are saved."),
                )
                return redirect("reporting:sheet", code=bureau.code, week=str(the_week))
        status = 400
    return render(
        request,
        "reporting/sheet_detail.html",
        _sheet_context(request, campaign, bureau, the_week, current, form=form),
        status=status,
    )


def _sheet_context(request, campaign, bureau, week, current, **forms):
    can_write = permissions.can_write_sheet(request.user, bureau)
    editable = current is None or current.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)
    form = forms.get("form")
    if form is None and can_write and editable:
        initial = {name: getattr(current, name) for name in SHEET_NOTES} if current else {}
        form = SheetForm(initial={**initial, "revision": current.revision if current else 0})
    can_decide = (
        permissions.can_supervise(request.user)
        and current is not None
        and current.status == SheetStatus.SUBMITTED
    )
    decision = forms.get("decision") or (
        SheetDecisionForm(initial={"revision": current.revision}) if can_decide else None
    )
    shown = selectors.week_figures(campaign=campaign, bureau=bureau, week=week, sheet=current)
    cutoff = weeks.cutoff(campaign, week)
    return {
        "campaign": campaign,
        "bureau": bureau,
        "week": week,
        "week_label": weeks.label(campaign, week),
        "sheet": current,
        "cutoff": cutoff,
        # Never submitted by the cut-off (a returned sheet says so itself).
        "overdue": timezone.now() > cutoff and selectors.never_submitted(current),
        "figures": shown.figures,
        "figure_rows": [(d, getattr(shown.figures, d.key)) for d in FIGURES],
        "as_of": shown.as_of,
        "frozen": shown.final,
        "form": form if can_write and editable else None,
        "decision": decision,
        "versions": list(current.versions.all()) if current else [],
        "people_figures": PEOPLE_FIGURES,
    }


@require_POST
@staff_required
def sheet_decide(request, code: str, week: str):
    bureau = _reporting_bureau(request, code)
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign = active_campaign()
    if campaign is None:
        raise Http404
    the_week = _week_or_404(campaign, week)
    current = selectors.sheet_of(campaign=campaign, bureau=bureau, week=the_week)
    if current is None:
        raise Http404
    form = SheetDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_sheet(
                sheet=current,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                feedback=form.cleaned_data["feedback"],
                revision=form.cleaned_data["revision"],
            )
        except services.ReportingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your decision on the sheet is recorded."))
            return redirect("reporting:sheet", code=bureau.code, week=str(the_week))
    return render(
        request,
        "reporting/sheet_detail.html",
        _sheet_context(request, campaign, bureau, the_week, current, decision=form),
        status=400,
    )


# --- Bulletins ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def publish(request):
    """City staff: the campaign's weeks, published or not, and publishing a past week."""
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign, refusal = _campaign_or_none(request)
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
    return render(
        request,
        "reporting/bulletin_publish.html",
        {"campaign": campaign, "rows": rows, "error": error},
        status=status,
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
