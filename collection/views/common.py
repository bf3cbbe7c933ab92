"""What more than one page group of collection's views needs: the printed application form and
the rule errors put beside their fields."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
    return render(
        request,
        "collection/form_print.html",
        {
            "form_body": pdf.print_page(submission),
            "stylesheet_version": pdf.form_stylesheet()[1],
            "reference": application.reference,
            "back": back,
            "pdf_url": pdf_url,
        },
    )


@require_GET
def form_stylesheet(request):
    """The printed form's stylesheet (the PDF's), for the print page: the same for everyone,
    kept by the browser until it changes (the page links it with its version)."""
    css, version = pdf.form_stylesheet()
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def add_rule_errors(form, exc) -> None:
    """Each message of an InvalidApplication beside its field, or above the form when the form
    has no such field (a rule across fields, or one on a value the form does not show)."""
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
