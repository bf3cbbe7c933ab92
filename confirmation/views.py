import datetime
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from business import selectors as business_selectors
from collection import diff
from collection.constants import IDENTITY_FIELDS, ApplicationKind, ApplicationStatus
from confirmation import pdf, permissions, selectors, services
from confirmation.forms import (
    CloseForm,
    ConfirmForm,
    CorrectionForm,
    CounterSearchForm,
    DayForm,
    PrintSettingsForm,
    QueueFilterForm,
    ReprintForm,
    ReturnForm,
)
from confirmation.models import Confirmation
from confirmation.services import required_ticks
from core import throttle
from core.pagination import DeferredJoinPaginator
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.decorators import staff_required
from practitioners.services import record_practitioner_viewed

QUEUE_PAGE = 50


def _bureau_param(request):
    return register_selectors.chosen_bureau(user=request.user, code=request.GET.get("bureau"))


@never_cache
@require_GET
@staff_required
def counter(request):
    form = CounterSearchForm(request.GET or None)
    found = throttled = None
    if form.is_valid() and form.cleaned_data["q"]:
        found = selectors.counter_search(user=request.user, query=form.cleaned_data["q"])
        if found.elsewhere is not None:
            try:
                for person in found.elsewhere_people:
                    services.record_lookup_elsewhere(actor=request.user, practitioner=person)
            except throttle.Throttled as exc:
                found.elsewhere, throttled = None, exc
        if (
            len(found.applications) == 1
            and not found.without_application
            and found.elsewhere is None
            and throttled is None
        ):
            return redirect("confirmation:review", found.applications[0].pk)
    return render(
        request,
        "confirmation/counter.html",
        {"form": form, "found": found, "throttled": throttled},
    )


@require_GET
@staff_required
def queue(request):
    bureau = _bureau_param(request)
    if not permissions.can_view(request.user, bureau):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None)
    status, day, identity = ApplicationStatus.SUBMITTED, None, False
    kind = ApplicationKind.COLLECTION
    if form.is_valid():
        status = form.cleaned_data["status"] or ApplicationStatus.SUBMITTED
        day = form.cleaned_data["day"]
        identity = form.cleaned_data["identity"]
        kind = form.cleaned_data["kind"] or ApplicationKind.COLLECTION
    applications = selectors.queue(
        bureau=bureau, status=status, day=day, identity_only=identity, kind=kind
    )
    page = DeferredJoinPaginator(applications, QUEUE_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "confirmation/queue.html",
        {
            "form": form,
            "page": page,
            "bureau": bureau,
            "status": status,
            "kind": kind,
            "Kind": ApplicationKind,
            # One reverse() per page instead of one per row: the queue is the counter's hot page.
            "review_prefix": reverse("confirmation:review", args=[0]).removesuffix("0/"),
            "bureaus": register_selectors.bureaus_for(user=request.user)
            if register_permissions.is_city_staff(request.user)
            else None,
        },
    )


def _review_context(request, application, *, confirm_error=None, missing=(), **forms):
    submission = application.latest_submission
    confirmation = (
        Confirmation.objects.filter(application=application).select_related("clerk").first()
    )
    if confirmation is not None:
        # The record already holds the confirmed values: show what the confirmation changed.
        changed = {change["field"] for change in confirmation.changes}
        stored = {change["field"]: change["old"] for change in confirmation.changes}
        changes = []
    else:
        changes = services.decision_changes(application, submission)
        changed = {c.field for c in changes}
        stored = {}
    ticks = (
        required_ticks(data=submission.data, changes=changes, kind=application.kind)
        if confirmation is None
        else []
    )
    initial = {"revision": application.revision}
    waiting = application.status == ApplicationStatus.SUBMITTED
    return {
        # A change request whose values the record already holds: closed, not confirmed.
        "nothing_to_change": waiting and application.is_change and not changes,
        "overlap": (
            business_selectors.registration_overlap(change=application)
            if waiting and application.is_change
            else None
        ),
        "container": "container-fluid px-lg-4",  # the counter's wide monitor
        "confirm_error": confirm_error,
        "missing_ticks": {f"tick_{key}" for key in missing},
        "application": application,
        "Status": ApplicationStatus,
        "p": application.practitioner,
        "submission": submission,
        "identity_fields": IDENTITY_FIELDS,
        "rows": _side_by_side(application.practitioner, submission.data, changed, stored),
        "can_act": permissions.can_act(request.user, application.bureau),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(initial=initial, ticks=ticks),
        "return_form": forms.get("return_form") or ReturnForm(initial=initial),
        "correction_form": forms.get("correction_form") or CorrectionForm(initial=initial),
        "edits": application.counter_edits.select_related("clerk").order_by("edited_at"),
        "confirmation": confirmation,
    }


