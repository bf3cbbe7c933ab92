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
from reporting.constants import SheetStatus
from reporting.models import (
    Bulletin,
)
from reporting.services.common import ReportingError
from reporting.services.sheets import freeze_week


def _check_publishable(*, campaign: Campaign, week: weeks.Week, actor: User):
    """The week's cut-off, if city staff may publish its bulletin now; ReportingError if not."""
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
    if Bulletin.objects.filter(campaign=campaign, week=str(week)).exists():
        raise ReportingError(_("This week's bulletin is already published."))
    return cutoff


def preview_bulletin(*, campaign: Campaign, week: weeks.Week, actor: User) -> dict:
    """What publishing the week's bulletin now would publish, without publishing it: its rows,
    totals, trend and charts, and the counties whose sheet of the week the city has not
    accepted (the bulletin states each sheet's status as it stands when published). Writes
    nothing but the week's frozen figures, which the cut-off has fixed anyway."""
    cutoff = _check_publishable(campaign=campaign, week=week, actor=actor)
    freeze_week(campaign=campaign, week=week)
    content = bulletins.build(campaign=campaign, week=week)
    rate_svg, trend_svg = bulletins.charts_of(content)
    not_accepted = [
        {
            "short_name": row["short_name"],
            "sheet": bulletins.sheet_label(row["sheet_status"], row["sheet_late"]),
        }
        for row in sorted(content["rows"], key=lambda r: r["bureau_code"])
        if row["sheet_status"] and row["sheet_status"] != SheetStatus.ACCEPTED
    ]
    return {
        **content,
        "cutoff": cutoff,
        "rate_svg": rate_svg,
        "trend_svg": trend_svg,
        "not_accepted": not_accepted,
    }


def publish_bulletin(*, campaign: Campaign, week: weeks.Week, actor: User) -> Bulletin:
    """City staff publish a week's progress of every bureau, as of the week's cut-off: the
    ranked table, the change since last week, the trend, the charts and the files, made once."""
    cutoff = _check_publishable(campaign=campaign, week=week, actor=actor)
    freeze_week(campaign=campaign, week=week)
    content = bulletins.build(campaign=campaign, week=week)
    published_at = timezone.now()  # the date the PDF prints is the one the bulletin records
    files = bulletins.files(
        campaign=campaign, week=week, content=content, published_at=published_at
    )
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
            published_at=published_at,
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
