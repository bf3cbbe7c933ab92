"""A county's weekly sheet: saved and submitted by the county admin, accepted or returned by
city staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from collection.selectors import active_campaign
from practitioners.decorators import staff_required
from reporting import permissions, selectors, services, weeks
from reporting.constants import SHEET_NOTES, SheetStatus
from reporting.figures import FIGURES, PEOPLE_FIGURES
from reporting.forms import SheetDecisionForm, SheetForm
from reporting.models import ProgressSheet
from reporting.services.common import check_revision
from reporting.views.common import campaign_or_none, reporting_bureau, week_or_404


@require_http_methods(["GET", "POST"])
@staff_required
def sheet(request, code: str, week: str):
    """A county's sheet of a week: the figures (live until submitted, then as frozen), the
    notes, the versions; the county admin saves or submits, city staff accept or return."""
    bureau = reporting_bureau(request, code)
    campaign, refusal = campaign_or_none(request)
    if refusal:
        return refusal
    the_week = week_or_404(campaign, week)
    current = selectors.sheet_of(campaign=campaign, bureau=bureau, week=the_week)
    can_write = permissions.can_write_sheet(request.user, bureau)
    status = 200
    form = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = SheetForm(request.POST)
        if "edit" in request.POST:
            # Back from the confirmation step: the notes as they were, nothing written.
            status = 200
        elif form.is_valid():
            notes = {name: form.cleaned_data[name] for name in SHEET_NOTES}
            revision = form.cleaned_data["revision"]
            submit = "submit" in request.POST
            try:
                if submit and "confirm" not in request.POST:
                    return _confirm_submission(
                        request, campaign, bureau, the_week, current, notes, revision
                    )
                current = current or services.sheet_for(
                    campaign=campaign, bureau=bureau, week=the_week
                )
                if submit:
                    services.submit_sheet(
                        sheet=current, actor=request.user, notes=notes, revision=revision
                    )
                else:
                    services.save_sheet_notes(
                        sheet=current, actor=request.user, notes=notes, revision=revision
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
        else:
            status = 400
    return render(
        request,
        "reporting/sheet_detail.html",
        _sheet_context(request, campaign, bureau, the_week, current, form=form),
        status=status,
    )


def _confirm_submission(request, campaign, bureau, week, current, notes, revision):
    """The step before submitting: what will be sent (the week, its figures, every note, the
    empty ones named) and that it cannot change until the city returns it; one button sends
    it (`confirm`), the other goes back to the notes. Nothing is written here."""
    sheet = current or ProgressSheet(
        campaign=campaign, bureau=bureau, week=str(week), cutoff=weeks.cutoff(campaign, week)
    )
    services.check_submittable(sheet=sheet, notes=notes)
    check_revision(sheet, revision)  # a stale form is told now, not after confirming
    shown = selectors.week_figures(campaign=campaign, bureau=bureau, week=week, sheet=current)
    labels = {name: SheetForm.base_fields[name].label for name in SHEET_NOTES}
    empty = services.empty_notes(notes)
    return render(
        request,
        "reporting/sheet_confirm.html",
        {
            "campaign": campaign,
            "bureau": bureau,
            "week": week,
            "week_label": weeks.label(campaign, week),
            "cutoff": weeks.cutoff(campaign, week),
            "as_of": shown.as_of,
            "frozen": shown.final,
            "figure_rows": [(d, getattr(shown.figures, d.key)) for d in FIGURES],
            "notes": [(name, labels[name], notes[name]) for name in SHEET_NOTES],
            "empty": pgettext("list separator", ", ").join(str(labels[name]) for name in empty),
            "revision": revision,
            "late": timezone.now() > weeks.cutoff(campaign, week)
            and selectors.never_submitted(current),
        },
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
    bureau = reporting_bureau(request, code)
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    campaign = active_campaign()
    if campaign is None:
        raise Http404
    the_week = week_or_404(campaign, week)
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
