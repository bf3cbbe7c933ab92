"""A part of the service away for a moment (the database restarting, the object store refusing
writes): the person gets a clear 503 page saying to try again in a minute, with `Retry-After`,
never the 500 page, and a form they sent is not lost (the page says so: the browser's Back
button brings it back as they typed it).

`OutageMiddleware` answers so for an exception a view raises; `server_error`, the project's
handler500, for one raised anywhere else (a middleware loading the session or the user). The
page is rendered without the request (no user, no menu, no database), in the language the
request asked for."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from core.storage import is_store_unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


def is_outage(exc: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection, or the object store is
    refusing: something that passes by itself in a moment."""
    if exc is None:
        return False
    return isinstance(exc, (OperationalError, InterfaceError)) or is_store_unavailable(exc)


def busy_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 page: busy, try again in a minute; for a form sent, that it is kept."""
    logger.warning(
        "%s %s: %s (%s), answered 503",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).splitlines()[0][:200] if str(exc) else "",
    )
    page = render_to_string(
        "503.html",
        {
            "sent_form": request.method == "POST",
            "path": request.get_full_path(),
            "resend": _resend_fields(request),
        },
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _resend_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """A sent form's fields, for the page's "send again" button: not a form that sent files
    (the browser's Back button keeps those), and without passwords (typed again, never
    echoed)."""
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return []
    try:
        posted, files = request.POST, request.FILES
    except Exception:  # noqa: BLE001 - an unreadable body: only the Back button then
        return []
    if files:
        return []
    return [
        (name, value)
        for name, values in posted.lists()
        if "password" not in name.lower()
        for value in values
    ]


class OutageMiddleware:
    """A view's database or object-store outage: the 503 page instead of the 500 one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_outage(exception):
            return busy_response(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page for an outage raised outside a view, Django's 500 otherwise."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        return busy_response(request, exc)  # type: ignore[arg-type]
    return defaults.server_error(request)
