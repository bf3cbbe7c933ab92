"""The pending pool (待处理库): after a campaign's collection deadline and its grace period, city
staff move every record without a confirmed collection in the campaign into the pool, after a
dry run that shows how many per bureau. A record in the pool does no business (practitioners.gate)
until the counter confirms its collection, which takes it out at once (confirm_at_counter).
The weekly figures count the pool (practitioners.tallies, RegisterFigure.PENDING); the first
move closes the campaign's reporting: its week is the campaign's last (reporting.weeks)."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import permissions
from collection.constants import ApplicationStatus
from collection.errors import CollectionError
from collection.models import Application, Campaign
from practitioners import records
from practitioners.constants import AuditAction
from practitioners.models import Bureau, Practitioner, User


@dataclass
class PoolMove:
    """What a move found (a dry run) or did: records per bureau, in bureau order."""

    campaign: Campaign
    opens_at: datetime.datetime
    dry_run: bool
    counts: dict[Bureau, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def pool_opens_at(campaign: Campaign) -> datetime.datetime:
    """The end of the deadline's day in the campaign's time zone, plus the grace period."""
    zone = zoneinfo.ZoneInfo(campaign.time_zone)
    day = campaign.collection_due_date + datetime.timedelta(days=1 + campaign.pending_grace_days)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def unconfirmed(campaign: Campaign) -> QuerySet[Practitioner]:
    """Records outside the pool without a confirmed collection in the campaign. The test on the
    row's own confirmed_at, checked again under the lock, makes a confirmation that commits
    while the move runs win."""
    confirmed = Application.objects.filter(
        campaign=campaign, status=ApplicationStatus.CONFIRMED
    ).values("practitioner_id")
    return Practitioner.objects.filter(
        Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=_start(campaign)),
        pending_since__isnull=True,
    ).exclude(pk__in=confirmed)


def _start(campaign: Campaign) -> datetime.datetime:
    return datetime.datetime.combine(
        campaign.start_date, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(campaign.time_zone)
    )


def _per_bureau(people: QuerySet[Practitioner]) -> dict[Bureau, int]:
    counts = dict(people.values_list("bureau_id").annotate(n=Count("id")).order_by())
    return {b: counts[b.pk] for b in Bureau.objects.filter(pk__in=counts).order_by("code")}


def move_unconfirmed_to_pending(
    *,
    campaign: Campaign,
    actor: User | None,
    dry_run: bool = False,
) -> PoolMove:
    """Count (dry run) or move the campaign's unconfirmed records into the pending pool. City
    staff only (actor None: the management command); refused before the pool opens. Running it
    again moves only what is new: none when nothing changed. Audited per bureau."""
    if actor is not None and not permissions.can_manage_campaigns(actor):
        raise PermissionDenied("only city staff move records to the pending pool")
    now = timezone.now()
    result = PoolMove(campaign=campaign, opens_at=pool_opens_at(campaign), dry_run=dry_run)
    if dry_run:
        result.counts = _per_bureau(unconfirmed(campaign))
        return result
    if now < result.opens_at:
        raise CollectionError(
            _("The pending pool opens on %(date)s: the collection deadline plus %(days)s days.")
            % {
                "date": timezone.localtime(result.opens_at).strftime("%Y-%m-%d %H:%M"),
                "days": campaign.pending_grace_days,
            }
        )
    with transaction.atomic():
        # The condition again under the lock: a confirmation that committed meanwhile wins.
        people = records.lock_many(
            unconfirmed(campaign).values_list("pk", flat=True),
            where=(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=_start(campaign)))
            & Q(pending_since__isnull=True),
        )
        records.update_records(
            [(before, {"pending_since": now}) for before in people.values()],
            actor=actor,
            action=AuditAction.MOVED_TO_PENDING,
            each=False,
            campaign=campaign.pk,
        )
        counts: dict[int, int] = {}
        for before in people.values():
            counts[before["bureau_id"]] = counts.get(before["bureau_id"], 0) + 1
        result.counts = {
            b: counts[b.pk] for b in Bureau.objects.filter(pk__in=counts).order_by("code")
        }
        if campaign.pool_moved_at is None:
            campaign.pool_moved_at = now
            campaign.save(update_fields=["pool_moved_at"])
    return result
