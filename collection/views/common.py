"""What more than one page group of collection's views needs: the printed application form and
the rule errors put beside their fields."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render

from collection import pdf


def form_response(request, application, *, back: str):
    """The printed form of the application's latest version; while the worker is still to
    render it, a page (202) that tries again by itself every few seconds."""
    submission = application.latest_submission
    if submission is None:
        raise PermissionDenied
    kept = pdf.kept_application_form(submission)
    if kept is None:
        if pdf.worker_renders_soon(submission):
            refresh = pdf.waiting_page_refresh(submission)
            response = render(
                request,
                "collection/form_pending.html",
                {"back": back, "refresh": refresh},
                status=202,
            )
            response["Retry-After"] = str(refresh)
            return response
        kept = pdf.stored_application_form(submission)
    return FileResponse(
        kept,
        content_type="application/pdf",
        filename=f"application-{application.reference}.pdf",
    )


def print_page_response(request, application, *, back: str, pdf_url: str):
    """The form of the application's latest version as a page the browser prints (A4, the
    PDF's content and styles), at once, whatever the worker's queue."""
    submission = application.latest_submission
    if submission is None:
        raise PermissionDenied
    body, stylesheet = pdf.print_page(submission)
    return render(
        request,
        "collection/form_print.html",
        {
            "form_body": body,
            "stylesheet": stylesheet,
            "reference": application.reference,
            "back": back,
            "pdf_url": pdf_url,
        },
    )


def add_rule_errors(form, exc) -> None:
    """Each message of an InvalidApplication beside its field, or above the form when the form
    has no such field (a rule across fields, or one on a value the form does not show)."""
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
