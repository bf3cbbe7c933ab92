"""Role checks for views, importable by every app (practitioners is the bottom of the stack).

Each decorator decides only *who* may open a kind of page; *which* records they may open is
decided by the apps' selectors (404 outside the user's scope) and permissions modules.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from practitioners import gate, permissions, selectors


def staff_required(view):
    """Logged-in bureau staff only; anyone else is sent to log in or refused (403)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def staff_access_required(view):
    """Bureau staff, or an account that opens Django's admin (practitioners.permissions.
    has_staff_access): the pages of the second factor, which both kinds must reach."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.has_staff_access(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def practitioner_required(view):
    """A logged-in practitioner with an activated record, passed to the view after the request."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.is_practitioner(request.user):
            raise PermissionDenied
        practitioner = selectors.own_practitioner(user=request.user)
        return view(request, practitioner, *args, **kwargs)

    return wrapped


def collected_required(action: str):
    """A practitioner page of business behind the gate (practitioners.gate): one whose
    collection is not confirmed (or who is in the pending pool) is shown why, with the way to
    the application, instead of the page (403). The services check the gate again."""

    def decorate(view):
        @practitioner_required
        @functools.wraps(view)
        def wrapped(request, practitioner, *args, **kwargs):
            found = gate.refusal(practitioner, action)
            if found is not None:
                return render(
                    request,
                    "practitioners/not_collected.html",
                    {"refusal": found, "action": gate.LABELS[action]},
                    status=403,
                )
            return view(request, practitioner, *args, **kwargs)

        return wrapped

    return decorate
