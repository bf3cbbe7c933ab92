"""Counts kept as hourly changes ("tallies"), for the weekly progress figures.

The city's dashboard and every weekly sheet need, per bureau, how many people are in each
state as of a moment: now, or a week's cut-off. Counting a million rows for that grows with the
register; a tally row holds the change of one count during one hour, so a figure as of any whole
hour is the sum of a few hundred rows, whatever the size of the register. The services that
change a counted state add to the tallies in the same transaction; `rebuild` functions in the
apps recompute them from the rows themselves (after a bulk load), and tests check the two agree.

Hours are UTC hours. A sheet's cut-off falls on a whole hour of the campaign's time zone, which
is a whole UTC hour for Asia/Shanghai (and any zone with a whole-hour offset).
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection, models

UTC = datetime.UTC


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    """The start of the UTC hour a moment falls in: the tally row an event counts in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class TallyModel(models.Model):
    """A tally table: its key fields (TALLY_KEY, ending with `hour`) are unique together."""

    TALLY_KEY: tuple[str, ...] = ()

    hour = models.DateTimeField()
    delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


def add(
    model: type[TallyModel], deltas: Mapping[tuple, int], *, key: tuple[str, ...] | None = None
) -> None:
    """Add each delta to the row of its key (a tuple in TALLY_KEY's order), creating rows that
    are missing: one INSERT … ON CONFLICT DO UPDATE, which PostgreSQL and SQLite both speak.
    Rows are written in key order, so two transactions never wait for each other in a circle."""
    rows = [(*key, delta) for key, delta in sorted(deltas.items()) if delta]
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in key or model.TALLY_KEY]
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    width = len(fields) + 1
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params = []
        for row in chunk:
            for field, value in zip(fields, row, strict=False):
                params.append(field.get_db_prep_value(value, connection))
            params.append(row[-1])
        values = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in chunk)
        sql = (
            f"INSERT INTO {table} ({columns}, {quote('delta')}) VALUES {values} "
            f"ON CONFLICT ({columns}) DO UPDATE SET "
            f"{quote('delta')} = {table}.{quote('delta')} + EXCLUDED.{quote('delta')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def replace_all(
    model: type[TallyModel], counts: Iterable[tuple[tuple, int]], *, key: tuple[str, ...]
) -> None:
    """Replace a tally table's rows by counts recomputed from the counted rows themselves
    (`model` may be a migration's historical model, hence the key given)."""
    model.objects.all().delete()
    total: Counter = Counter()
    for row_key, n in counts:
        total[row_key] += n
    add(model, total, key=key)
