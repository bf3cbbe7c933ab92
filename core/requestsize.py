"""A cap on the size of a request's body, applied before anything reads it.

Django's own limits leave a hole: DATA_UPLOAD_MAX_MEMORY_SIZE bounds a form's fields but not
its files, and a multipart body's files are streamed to a temporary file beyond
FILE_UPLOAD_MAX_MEMORY_SIZE, however large, as soon as anything reads request.POST (the CSRF
check does, on every POST). The forms refuse a file too large only once it has been received.
So the body's declared length (Content-Length) is compared with a cap here first, and a
larger body is answered 413 unread.

The cap is REGISTRY_REQUEST_MAX_BYTES (a photo and its form); the pages that take a larger
file name theirs in REGISTRY_REQUEST_MAX_BYTES_BY_ROUTE ({URL name: bytes}), which is looked
up only for a body above the general cap. Under WSGI (gunicorn) Django never reads more of a
body than its Content-Length says, and a body without one (chunked) reads as empty, so the
declared length is the whole story. The reverse proxy in front caps bodies too (README,
Deployment), so that the largest never reaches a worker.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, that the request's URL accepts."""
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        return settings.REGISTRY_REQUEST_MAX_BYTES
    by_route = settings.REGISTRY_REQUEST_MAX_BYTES_BY_ROUTE
    return max(by_route.get(name, 0), settings.REGISTRY_REQUEST_MAX_BYTES)


def declared_length(request: HttpRequest) -> int:
    """The body's length as the request declares it (0 when it declares none, or nonsense:
    Django then reads no body at all)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Refuses a body longer than its URL accepts with 413, before anything reads it. It stands
    before every middleware that reads the body (the CSRF check), after the locale's, so that
    the page is in the user's language (it renders without the request: no user is known yet).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        if length > settings.REGISTRY_REQUEST_MAX_BYTES:
            limit = body_limit(request)
            if length > limit:
                return too_large(limit)
        return self.get_response(request)


def too_large(limit: int) -> HttpResponse:
    """The 413 page: how much the page takes."""
    page = render_to_string("413.html", {"limit": filesizeformat(limit)})
    return HttpResponse(page, status=413)
