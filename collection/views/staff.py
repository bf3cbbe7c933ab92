"""Staff pages on a person's application: its versions, its printed form, and a one-time
password reset code given at the counter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collection import diff, permissions, selectors, services
from collection.constants import ApplicationStatus
from collection.originals import originals_for
from collection.views.common import form_response
from practitioners.decorators import staff_required
from practitioners.services import record_practitioner_viewed


def _staff_application_context(request, practitioner, application, code=None) -> dict:
    versions = []
    if application is not None:
        for submission in selectors.submissions_of(application=application):
            versions.append((submission, diff.changes_between(submission.record, submission.data)))
    submission = versions[0][0] if versions else None
    return {
        "p": practitioner,
        "application": application,
        "Status": ApplicationStatus,
        "submission": submission,
        "versions": versions,
        "originals": originals_for(submission.data) if submission else [],
        "can_issue_code": permissions.can_issue_reset_code(request.user, practitioner),
        "code": code,
    }


@never_cache
@require_GET
@staff_required
def staff_application(request, pk: int):
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    record_practitioner_viewed(actor=request.user, practitioner=practitioner, what="application")
    return render(
        request,
        "collection/staff_application.html",
        _staff_application_context(request, practitioner, application),
    )


@never_cache
@require_POST
@staff_required
def issue_reset_code(request, pk: int):
    """The counter clerk of the person's bureau gives them a one-time code; shown once, here."""
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    if not permissions.can_issue_reset_code(request.user, practitioner):
        raise PermissionDenied
    code = None
    try:
        code = services.issue_reset_code(practitioner=practitioner, actor=request.user)
    except services.CollectionError as exc:
        messages.error(request, exc.message)
    return render(
        request,
        "collection/staff_application.html",
        _staff_application_context(request, practitioner, application, code=code),
    )


@never_cache
@require_GET
@staff_required
def staff_application_pdf(request, pk: int):
    practitioner, application = selectors.staff_application(user=request.user, practitioner_pk=pk)
    if application is None or application.reference is None:
        raise PermissionDenied
    record_practitioner_viewed(actor=request.user, practitioner=practitioner, what="form")
    back = reverse("collection:staff_application", args=[practitioner.pk])
    return form_response(request, application, back=back)
