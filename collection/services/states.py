"""An application's one writer: its status, the state the weekly figures count it as, and the
tallies of those figures, kept together.

Every service that changes an application (a draft saved, a photo, a submission, the counter's
decisions, a move of the person) writes it through `save_application` (or creates it through
`open_collection` / `open_change`, moves it through `move_applications`): the allowed
transitions are checked here, the counted state (Application.counted_as) is derived here from
the status by the one rule (collection.tallies.state_of), and the tallies change in the same
transaction. The figures and the people lists read the stored counted state, never the rule.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from collection import diff, tallies
from collection.constants import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    TallyFigure,
)
from collection.errors import TransitionNotAllowed
from collection.models import Application, Campaign
from collection.selectors import confirmed_photo_id
from practitioners.models import Practitioner


def counted_state(application: Application) -> str:
    """What the weekly figures count the application as ("" for a change request: none)."""
    if application.campaign_id is None:
        return ""
    return tallies.state_of(application.status, application.submitted_at, application.returned_at)


def save_application(
    application: Application,
    *,
    status: str | None = None,
    now: datetime.datetime | None = None,
    **values: Any,
) -> None:
    """Move a locked application to `status` (checked against the allowed transitions) and/or
    set `values`, and save it. Every write bumps the revision (a form built from an older one is
    refused) and the update time; a change of the counted state, and a confirmation, are
    counted in the weekly tallies at the same moment."""
    now = now or timezone.now()
    fields = list(values)
    if status is not None:
        if status not in ALLOWED_TRANSITIONS[application.status]:
            raise TransitionNotAllowed(
                _("An application that is %(status)s cannot become %(to)s.")
                % {
                    "status": application.get_status_display(),
                    "to": ApplicationStatus(status).label,
                }
            )
        confirmed = status == ApplicationStatus.CONFIRMED and application.status != status
        application.status = status
        fields.append("status")
    else:
        confirmed = False
    for name, value in values.items():
        setattr(application, name, value)
    application.revision += 1
    application.updated_at = now
    before, after = application.counted_as, counted_state(application)
    if application.campaign_id is not None:
        deltas = []
        if after != before:
            deltas += [(application.bureau_id, before, -1), (application.bureau_id, after, 1)]
            application.counted_as = after
            fields.append("counted_as")
        if confirmed:
            deltas.append((application.bureau_id, TallyFigure.CONFIRMATIONS, 1))
        tallies.count(
            campaign_id=application.campaign_id,
            deltas=[d for d in deltas if d[1]],
            at=now,
        )
    application.save(update_fields=[*fields, "revision", "updated_at"])


def open_collection(*, practitioner: Practitioner, campaign: Campaign) -> Application:
    """The practitioner's application in the campaign, locked; created (an empty draft, counted
    as in progress) on first use. Call inside a transaction. An existing row is one query
    (SELECT ... FOR UPDATE); a new one is inserted in a savepoint, and one inserted meanwhile
    by another request is locked instead."""
    now = timezone.now()
    application, created = Application.objects.select_for_update().get_or_create(
        campaign=campaign,
        practitioner=practitioner,
        defaults={
            "bureau_id": practitioner.bureau_id,
            "counted_as": TallyFigure.DRAFT,
            "created_at": now,
            "updated_at": now,
        },
    )
    if created:
        tallies.count(
            campaign_id=campaign.pk,
            deltas=[(application.bureau_id, TallyFigure.DRAFT, 1)],
            at=now,
        )
    application.campaign, application.practitioner = campaign, practitioner  # already at hand
    return application


def open_change(practitioner: Practitioner) -> Application:
    """The practitioner's open change request, locked; created from the record on first use.
    Two tabs that start one at once find the same row (one_open_change_request). Change
    requests count in no weekly figure."""
    open_changes = Application.objects.filter(
        practitioner=practitioner, kind=ApplicationKind.CHANGE, status__in=OPEN_STATUSES
    )
    if not open_changes.exists():
        try:
            with transaction.atomic():
                now = timezone.now()
                Application.objects.create(
                    kind=ApplicationKind.CHANGE,
                    campaign=None,
                    practitioner=practitioner,
                    bureau_id=practitioner.bureau_id,
                    data=diff.record_values(practitioner),
                    photo_id=confirmed_photo_id(practitioner=practitioner),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            pass  # the other tab's: lock it below
    return open_changes.select_for_update().get()


def move_applications(*, practitioner: Practitioner, from_bureau_id: int, to_bureau_id: int) -> int:
    """Every application of a person moved to another bureau goes with them (the application's
    bureau is the practitioner's), and so does its place in the weekly figures; a confirmed one
    counts as moved out of the one bureau and into the other. The counter's confirmations stay
    where they were made. Returns how many moved."""
    now = timezone.now()
    applications = list(
        Application.objects.select_for_update()
        .filter(practitioner=practitioner)
        .values_list("pk", "campaign_id", "counted_as")
    )
    for _pk, campaign_id, counted_as in applications:
        if campaign_id is None or not counted_as:
            continue  # a change request: not counted in the weekly figures
        deltas = [(from_bureau_id, counted_as, -1), (to_bureau_id, counted_as, 1)]
        if counted_as == TallyFigure.CONFIRMED:
            deltas += [
                (from_bureau_id, TallyFigure.MOVED_OUT, 1),
                (to_bureau_id, TallyFigure.MOVED_IN, 1),
            ]
        tallies.count(campaign_id=campaign_id, deltas=deltas, at=now)
    return Application.objects.filter(pk__in=[a[0] for a in applications]).update(
        bureau_id=to_bureau_id, revision=F("revision") + 1, updated_at=now
    )
