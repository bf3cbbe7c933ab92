"""The weekly bulletin (进度通报): published by the city, its figures and files made once."""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.models import Campaign
from practitioners.constants import AuditAction
from practitioners.models import User
from practitioners.services import record_event
from reporting import bulletins, permissions, weeks
from reporting.models import (
    Bulletin,
)
from reporting.services.common import ReportingError
from reporting.services.sheets import freeze_week


def publish_bulletin(*, campaign: Campaign, week: weeks.Week, actor: User) -> Bulletin:
    """City staff publish a week's progress of every bureau, as of the week's cut-off: the
    ranked table, the change since last week, the trend, the charts and the files, made once."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("only city staff publish bulletins")
    cutoff = weeks.cutoff(campaign, week)
    if timezone.now() <= cutoff:
        raise ReportingError(
            _("The week's figures are final at its cut-off, %(cutoff)s; publish it after that.")
            % {"cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")}
        )
    if not weeks.in_campaign(campaign, week):
        raise ReportingError(_("This week is outside the campaign."))
    freeze_week(campaign=campaign, week=week)
    content = bulletins.build(campaign=campaign, week=week)
    files = bulletins.files(campaign=campaign, week=week, content=content)
    with transaction.atomic():
        if Bulletin.objects.select_for_update().filter(campaign=campaign, week=str(week)).exists():
            raise ReportingError(_("This week's bulletin is already published."))
        bulletin = Bulletin(
            campaign=campaign,
            week=str(week),
            cutoff=cutoff,
            rows=content["rows"],
            totals=content["totals"],
            trend=content["trend"],
            rate_svg=files["rate_svg"],
            trend_svg=files["trend_svg"],
            published_by=actor,
        )
        bulletin.pdf.save(f"bulletin-{week}.pdf", ContentFile(files["pdf"]), save=False)
        bulletin.xlsx.save(f"bulletin-{week}.xlsx", ContentFile(files["xlsx"]), save=False)
        try:
            with transaction.atomic():
                bulletin.save()
        except IntegrityError:
            raise ReportingError(_("This week's bulletin is already published.")) from None
        record_event(
            actor=actor,
            action=AuditAction.BULLETIN_PUBLISHED,
            campaign=campaign.pk,
            week=str(week),
        )
    return bulletin
