"""Counts kept as hourly changes ("tallies"), for the weekly progress figures.

The city's dashboard and every weekly sheet need, per bureau, how many people are in each
state as of a moment: now, or a week's cut-off. Counting a million rows for that grows with the
register; a tally row holds the change of one count during one hour, so a figure as of any whole
hour is a sum over the campaign's hours, whatever the size of the register; each count's running
total is kept beside them, so the figures as of now are a few dozen rows. The services that
change a counted state add to the tallies in the same transaction; `rebuild` functions in the
apps recompute them from the rows themselves (after a bulk load), and tests check the two agree.

Hours are UTC hours. A sheet's cut-off falls on a whole hour of the campaign's time zone, which
is a whole UTC hour for Asia/Shanghai (and any zone with a whole-hour offset). The row of an hour
counts what happened after its start and up to its end, both included at the end only: an event
at 18:00:00 exactly is in the 17:00 row, so a week is (previous cut-off, this cut-off] and a
figure as of a cut-off counts everything up to and at it.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection, models
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.db.models.functions import TruncHour

UTC = datetime.UTC
END = datetime.datetime.max.replace(tzinfo=UTC)  # "as of" after every hour
_TICK = datetime.timedelta(microseconds=1)


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    """The tally row an event counts in: the start of the UTC hour that ends at or after it."""
    return (moment.astimezone(UTC) - _TICK).replace(minute=0, second=0, microsecond=0)


def hour_of_field(name: str) -> TruncHour:
    """`hour_of` in SQL, of a date-time column (for `rebuild`)."""
    moment = ExpressionWrapper(F(name) - Value(_TICK), output_field=DateTimeField())
    return TruncHour(moment, tzinfo=UTC)


class TallyModel(models.Model):
    """A tally table: its key fields (TALLY_KEY, ending with `hour`) are unique together, and
    TOTALS names the model holding each key's running total (the key without the hour)."""

    TALLY_KEY: tuple[str, ...] = ()
    TOTALS: type["TotalModel"] | None = None

    hour = models.DateTimeField()
    delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


class TotalModel(models.Model):
    """The running totals of a tally table: the figures as of now, one row per key."""

    count = models.IntegerField(default=0)

    class Meta:
        abstract = True


def add(
    model: type[TallyModel],
    deltas: Mapping[tuple, int],
    *,
    key: tuple[str, ...] | None = None,
    totals: type[TotalModel] | None = None,
) -> None:
    """Add each delta to the hourly row of its key (a tuple in TALLY_KEY's order) and to the
    key's running total, creating rows that are missing. (A migration passes its historical
    models, hence `key` and `totals`.)"""
    key = key or model.TALLY_KEY
    totals = totals if totals is not None else model.TOTALS
    _upsert(model, key, "delta", deltas)
    if totals is not None:
        summed: Counter = Counter()
        for row_key, delta in deltas.items():
            summed[row_key[:-1]] += delta
        _upsert(totals, key[:-1], "count", summed)


def _upsert(model, key: tuple[str, ...], column: str, deltas: Mapping[tuple, int]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE per 500 rows, which PostgreSQL and SQLite both speak.
    Rows are written in key order, so two transactions never wait for each other in a circle."""
    rows = [(*row_key, delta) for row_key, delta in sorted(deltas.items()) if delta]
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in key]
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    value = quote(column)
    width = len(fields) + 1
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params = []
        for row in chunk:
            for field, item in zip(fields, row, strict=False):
                params.append(field.get_db_prep_value(item, connection))
            params.append(row[-1])
        values = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in chunk)
        sql = (
            f"INSERT INTO {table} ({columns}, {value}) VALUES {values} "
            f"ON CONFLICT ({columns}) DO UPDATE SET {value} = {table}.{value} + EXCLUDED.{value}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def replace_all(
    model: type[TallyModel],
    counts: Iterable[tuple[tuple, int]],
    *,
    key: tuple[str, ...],
    totals: type[TotalModel],
) -> None:
    """Replace a tally table's rows, and its totals, by counts recomputed from the counted rows
    themselves."""
    model.objects.all().delete()
    totals.objects.all().delete()
    total: Counter = Counter()
    for row_key, n in counts:
        total[row_key] += n
    add(model, total, key=key, totals=totals)


def compare(counted: dict, totals: dict, hourly: dict, figures) -> dict:
    """Where the running totals or the hourly sums differ from a count of the rows:
    bureau -> figure -> (total, hourly sum, count)."""
    result: dict = {}
    for bureau_id in set(counted) | set(totals) | set(hourly):
        for figure in figures:
            found = tuple(
                source.get(bureau_id, {}).get(figure, 0) for source in (totals, hourly, counted)
            )
            if len(set(found)) > 1:
                result.setdefault(bureau_id, {})[figure] = found
    return result