def _side_by_side(practitioner, data, changed: set[str], stored_before: dict[str, str]):
    """(field, label, stored, submitted, changed) rows; `stored_before`: the values shown as
    stored where the record no longer holds them (after confirmation)."""
    stored = {f: diff.display(f, v) for f, v in diff.record_values(practitioner).items()}
    stored.update(stored_before)
    return [
        (
            field,
            practitioner._meta.get_field(field).verbose_name,
            stored[field],
            diff.display(field, data[field]),
            field in changed,
        )
        for field in stored
        if field in data
    ]


@never_cache  # the whole ID number and the photo
@require_GET
@staff_required
def review(request, pk: int):
    application = selectors.application_for_counter(user=request.user, pk=pk)
    record_practitioner_viewed(
        actor=request.user, practitioner=application.practitioner, what="review"
    )
    return render(request, "confirmation/review.html", _review_context(request, application))


def counter_decision(view):
    """A POST that decides an application at the counter. The view gets the application (404
    outside the user's scope, 403 for staff who may only view it); one that another counter
    decided meanwhile sends the clerk back to the review, told who decided it and when; one
    that changed meanwhile, or is now another counter's, shows the review again (409)."""

    @never_cache
    @require_POST
    @staff_required
    @functools.wraps(view)
    def wrapped(request, pk: int):
        application = selectors.application_for_counter(user=request.user, pk=pk)
        if not permissions.can_act(request.user, application.bureau):
            raise PermissionDenied
        try:
            return view(request, application)
        except services.AlreadyDecided as exc:
            messages.warning(request, exc.message)
            return redirect("confirmation:review", application.pk)
        except (services.ChangedMeanwhile, services.NotThisCounter) as exc:
            messages.error(request, exc.message)
            return _refused(request, application, status=409)

    return wrapped


def _refused(request, application, status: int = 400, **context):
    application.refresh_from_db()
    return render(
        request,
        "confirmation/review.html",
        _review_context(request, application, **context),
        status=status,
    )


@counter_decision
def confirm(request, application):
    submission = application.latest_submission
    ticks = required_ticks(
        data=submission.data,
        changes=services.decision_changes(application, submission),
        kind=application.kind,
    )
    form = ConfirmForm(request.POST, ticks=ticks)
    if not form.is_valid():
        return _refused(request, application, confirm_form=form)
    try:
        confirmation = services.confirm_at_counter(
            application=application,
            actor=request.user,
            checklist=form.checklist(),
            revision=form.cleaned_data["revision"],
        )
    except services.NothingToChange as exc:
        return _refused(request, application, confirm_error=exc.message)
    except services.MissingOriginals as exc:
        return _refused(
            request, application, confirm_error=exc.message, missing=exc.missing, confirm_form=form
        )
    messages.success(
        request,
        _("Confirmed. Archive number %(n)s. Print the record onto the certificate.")
        % {"n": confirmation.archive_number},
    )
    return redirect("confirmation:review", application.pk)


@counter_decision
def return_application(request, application):
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _refused(request, application, return_form=form)
    try:
        services.return_at_counter(
            application=application,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            revision=form.cleaned_data["revision"],
        )
    except services.InvalidDecision as exc:
        form.add_error(None, exc.message)
        return _refused(request, application, return_form=form)
    messages.success(
        request, _("Returned. The practitioner sees the reason on their page and by email.")
    )
    return redirect("confirmation:counter")


