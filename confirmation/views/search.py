"""Finding an application at the counter: the search by ID or certificate number, and the
queue of a bureau's applications."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collection.constants import ApplicationKind, ApplicationStatus
from confirmation import permissions, selectors, services
from confirmation.forms import CounterSearchForm, QueueFilterForm
from confirmation.views.common import bureau_param
from core import throttle
from core.pagination import DeferredJoinPaginator
from practitioners import permissions as register_permissions
from practitioners import selectors as register_selectors
from practitioners.decorators import staff_required

QUEUE_PAGE = 50


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
    bureau = bureau_param(request)
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
            "overdue": selectors.overdue_changes(bureau=bureau)
            if kind == ApplicationKind.CHANGE
            else 0,
            "today": timezone.localdate(),
            # One reverse() per page instead of one per row: the queue is the counter's hot page.
            "review_prefix": reverse("confirmation:review", args=[0]).removesuffix("0/"),
            "bureaus": register_selectors.bureaus_for(user=request.user)
            if register_permissions.is_city_staff(request.user)
            else None,
        },
    )
