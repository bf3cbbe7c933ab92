"""Bulk work on the register: inserts by PostgreSQL COPY (bulk_create elsewhere), and lookups
of many numbers at once (one `= ANY(array)` query on PostgreSQL, chunked `IN` elsewhere)."""

import operator
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Lookup
from django.utils import timezone

from practitioners.constants import AbacusLevel, IdType, TitleLevel
from practitioners.models import Practitioner

_FIELDS = [f for f in Practitioner._meta.concrete_fields if not f.primary_key]
COLUMNS = [f.column for f in _FIELDS]
_DEFAULTS: dict[str, Any] = {
    "account_id": None,
    "gender": "",
    "ethnicity": "",
    "birth_date": None,
    "id_type": IdType.RESIDENT_ID,
    "cert_issue_date": None,
    "education": "",
    "major": "",
    "school": "",
    "graduation_date": None,
    "title_level": TitleLevel.NONE,
    "title_cert_number": "",
    "title_date": None,
    "abacus_level": AbacusLevel.NONE,
    "has_computing_cert": False,
    "employer": "",
    "employer_credit_code": "",
    "position": "",
    "in_accounting_post": False,
    "mobile": "",
    "email": "",
    "address": "",
    "postcode": "",
    "confirmed_at": None,
    "pending_since": None,
}
assert set(_DEFAULTS) | {
    "bureau_id",
    "name",
    "id_number",
    "cert_number",
    "created_at",
    "updated_at",
} == {f.attname for f in _FIELDS}, "bulk.py must know every Practitioner column"


def _tuples(records: Iterable[dict[str, Any]]) -> Iterable[tuple]:
    # Choice values are str subclasses: psycopg and bulk_create write them as their value.
    now = timezone.now()
    row = operator.itemgetter(*[f.attname for f in _FIELDS])
    base = dict(_DEFAULTS, created_at=now, updated_at=now)
    for record in records:
        yield row(base | record)


def insert_practitioners(
    records: Iterable[dict[str, Any]], *, ignore_conflicts: bool = False
) -> int:
    """Insert records (attname -> value); with ignore_conflicts, rows whose ID or certificate
    number exists already are left out. Returns the number of rows inserted."""
    table = Practitioner._meta.db_table
    if connection.vendor == "postgresql":
        cols = ", ".join(COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            pg = cursor.cursor
            target = table
            if ignore_conflicts:
                target = "practitioner_incoming"
                cursor.execute(
                    f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA"
                )
            with pg.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
                count = 0
                for row in _tuples(records):
                    copy.write_row(row)
                    count += 1
            if ignore_conflicts:
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} ON CONFLICT DO NOTHING"
                )
                count = cursor.rowcount
                cursor.execute(f"DROP TABLE {target}")
        return count
    names = [f.attname for f in _FIELDS]
    objs = [Practitioner(**dict(zip(names, row, strict=True))) for row in _tuples(records)]
    before = Practitioner.objects.count() if ignore_conflicts else 0
    Practitioner.objects.bulk_create(objs, batch_size=500, ignore_conflicts=ignore_conflicts)
    return Practitioner.objects.count() - before if ignore_conflicts else len(objs)


@CharField.register_lookup
class AnyOf(Lookup):
    """`field__any_of=[...]`: PostgreSQL's `field = ANY(%s)` with the list as one array
    parameter. A 50 000-number IN list costs the client far more than the query."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


_IN_CHUNK = 2000


def matching(field: str, values: list[str], *columns: str) -> Iterator[dict[str, Any]]:
    """Rows (as dicts of `columns`) whose `field` is one of `values`."""
    if connection.vendor == "postgresql":
        # Not .iterator(): with a server-side cursor PostgreSQL plans for the first rows and
        # checks the array against every row (ten times slower at a million practitioners).
        yield from Practitioner.objects.filter(**{f"{field}__any_of": values}).values(*columns)
        return
    for start in range(0, len(values), _IN_CHUNK):
        yield from Practitioner.objects.filter(
            **{f"{field}__in": values[start : start + _IN_CHUNK]}
        ).values(*columns)
