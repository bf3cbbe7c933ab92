"""Call lists: the people behind a figure, exported for a county to call (audited)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from collection.models import Campaign
from practitioners.constants import AuditAction
from practitioners.models import Bureau, User
from practitioners.services import record_event
from reporting import permissions
from reporting.services.common import (
    ReportingError,
)

CALL_LIST_FORMATS = ("csv", "xlsx")


def export_call_list(
    *, actor: User, campaign: Campaign, bureau: Bureau, figure: str, fmt: str
) -> bytes:
    """The people behind one of a bureau's figures as a call list (ID numbers masked, with
    their mobile numbers): its own staff or city staff; audited, since it carries contacts."""
    from reporting import calllists, selectors

    if not permissions.can_see_progress(actor, bureau):
        raise PermissionDenied("not this bureau's staff")
    if fmt not in CALL_LIST_FORMATS:
        raise ReportingError(_("Choose CSV or Excel."))
    people = selectors.people(campaign=campaign, bureau=bureau, figure=figure)
    data, count = calllists.write(campaign=campaign, people=people, figure=figure, fmt=fmt)
    record_event(
        actor=actor,
        action=AuditAction.CALL_LIST_EXPORTED,
        bureau=bureau,
        campaign=campaign.pk,
        figure=figure,
        format=fmt,
        rows=count,
    )
    return data
