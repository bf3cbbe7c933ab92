"""Care mode (关怀模式): larger text, stronger contrast, larger targets and one column, for older
readers (GB/T 37668-2019 and the 2025 elderly-friendly action plan).

It is the same pages with one class more on <html>, not a second site, and it needs no login:
the choice lives in a cookie of the browser, set by a small POST view modelled on Django's
`set_language` so that the footer's switch works without JavaScript.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE_NAME = "care_mode"
COOKIE_ON = "1"
# A year, as Django's language cookie: the choice is the reader's, not the session's.
COOKIE_AGE = 365 * 24 * 60 * 60


def is_on(request) -> bool:
    return request.COOKIES.get(COOKIE_NAME) == COOKIE_ON


def care_mode(request) -> dict:
    """Context processor: `care_mode` for base.html's <html class> and the switch's label."""
    return {"care_mode": is_on(request)}


def _safe_next(request) -> str:
    """Back to the page the switch was on; a `next` to another site (or none) goes home."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@require_POST
def toggle(request):
    """Turn care mode on or off (`care_mode` = "1" or "0"; without it, the other state)."""
    wanted = request.POST.get("care_mode")
    turn_on = wanted == COOKIE_ON if wanted in ("0", "1") else not is_on(request)
    response = HttpResponseRedirect(_safe_next(request))
    if turn_on:
        response.set_cookie(
            COOKIE_NAME,
            COOKIE_ON,
            max_age=COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response
