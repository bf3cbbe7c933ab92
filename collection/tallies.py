"""The applications' tallies: per campaign and bureau, how many are in each state, by hour.

`save_application` (collection.services) calls `record_states` whenever an application's
counted state changes, the counter's confirmation calls `record_confirmation`, and a move of a
person carries their applications' states to the new bureau. `rebuild` recomputes the tallies
from the applications (after a bulk load); `differences` says where the two disagree.
"""

import datetime
from collections import Counter
from collections.abc import Mapping

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from accounting_registry import tallies
from collection.constants import TALLY_STATES, ApplicationStatus, TallyFigure
from collection.models import Application, ApplicationTally, ApplicationTotal, Campaign

# A draft whose last return came after its last submission is still "returned".
_RETURNED_DRAFT = Q(
    status=ApplicationStatus.DRAFT, returned_at__isnull=False, returned_at__gt=F("submitted_at")
)

# Each counted state as a filter on applications: the people lists and `rebuild` use these.
STATE_FILTERS: dict[str, Q] = {
    TallyFigure.DRAFT: Q(status=ApplicationStatus.DRAFT) & ~_RETURNED_DRAFT,
    TallyFigure.WAITING: Q(status=ApplicationStatus.SUBMITTED),
    TallyFigure.RETURNED: Q(status=ApplicationStatus.RETURNED) | _RETURNED_DRAFT,
    TallyFigure.CONFIRMED: Q(status=ApplicationStatus.CONFIRMED),
}


def state_of(
    status: str, submitted_at: datetime.datetime | None, returned_at: datetime.datetime | None
) -> str:
    """The counted state of an application (the same rule as STATE_FILTERS)."""
    if status == ApplicationStatus.DRAFT:
        if returned_at is not None and submitted_at is not None and returned_at > submitted_at:
            return TallyFigure.RETURNED
        return TallyFigure.DRAFT
    return {
        ApplicationStatus.SUBMITTED: TallyFigure.WAITING,
        ApplicationStatus.RETURNED: TallyFigure.RETURNED,
        ApplicationStatus.CONFIRMED: TallyFigure.CONFIRMED,
    }[status]


def record_states(
    *,
    campaign_id: int,
    moves: list[tuple[int | None, str | None, int | None, str | None]],
    at: datetime.datetime | None = None,
) -> None:
    """Count applications leaving one (bureau, state) and entering another: each move is
    (old bureau, old state, new bureau, new state), None for "none" (a new application)."""
    hour = tallies.hour_of(at or timezone.now())
    deltas: Counter = Counter()
    for old_bureau, old_state, new_bureau, new_state in moves:
        if (old_bureau, old_state) == (new_bureau, new_state):
            continue
        if old_state is not None:
            deltas[(campaign_id, old_bureau, old_state, hour)] -= 1
        if new_state is not None:
            deltas[(campaign_id, new_bureau, new_state, hour)] += 1
    tallies.add(ApplicationTally, deltas)


def record_confirmation(*, application: Application, at: datetime.datetime) -> None:
    """Count one confirmation at the counter (a week's pace)."""
    key = (application.campaign_id, application.bureau_id, TallyFigure.CONFIRMATIONS)
    tallies.add(ApplicationTally, {(*key, tallies.hour_of(at)): 1})


# When an application entered the state it is in now: what `rebuild` counts it from.
_ENTERED = {
    TallyFigure.DRAFT: "created_at",
    TallyFigure.WAITING: "submitted_at",
    TallyFigure.RETURNED: "returned_at",
    TallyFigure.CONFIRMED: "confirmed_at",
}


def rebuild(*, applications=Application, tally=ApplicationTally, totals=ApplicationTotal) -> None:
    """Recompute every application tally from the applications: each counted in its present
    state from the hour it entered it, and each confirmation in its hour. (The states an
    application passed through before are not stored, so figures of earlier weeks come out as
    if each had reached its present state directly. A migration passes its historical models.)"""
    counts = []
    counted = applications.objects.filter(campaign__isnull=False)  # not change requests
    for state, q in STATE_FILTERS.items():
        rows = (
            counted.filter(q)
            .annotate(hour=TruncHour(_ENTERED[state], tzinfo=tallies.UTC))
            .values("campaign_id", "bureau_id", "hour")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts += [((r["campaign_id"], r["bureau_id"], state, r["hour"]), r["n"]) for r in rows]
    rows = (
        counted.filter(status=ApplicationStatus.CONFIRMED)
        .annotate(hour=TruncHour("confirmed_at", tzinfo=tallies.UTC))
        .values("campaign_id", "bureau_id", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts += [
        ((r["campaign_id"], r["bureau_id"], TallyFigure.CONFIRMATIONS, r["hour"]), r["n"])
        for r in rows
    ]
    tallies.replace_all(tally, counts, key=ApplicationTally.TALLY_KEY, totals=totals)


def figures(
    *,
    campaign: Campaign,
    as_of: datetime.datetime | None = None,
    since: Mapping[str, datetime.datetime] | None = None,
) -> dict[int, dict[str, int]]:
    """bureau id -> {figure: count}, now (the running totals) or as of a moment (the sum of
    every hour that began before it); each name in `since` also counts the confirmations made
    from its moment until then. Two queries now, one as of a moment."""
    since = since or {}
    result: dict[int, dict[str, int]] = {}
    recent = {
        name: Sum("delta", filter=Q(hour__gte=moment), default=0) for name, moment in since.items()
    }
    if as_of is None:
        for bureau_id, figure, count in ApplicationTotal.objects.filter(
            campaign=campaign
        ).values_list("bureau_id", "figure", "count"):
            result.setdefault(bureau_id, {})[figure] = count
        if since:
            rows = (
                ApplicationTally.objects.filter(
                    campaign=campaign,
                    figure=TallyFigure.CONFIRMATIONS,
                    hour__gte=min(since.values()),
                )
                .values("bureau_id")
                .annotate(**recent)
                .order_by()
            )
            for row in rows:
                result.setdefault(row["bureau_id"], {}).update({n: row[n] for n in since})
        return result
    rows = ApplicationTally.objects.filter(campaign=campaign, hour__lt=as_of)
    for row in rows.values("bureau_id", "figure").annotate(n=Sum("delta"), **recent).order_by():
        counts = result.setdefault(row["bureau_id"], {})
        counts[row["figure"]] = row["n"]
        if row["figure"] == TallyFigure.CONFIRMATIONS:
            counts.update({name: row[name] for name in since})
    return result


def differences(*, campaign: Campaign) -> dict[int, dict[str, tuple[int, int]]]:
    """Where the totals or the hourly tallies disagree with the applications now:
    bureau -> state -> (total, hourly sum, count)."""
    counted: dict[int, dict[str, int]] = {}
    aggregates = {state: Count("id", filter=q) for state, q in STATE_FILTERS.items()}
    for row in (
        Application.objects.filter(campaign=campaign)
        .values("bureau_id")
        .annotate(**aggregates)
        .order_by()
    ):
        counted[row["bureau_id"]] = {state: row[state] for state in TALLY_STATES}
    return tallies.compare(
        counted,
        figures(campaign=campaign),
        figures(campaign=campaign, as_of=tallies.END),
        TALLY_STATES,
    )
