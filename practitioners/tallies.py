"""The register's tallies: holders, those in an accounting post and those in the pending pool,
per bureau and hour.

Every service that adds people, moves them or changes whether they are in an accounting post
calls `record` in its transaction; `rebuild` recomputes the tallies from the register (after
a bulk load such as the demo's), and `differences` says where the two disagree.
"""

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from accounting_registry import tallies
from practitioners.constants import RegisterFigure
from practitioners.models import Practitioner, RegisterTally, RegisterTotal

Person = tuple[int, bool]  # (bureau id, in an accounting post)


def record(
    *,
    added: Iterable[Person] = (),
    removed: Iterable[Person] = (),
    at: datetime.datetime | None = None,
) -> None:
    """Count people added to (or removed from) bureaus at `at` (now by default)."""
    hour = tallies.hour_of(at or timezone.now())
    deltas: Counter = Counter()
    for sign, people in ((1, added), (-1, removed)):
        for bureau_id, in_post in people:
            deltas[(bureau_id, RegisterFigure.HOLDERS, hour)] += sign
            if in_post:
                deltas[(bureau_id, RegisterFigure.IN_POST, hour)] += sign
    tallies.add(RegisterTally, deltas)


def record_change(*, before: Person, after: Person, at: datetime.datetime | None = None) -> None:
    """Count a person whose bureau or accounting post changed."""
    if before != after:
        record(added=[after], removed=[before], at=at)


def record_pending(
    deltas: dict[int, int] | Counter, *, at: datetime.datetime | None = None
) -> None:
    """Count records entering (+) or leaving (-) the pending pool, per bureau id."""
    hour = tallies.hour_of(at or timezone.now())
    tallies.add(
        RegisterTally,
        {(bureau_id, RegisterFigure.PENDING, hour): n for bureau_id, n in deltas.items() if n},
    )


def rebuild(*, practitioners=Practitioner, tally=RegisterTally, totals=RegisterTotal) -> None:
    """Recompute every register tally from the register: each person counted from the hour
    their record was created. (A migration passes its historical models.)"""
    rows = (
        practitioners.objects.annotate(hour=TruncHour("created_at", tzinfo=tallies.UTC))
        .values("bureau_id", "hour")
        .annotate(holders=Count("id"), in_post=Count("id", filter=Q(in_accounting_post=True)))
        .order_by()
    )
    counts = []
    for row in rows:
        counts.append(((row["bureau_id"], RegisterFigure.HOLDERS, row["hour"]), row["holders"]))
        counts.append(((row["bureau_id"], RegisterFigure.IN_POST, row["hour"]), row["in_post"]))
    # (A migration's historical model from before the pool has no pending_since.)
    if any(f.name == "pending_since" for f in practitioners._meta.get_fields()):
        pending = (
            practitioners.objects.filter(pending_since__isnull=False)
            .annotate(hour=TruncHour("pending_since", tzinfo=tallies.UTC))
            .values("bureau_id", "hour")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts += [((r["bureau_id"], RegisterFigure.PENDING, r["hour"]), r["n"]) for r in pending]
    tallies.replace_all(tally, counts, key=RegisterTally.TALLY_KEY, totals=totals)


def figures(*, as_of: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """bureau id -> {figure: count}, now (the running totals) or as of a moment (the sum of
    every hour that began before it)."""
    result: dict[int, dict[str, int]] = {}
    if as_of is None:
        for bureau_id, figure, count in RegisterTotal.objects.values_list(
            "bureau_id", "figure", "count"
        ):
            result.setdefault(bureau_id, {})[figure] = count
        return result
    rows = RegisterTally.objects.filter(hour__lt=as_of)
    for row in rows.values("bureau_id", "figure").annotate(n=Sum("delta")).order_by():
        result.setdefault(row["bureau_id"], {})[row["figure"]] = row["n"]
    return result


def differences() -> dict[int, dict[str, tuple[int, int]]]:
    """Where the totals or the hourly tallies disagree with the register now:
    bureau -> figure -> (total, hourly sum, count)."""
    counted: dict[int, dict[str, int]] = {}
    for row in (
        Practitioner.objects.values("bureau_id")
        .annotate(
            holders=Count("id"),
            in_post=Count("id", filter=Q(in_accounting_post=True)),
            pending=Count("id", filter=Q(pending_since__isnull=False)),
        )
        .order_by()
    ):
        counted[row["bureau_id"]] = {
            RegisterFigure.HOLDERS: row["holders"],
            RegisterFigure.IN_POST: row["in_post"],
            RegisterFigure.PENDING: row["pending"],
        }
    return tallies.compare(counted, figures(), figures(as_of=tallies.END), RegisterFigure.values)
