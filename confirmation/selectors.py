"""Reads for the counter, scoped by confirmation.permissions."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from collection.constants import ApplicationKind, ApplicationStatus
from collection.models import Application, Campaign
from collection.selectors import active_campaign
from confirmation import permissions
from confirmation.models import Confirmation, CounterReturn
from practitioners import permissions as register_permissions
from practitioners.models import Bureau, Practitioner, User
from practitioners.selectors import exact_number

QUEUE_FIELDS = (
    "id",
    "kind",
    "reference",
    "status",
    "submitted_at",
    "returned_at",
    "confirmed_at",
    "has_identity_changes",
    "bureau_id",
    "practitioner__id",
    "practitioner__name",
    "practitioner__id_number",
    "practitioner__cert_number",
)


@dataclass
class CounterSearch:
    """What the counter's search box found."""

    applications: list[Application] = field(default_factory=list)  # the user may view these
    without_application: list[Practitioner] = field(
        default_factory=list
    )  # in scope, nothing submitted
    elsewhere: Bureau | None = None  # the person belongs to another bureau: where to send them
    elsewhere_people: list[Practitioner] = field(default_factory=list)  # for the audit only


def _applications(campaign: Campaign) -> QuerySet[Application]:
    return Application.objects.filter(campaign=campaign).select_related("practitioner", "bureau")


def _open_change(person: Practitioner) -> Application | None:
    """The person's change request waiting at the counter, if any."""
    return (
        Application.objects.filter(
            practitioner=person, kind=ApplicationKind.CHANGE, status=ApplicationStatus.SUBMITTED
        )
        .select_related("practitioner", "bureau")
        .first()
    )


def counter_search(*, user: User, query: str) -> CounterSearch:
    """A reference number (QR scan), ID number, certificate number or the start of a name. A
    person's change request waiting at the counter comes before their collection."""
    result = CounterSearch()
    campaign = active_campaign()
    query = query.strip()
    if not query:
        return result
    number = exact_number(query)
    if number is not None:
        application = (
            Application.objects.filter(reference=number)
            .filter(Q(campaign=campaign) | Q(kind=ApplicationKind.CHANGE))
            .select_related("practitioner", "bureau")
            .first()
        )
        people = list(
            Practitioner.objects.select_related("bureau").filter(id_number=number)
            | Practitioner.objects.select_related("bureau").filter(cert_number=number)
        )
        if application is not None:
            people = [application.practitioner]
        for person in people:
            if not permissions.can_view(user, person.bureau):
                # Say where to go, and nothing about the person.
                result.elsewhere = person.bureau
                result.elsewhere_people.append(person)
                continue
            found = application or _open_change(person)
            if found is None and campaign is not None:
                found = _applications(campaign).filter(practitioner=person).first()
            if found is not None and found.status != ApplicationStatus.DRAFT:
                result.applications.append(found)
            else:
                result.without_application.append(person)
        return result
    if campaign is None:
        return result
    qs = (
        _applications(campaign)
        .exclude(status=ApplicationStatus.DRAFT)
        .filter(practitioner__name__startswith=query.replace(" ", ""))
    )
    scope = register_permissions.bureau_scope(user)  # the bureaus whose people the user sees
    if scope is not None:
        qs = qs.filter(scope)
    result.applications = list(qs.order_by("practitioner__name", "id")[:30])
    return result


def queue(
    *,
    bureau: Bureau,
    status: str = ApplicationStatus.SUBMITTED,
    day: datetime.date | None = None,
    identity_only: bool = False,
    kind: str = ApplicationKind.COLLECTION,
) -> QuerySet[Application]:
    """A bureau's applications in the active campaign (or its change requests, which belong to
    no campaign), oldest submission first."""
    campaign = active_campaign() if kind == ApplicationKind.COLLECTION else None
    qs = Application.objects.filter(campaign=campaign, bureau=bureau, status=status)
    if day is not None:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        qs = qs.filter(submitted_at__gte=start, submitted_at__lt=start + datetime.timedelta(days=1))
    if identity_only:
        qs = qs.filter(has_identity_changes=True)
    return qs.select_related("practitioner").only(*QUEUE_FIELDS).order_by("submitted_at", "id")


def overdue_changes(*, bureau: Bureau) -> int:
    """A bureau's change requests waiting past the day they were to be answered by
    (Application.answer_by): submitted more than REGISTRY_CHANGE_ANSWER_DAYS days ago."""
    today = timezone.localdate()
    days = datetime.timedelta(days=settings.REGISTRY_CHANGE_ANSWER_DAYS)
    # answer_by < today  <=>  the local day of submission < today - days
    start = timezone.make_aware(datetime.datetime.combine(today - days, datetime.time.min))
    return Application.objects.filter(
        bureau=bureau,
        kind=ApplicationKind.CHANGE,
        status=ApplicationStatus.SUBMITTED,
        submitted_at__lt=start,
    ).count()


def application_for_counter(*, user: User, pk: int) -> Application:
    """An application the user may view at the counter, or 404."""
    try:
        application = Application.objects.select_related(
            "practitioner__bureau", "practitioner__account", "bureau", "photo", "campaign"
        ).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view(user, application.bureau):
        raise Http404
    return application


def confirmation_for(*, user: User, pk: int) -> Confirmation:
    try:
        confirmation = Confirmation.objects.select_related("bureau", "clerk", "practitioner").get(
            pk=pk
        )
    except Confirmation.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view(user, confirmation.bureau):
        raise Http404
    return confirmation


def day_sheet(*, bureau: Bureau, day: datetime.date) -> dict[User, dict[str, list]]:
    """The day's confirmations and returns at the bureau's counter, per clerk."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    sheet: dict[User, dict[str, list]] = {}
    for confirmation in (
        Confirmation.objects.filter(bureau=bureau, confirmed_at__gte=start, confirmed_at__lt=end)
        .select_related("clerk", "practitioner", "application")
        .order_by("confirmed_at")
    ):
        sheet.setdefault(confirmation.clerk, {"confirmed": [], "returned": []})["confirmed"].append(
            confirmation
        )
    for counter_return in (
        CounterReturn.objects.filter(bureau=bureau, returned_at__gte=start, returned_at__lt=end)
        .select_related("clerk", "application__practitioner")
        .order_by("returned_at")
    ):
        sheet.setdefault(counter_return.clerk, {"confirmed": [], "returned": []})[
            "returned"
        ].append(counter_return)
    return dict(sorted(sheet.items(), key=lambda item: item[0].username))
