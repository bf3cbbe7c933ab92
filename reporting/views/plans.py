"""A county's work plan: filed and replaced by the county admin, decided and its paper copy
ticked by city staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collection.selectors import active_campaign
from practitioners.decorators import staff_required
from reporting import permissions, selectors, services
from reporting.documents import KINDS, DocumentError, check_pdf, file_reader
from reporting.forms import PlanDecisionForm, PlanUploadForm
from reporting.views.common import campaign_or_none, reporting_bureau

BINARY = "application/octet-stream"


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
    bureau = reporting_bureau(request, code)
    campaign, refusal = campaign_or_none(request)
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
        "comments": selectors.plan_comments(current) if current is not None else None,
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
    bureau = reporting_bureau(request, code)
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
    bureau = reporting_bureau(request, code)
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
    """A version of the plan, to the county's staff and city staff only. Only a PDF that passes
    the PDF check opens in the browser's viewer; everything else, and a version stored before
    the check was strict, is downloaded and never rendered."""
    bureau = reporting_bureau(request, code)
    _campaign, current = _filed_plan(bureau)
    version = selectors.plan_version(plan=current, number=number)
    stream = version.file.open("rb")
    inline = version.kind == "pdf" and _passes_pdf_check(stream, version.file.size)
    stream.seek(0)
    response = FileResponse(
        stream,
        content_type=KINDS[version.kind] if inline or version.kind != "pdf" else BINARY,
        as_attachment=not inline,
        filename=f"{bureau.code}-plan-v{version.number}.{version.kind}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _passes_pdf_check(stream, size: int) -> bool:
    """The upload's PDF check on the stored file, reading only its ends and its
    cross-reference."""
    try:
        check_pdf(file_reader(stream), size)
    except DocumentError:
        return False
    return True
