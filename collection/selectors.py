"""Reads of the collection app, scoped to the asking user."""

from django.db.models import QuerySet
from django.http import Http404

from collection import permissions
from collection.models import Application, Campaign, Notice, Photo, Submission
from practitioners import selectors as register_selectors
from practitioners.models import Practitioner, User


def active_campaign() -> Campaign | None:
    """The campaign now running, if any."""
    return Campaign.objects.filter(is_active=True).first()


def application_of(*, practitioner: Practitioner, campaign: Campaign | None) -> Application | None:
    """The practitioner's application in the campaign (None: not started)."""
    if campaign is None:
        return None
    return (
        Application.objects.select_related("photo", "campaign")
        .filter(campaign=campaign, practitioner=practitioner)
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


def unread_notices(*, user: User) -> list[Notice]:
    """Notices for the practitioner's home page, newest first."""
    return list(Notice.objects.filter(user=user, read_at__isnull=True)[:10])


def campaigns() -> QuerySet[Campaign]:
    """Every campaign, the newest first (past ones stay readable)."""
    return Campaign.objects.all()


def campaign_or_404(pk: int) -> Campaign:
    """A campaign by id (campaigns are not personal data: every staff member may read them)."""
    try:
        return Campaign.objects.get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None
