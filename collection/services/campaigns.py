"""Campaigns, managed by city staff: one active at a time, its weekly cut-off fixed once it has
begun."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import permissions
from collection.errors import InvalidApplication
from collection.models import Campaign
from practitioners.constants import AuditAction
from practitioners.models import User
from practitioners.services import record_event


def save_campaign(*, campaign: Campaign | None, values: dict[str, Any], actor: User) -> Campaign:
    """Create or change a campaign (values as CampaignForm cleans them, `active` included);
    making it active ends the active state of any other. City staff only; audited."""
    if not permissions.can_manage_campaigns(actor):
        raise PermissionDenied("only city staff manage campaigns")
    values = dict(values)
    active = values.pop("active", False)
    with transaction.atomic():
        if campaign is not None and campaign.pk:
            _keep_the_cut_off(Campaign.objects.select_for_update().get(pk=campaign.pk), values)
        campaign = campaign or Campaign()
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.is_active = active
        if active:
            Campaign.objects.select_for_update().filter(is_active=True).exclude(
                pk=campaign.pk
            ).update(is_active=False)
        campaign.full_clean()
        campaign.save()
        record_event(
            actor=actor,
            action=AuditAction.UPDATED,
            campaign=campaign.pk,
            name=campaign.name,
            active=campaign.is_active,
        )
    return campaign


# What places a week's cut-off: fixed once the campaign has begun, so that every week's window
# (previous cut-off, cut-off] adjoins the next and every sheet states the moment it counts to.
CUT_OFF_FIELDS = ("report_weekday", "report_hour", "time_zone")


def _keep_the_cut_off(stored: Campaign, values: dict[str, Any]) -> None:
    if stored.start_date > timezone.localdate():
        return
    changed = [f for f in CUT_OFF_FIELDS if f in values and values[f] != getattr(stored, f)]
    if changed:
        message = _(
            "The campaign has begun: its weekly cut-off cannot change any more (every week counts from the previous cut-off to its own)."
        )
        raise InvalidApplication({f: [message] for f in changed})
