"""Staff sessions end after REGISTRY_STAFF_IDLE_SECONDS without activity (15 minutes by default;
GB/T 22239-2019 level 3 asks for it), with a warning a minute before and the typing kept.

- The middleware notes, in the session, when a staff member last asked for a page (at most
  once every REFRESH seconds, so that a busy counter does not write its session on every
  request), and logs them out, audited, when they come back after the idle time: the login
  page then says why and leads back to where they were.
- Every staff page carries the seconds left (`idle_context`, for base.html); static/js/idle.js
  warns a minute before, keeps the session alive while the person types or when they press
  "stay signed in" (a POST to `status`), asks `status` again before giving up (another tab may
  have been in use) and, when the time is up, keeps what was typed in the page's forms in the
  tab's sessionStorage, for the same account only, and puts it back after the login.

Practitioners are not concerned: their session lasts SESSION_COOKIE_AGE, as before.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from practitioners import permissions
from practitioners.constants import AuditAction

SEEN_KEY = "idle_seen"  # the session's last activity, seconds since the epoch
REFRESH = 30  # seconds between two notes of activity in the session
WARNING = 60  # seconds before the end that the page warns (half the idle time if shorter)


def watched(request: HttpRequest) -> bool:
    return bool(settings.REGISTRY_STAFF_IDLE_SECONDS) and permissions.has_staff_access(request.user)


def seconds_left(request: HttpRequest) -> int:
    seen = request.session.get(SEEN_KEY)
    timeout = settings.REGISTRY_STAFF_IDLE_SECONDS
    return timeout if seen is None else max(0, timeout - (int(time.time()) - seen))


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and watched(request):
            if seconds_left(request) == 0:
                return _sign_out(request)
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if request.path == reverse("idle_status"):
                if request.method == "POST":  # "stay signed in": from now on (asking: no)
                    request.session[SEEN_KEY] = now
            elif seen is None or now - seen >= REFRESH:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


def _sign_out(request: HttpRequest):
    from practitioners.services import record_event  # services import this app's models

    user = request.user
    idle = int(time.time()) - request.session[SEEN_KEY]
    record_event(actor=user, action=AuditAction.SIGNED_OUT_IDLE, idle_seconds=idle)
    logout(request)
    minutes = max(1, settings.REGISTRY_STAFF_IDLE_SECONDS // 60)
    messages.info(
        request,
        ngettext(
            "You were signed out after %(minutes)d minute without activity. Log in again to go "
            "on; what you were typing is put back in the form.",
            "You were signed out after %(minutes)d minutes without activity. Log in again to go "
            "on; what you were typing is put back in the form.",
            minutes,
        )
        % {"minutes": minutes},
    )
    if request.path == reverse("idle_status"):
        return JsonResponse({"left": 0})
    next_path = request.get_full_path() if request.method == "GET" else request.path
    return redirect(f"{reverse('login')}?next={quote(next_path)}")


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> JsonResponse:
    """The seconds left before the idle sign-out (GET: asking is no activity; POST: "stay signed
    in"). 0 when signed out, or for anyone not watched."""
    if not request.user.is_authenticated or not watched(request):
        return JsonResponse({"left": 0})
    return JsonResponse({"left": seconds_left(request)})


def idle_context(request: HttpRequest) -> dict:
    """For base.html: the idle time and what is left of it, on staff pages only."""
    if not request.user.is_authenticated or not watched(request):
        return {}
    timeout = settings.REGISTRY_STAFF_IDLE_SECONDS
    return {
        "idle": {
            "timeout": timeout,
            "left": seconds_left(request),
            "warning": min(WARNING, timeout // 2),
            "account": request.user.pk,
        }
    }
