"""The applications' tallies: per campaign and bureau, how many are in each state, by hour.

The application's one writer (collection.services.states) counts every change of the state an
application counts as (Application.counted_as), every confirmation and every confirmed
application a move carries to another bureau, in the same transaction. `rebuild` recomputes
the tallies from the applications (after a bulk load); `differences` says where the two
disagree.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db.models import Count, Q, Sum

from collection.constants import TALLY_FLOWS, TALLY_STATES, ApplicationStatus, TallyFigure
from collection.models import Application, ApplicationTally, ApplicationTotal, Campaign
from core import tallies

# Each counted state as a filter on applications: the people lists use these.
STATE_FILTERS: dict[str, Q] = {state: Q(counted_as=state) for state in TALLY_STATES}


# The statuses of a campaign's application that a figure counts (all of them).
COUNTED_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.CONFIRMED,
)


def state_of(
    status: str, submitted_at: datetime.datetime | None, returned_at: datetime.datetime | None
) -> str:
    """The state a campaign's application counts as: the one rule, applied by its writer when
    the status changes. A returned application stays "returned" while it is edited, until it
    is submitted again."""
    if status == ApplicationStatus.DRAFT:
        if returned_at is not None and submitted_at is not None and returned_at > submitted_at:
            return TallyFigure.RETURNED
        return TallyFigure.DRAFT
    return {
        ApplicationStatus.SUBMITTED: TallyFigure.WAITING,
        ApplicationStatus.RETURNED: TallyFigure.RETURNED,
        ApplicationStatus.CONFIRMED: TallyFigure.CONFIRMED,
    }[status]


def count(
    *,
    campaign_id: int,
    deltas: Iterable[tuple[int, str, int]],
    at: datetime.datetime,
) -> None:
    """Add (bureau, figure, delta) changes at `at`. Called by the application's writer only."""
    hour = tallies.hour_of(at)
    summed: Counter = Counter()
    for bureau_id, figure, delta in deltas:
        summed[(campaign_id, bureau_id, figure, hour)] += delta
    tallies.add(ApplicationTally, summed)


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
            .annotate(hour=tallies.hour_of_field(_ENTERED[state]))
            .values("campaign_id", "bureau_id", "hour")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts += [((r["campaign_id"], r["bureau_id"], state, r["hour"]), r["n"]) for r in rows]
    rows = (
        counted.filter(status=ApplicationStatus.CONFIRMED)
        .annotate(hour=tallies.hour_of_field("confirmed_at"))
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
) -> dict[int, dict]:
    """bureau id -> {figure: count}, now (the running totals) or as of a moment (the sum of
    every hour before it); for each name in `since`, {(name, flow): count} also counts each of
    TALLY_FLOWS from its moment until then. Two queries now, one as of a moment."""
    since = since or {}
    result: dict[int, dict] = {}
    recent = {
        name: Sum("delta", filter=Q(hour__gte=moment), default=0) for name, moment in since.items()
    }

    def add_recent(row) -> None:
        if row["figure"] in TALLY_FLOWS:
            counts = result.setdefault(row["bureau_id"], {})
            counts.update({(name, row["figure"]): row[name] for name in since})

    if as_of is None:
        for bureau_id, figure, count in ApplicationTotal.objects.filter(
            campaign=campaign
        ).values_list("bureau_id", "figure", "count"):
            result.setdefault(bureau_id, {})[figure] = count
        if since:
            rows = (
                ApplicationTally.objects.filter(
                    campaign=campaign, figure__in=TALLY_FLOWS, hour__gte=min(since.values())
                )
                .values("bureau_id", "figure")
                .annotate(**recent)
                .order_by()
            )
            for row in rows:
                add_recent(row)
        return result
    rows = ApplicationTally.objects.filter(campaign=campaign, hour__lt=as_of)
    for row in rows.values("bureau_id", "figure").annotate(n=Sum("delta"), **recent).order_by():
        result.setdefault(row["bureau_id"], {})[row["figure"]] = row["n"]
        add_recent(row)
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
