"""Reads of the collection app, scoped to the asking user."""

from dataclasses import dataclass

from django.db.models import Case, QuerySet, When
from django.http import Http404

from collection import notices, permissions
from collection.constants import OPEN_STATUSES, ApplicationKind, ApplicationStatus
from collection.models import Application, Campaign, Notice, Photo, Submission
from practitioners import selectors as register_selectors
from practitioners.constants import RegisterFigure
from practitioners.models import Bureau, Practitioner, RegisterTotal, User


def active_campaign() -> Campaign | None:
    """The campaign now running, if any."""
    return Campaign.objects.filter(is_active=True).first()


def application_of(*, practitioner: Practitioner, campaign: Campaign | None) -> Application | None:
    """The practitioner's application in the campaign (None: not started)."""
    if campaign is None:
        return None
    application = (
        Application.objects.select_related("photo")
        .filter(campaign=campaign, practitioner=practitioner)
        .first()
    )
    if application is not None:  # both known: no join for them (this runs on every page)
        application.campaign = campaign
        application.practitioner = practitioner
    return application


def _changes_of(practitioner: Practitioner) -> QuerySet[Application]:
    return Application.objects.select_related("photo").filter(
        practitioner=practitioner, kind=ApplicationKind.CHANGE
    )


def open_change(*, practitioner: Practitioner) -> Application | None:
    """The practitioner's change request in progress or at the counter, if any."""
    return _changes_of(practitioner).filter(status__in=OPEN_STATUSES).first()


def confirmed_photo_id(*, practitioner: Practitioner) -> int | None:
    """The photo of the practitioner's last confirmed application: the one the record holds."""
    return (
        Application.objects.filter(practitioner=practitioner, status=ApplicationStatus.CONFIRMED)
        .order_by("-confirmed_at")
        .values_list("photo_id", flat=True)
        .first()
    )


def last_change(*, practitioner: Practitioner) -> Application | None:
    """The practitioner's open change request, or else the last one decided (one query: the
    open one first; there is at most one, one_open_change_request)."""
    return (
        _changes_of(practitioner)
        .annotate(decided=Case(When(status__in=OPEN_STATUSES, then=0), default=1))
        .order_by("decided", "-updated_at")
        .first()
    )


def submissions_of(*, application: Application) -> QuerySet[Submission]:
    """Every submitted version, newest first."""
    return application.submissions.select_related("submitted_by").order_by("-number")


def photo_for(*, user: User, pk: int) -> Photo:
    """A photo the user may see, or 404."""
    try:
        photo = Photo.objects.select_related("practitioner__bureau").get(pk=pk)
    except Photo.DoesNotExist:
        raise Http404 from None
    if not permissions.can_see_practitioner(user, photo.practitioner):
        raise Http404
    return photo


def staff_application(
    *, user: User, practitioner_pk: int
) -> tuple[Practitioner, Application | None]:
    """A practitioner of the staff member's scope and their application in the active campaign."""
    practitioner = register_selectors.get_practitioner_for(user=user, pk=practitioner_pk)
    return practitioner, application_of(practitioner=practitioner, campaign=active_campaign())


@dataclass(frozen=True)
class ShownNotice:
    pk: int
    title: str
    text: str


def unread_notices(*, user: User) -> list[ShownNotice]:
    """Notices for the practitioner's home page, newest first, in the reader's language."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)[:10]
    return [ShownNotice(n.pk, *notices.words(n)) for n in unread]


def campaigns() -> QuerySet[Campaign]:
    """Every campaign, the newest first (past ones stay readable)."""
    return Campaign.objects.all()


def campaign_or_404(pk: int) -> Campaign:
    """A campaign by id (campaigns are not personal data: every staff member may read them)."""
    try:
        return Campaign.objects.get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def pending_pool_counts() -> list[tuple[Bureau, int]]:
    """Each bureau's records in the pending pool now (the running totals), in bureau order."""
    counts = dict(
        RegisterTotal.objects.filter(figure=RegisterFigure.PENDING, count__gt=0).values_list(
            "bureau_id", "count"
        )
    )
    return [(b, counts[b.pk]) for b in Bureau.objects.filter(pk__in=counts).order_by("code")]
