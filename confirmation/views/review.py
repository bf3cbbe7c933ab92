"""The counter's review of an application, side by side with the record, and its decisions:
confirm, return, close a change request that changes nothing, correct a value."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from business import selectors as business_selectors
from collection import diff
from collection.constants import IDENTITY_FIELDS, ApplicationStatus
from confirmation import permissions, selectors, services
from confirmation.forms import CloseForm, ConfirmForm, CorrectionForm, ReturnForm
from confirmation.models import Confirmation
from confirmation.services import required_ticks
from practitioners.decorators import staff_required
from practitioners.services import record_practitioner_viewed


@never_cache  # the whole ID number and the photo
@require_GET
@staff_required
def review(request, pk: int):
    application = selectors.application_for_counter(user=request.user, pk=pk)
    record_practitioner_viewed(
        actor=request.user, practitioner=application.practitioner, what="review"
    )
    return render(request, "confirmation/review.html", _review_context(request, application))


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
    # Named, so that a clerk going through a queue knows whose application went back.
    practitioner = application.practitioner
    messages.success(
        request,
        _(
            "Returned: the application of %(name)s (%(id)s). The practitioner sees the reason "
            "on their page and by email."
        )
        % {"name": practitioner.name, "id": practitioner.masked_id_number},
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