@counter_decision
def close(request, application):
    """Close a change request that no longer changes anything (no archive number, no print)."""
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _refused(request, application)
    try:
        services.close_change_request(
            application=application, actor=request.user, revision=form.cleaned_data["revision"]
        )
    except (services.StillChanges, services.InvalidDecision) as exc:
        messages.error(request, exc.message)
        return _refused(request, application)
    messages.success(
        request,
        _("Closed: %(name)s's record already holds these values; nothing to print.")
        % {"name": application.practitioner.name},
    )
    return redirect("confirmation:counter")


@counter_decision
def correct(request, application):
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _refused(request, application, correction_form=form)
    try:
        services.correct_at_counter(
            application=application,
            actor=request.user,
            field=form.cleaned_data["field"],
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    except services.InvalidCorrection as exc:
        form.add_error("value", exc.message)
        return _refused(request, application, correction_form=form)
    except services.InvalidDecision as exc:
        form.add_error(None, exc.message)
        return _refused(request, application, correction_form=form)
    messages.success(request, _("Corrected; the change is recorded as your edit."))
    return redirect("confirmation:review", application.pk)


@never_cache
@require_POST
@staff_required
def certificate(request, pk: int):
    """Print (or reprint, with a reason) the confirmation record; every print is logged."""
    confirmation = selectors.confirmation_for(user=request.user, pk=pk)
    if not permissions.can_act(request.user, confirmation.bureau):
        raise PermissionDenied
    form = ReprintForm(request.POST)
    form.is_valid()
    try:
        services.log_print(
            confirmation=confirmation,
            bureau=confirmation.bureau,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except services.CounterError as exc:
        # This answer opens in the print tab: say what is missing there, and leave the
        # review (in the tab the clerk came from) as it is.
        return render(
            request,
            "confirmation/print_refused.html",
            {"message": exc.message, "confirmation": confirmation},
            status=400,
        )
    data = pdf.certificate_pdf(confirmation, services.print_settings_for(confirmation.bureau))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="confirmation-{confirmation.archive_number}.pdf"'
    )
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def print_settings(request):
    bureau = _bureau_param(request)
    if not permissions.can_manage_printer(request.user, bureau):
        raise PermissionDenied
    settings = services.print_settings_for(bureau)
    form = PrintSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        services.save_print_settings(bureau=bureau, values=form.cleaned_data, actor=request.user)
        messages.success(
            request, _("Print settings saved. Print the calibration page to check them.")
        )
        return redirect("confirmation:print_settings")
    return render(
        request,
        "confirmation/print_settings.html",
        {"form": form, "bureau": bureau, "settings": settings},
    )


@require_POST
@staff_required
def calibration(request):
    """Print the calibration page (a POST: each print is logged)."""
    bureau = _bureau_param(request)
    if not permissions.can_manage_printer(request.user, bureau) and not permissions.can_act(
        request.user, bureau
    ):
        raise PermissionDenied
    settings = services.print_settings_for(bureau)
    services.log_print(confirmation=None, bureau=bureau, actor=request.user, calibration=True)
    response = HttpResponse(pdf.calibration_pdf(settings), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="calibration.pdf"'
    return response


@never_cache  # whole ID numbers
@require_GET
@staff_required
def day_sheet(request):
    bureau = _bureau_param(request)
    if not permissions.can_view(request.user, bureau):
        raise PermissionDenied
    form = DayForm(request.GET or None, initial={"day": timezone.localdate()})
    day = form.cleaned_data["day"] if form.is_valid() else timezone.localdate()
    sheet = selectors.day_sheet(bureau=bureau, day=day)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            pdf.day_sheet_pdf(bureau=bureau, day=day, sheet=sheet), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="counter-{bureau.code}-{day:%Y%m%d}.pdf"'
        )
        return response
    return render(
        request,
        "confirmation/day_sheet.html",
        {
            "form": form,
            "bureau": bureau,
            "day": day,
            "sheet": sheet,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
        },
    )
