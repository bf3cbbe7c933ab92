"""The register's tallies: holders, those in an accounting post and those in the pending pool,
per bureau and hour.

The record's one writer (practitioners.records) calls `count` in the transaction of every
change, with the record's state before and after; `rebuild` recomputes the tallies from the
register (after a bulk load: the benchmark's and the load test's), and `differences` says
where the two disagree.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from core import tallies
from practitioners.constants import RegisterFigure
from practitioners.models import Practitioner, RegisterTally, RegisterTotal

# What the register's tallies count of a record: its bureau, whether it is in an accounting
# post, whether it is in the pending pool.
COUNTED = ("bureau_id", "in_accounting_post", "pending_since")


@dataclass(frozen=True)
class Counted:
    bureau_id: int
    in_post: bool
    pending: bool


def counted(values: Mapping[str, Any]) -> Counted:
    """How a record (its values by attname) counts in the register's figures."""
    return Counted(
        values["bureau_id"],
        bool(values.get("in_accounting_post")),
        values.get("pending_since") is not None,
    )


def count(moves: Iterable[tuple[Counted | None, Counted | None]], *, at: datetime.datetime) -> None:
    """Count records changing from one state to another at `at` (None: not in the register).
    Called by practitioners.records, the record's one writer, only."""
    hour = tallies.hour_of(at)
    deltas: Counter = Counter()
    for sign, state in ((s, x) for before, after in moves for s, x in ((-1, before), (1, after))):
        if state is None:
            continue
        deltas[(state.bureau_id, RegisterFigure.HOLDERS, hour)] += sign
        if state.in_post:
            deltas[(state.bureau_id, RegisterFigure.IN_POST, hour)] += sign
        if state.pending:
            deltas[(state.bureau_id, RegisterFigure.PENDING, hour)] += sign
    tallies.add(RegisterTally, deltas)


def rebuild(*, practitioners=Practitioner, tally=RegisterTally, totals=RegisterTotal) -> None:
    """Recompute every register tally from the register: each person counted from the hour
    their record was created. (A migration passes its historical models.)"""
    rows = (
        practitioners.objects.annotate(hour=tallies.hour_of_field("created_at"))
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
            .annotate(hour=tallies.hour_of_field("pending_since"))
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
