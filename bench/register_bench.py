"""The register's writes at scale: the import of a 50 000-row file (parse + validate + write)
against a plain COPY of the same rows, the fastest PostgreSQL can take them (alternated, best of
IMPORT_ROUNDS), and the record's one writer (`save_record`)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterable, Sequence
from typing import Any

from common import log, vacuum_analyze
from django.db import connection, transaction
from django.utils import timezone

from practitioners import bulk, imports, registerfile
from practitioners.demo import demo_people
from practitioners.models import Practitioner

IMPORT_ROWS = 50_000
# Import and COPY alternate this many times; the best time of each counts. The CPU may be
# shared (2 cores, PostgreSQL included), and the best run is the one least disturbed.
IMPORT_ROUNDS = 3
# Demo person numbers far beyond any BENCH_N, so the imported people are all new.
# practitioners/demo.py derives ID numbers bijectively from the number (below 14.6 million)
# and certificate numbers embed it, so neither can collide with the seeded register.
IMPORT_START = 5_000_000
SAVE_RECORDS = 300


def import_records(bureau_codes: list[str]) -> list[dict[str, Any]]:
    return list(demo_people(IMPORT_START, IMPORT_START + IMPORT_ROWS, bureau_codes))


def delete_people(id_numbers: Sequence[str]) -> int:
    """Remove the benchmark's own rows. Raw SQL: nothing references them, and the ORM's
    collector would load 50 000 objects first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Practitioner._meta.db_table} WHERE id_number = ANY(%s)",
            [list(id_numbers)],
        )
        deleted = cursor.rowcount
    vacuum_analyze(Practitioner._meta.db_table)
    return deleted


def measure_import(data: bytes, expected_rows: int) -> float:
    """Seconds for imports.import_register on the file (parse + validate + write)."""
    started = time.perf_counter()
    result = imports.import_register(actor=None, data=data, filename="bench-import.csv")
    elapsed = time.perf_counter() - started
    assert result.ok, f"import found problems: {result.problems[:5]}"
    assert result.written and result.created == expected_rows, (
        f"import created {result.created:,} of {expected_rows:,}"
    )
    return elapsed


def measure_save_record() -> dict[str, Any]:
    """save_record_ms: the record's one writer (practitioners.records.save_record), each call in
    its own transaction with the row lock, the audit event and the tallies: a person's
    accounting post turned on and off again (two writes, which leave the register as it was)."""
    from practitioners import records  # not at the top: `records` names the rows elsewhere
    from practitioners.constants import AuditAction

    log(f"the record's one writer: {SAVE_RECORDS * 2} save_record calls on random people")
    rng = random.Random(9)
    top = Practitioner.objects.order_by("-id").values_list("id", flat=True).first()
    times: list[float] = []
    for _ in range(SAVE_RECORDS):
        pk = rng.randint(1, top)
        for _turn in range(2):
            started = time.perf_counter()
            with transaction.atomic():
                record = records.locked(pk, related=["bureau"])
                records.save_record(
                    record,
                    {"in_accounting_post": not record.in_accounting_post},
                    actor=None,
                    action=AuditAction.UPDATED,
                    source="bench",
                )
            times.append((time.perf_counter() - started) * 1000)
    return {
        "save_record_p50_ms": round(statistics.median(times), 2),
        "save_record_p95_ms": round(_percentile(times, 0.95), 2),
        "save_record_writes": len(times),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def copy_tuples(records: Iterable[dict[str, Any]], bureau_ids: dict[str, int]) -> list[tuple]:
    """The records as rows in bulk.COLUMNS order, ready for COPY (built before timing).

    Choice values are TextChoices members; they are str subclasses, which psycopg dumps as
    their value ("M"), so they need no conversion.
    """
    now = timezone.now()
    extra = {
        "account_id": None,
        "confirmed_at": None,
        "pending_since": None,
        "created_at": now,
        "updated_at": now,
    }
    return [
        tuple((record | extra)[column] for column in bulk.COLUMNS)
        for record in (r | {"bureau_id": bureau_ids[r["bureau_code"]]} for r in records)
    ]


def measure_copy(rows: list[tuple]) -> float:
    """Seconds for one COPY of the rows into the practitioners table, commit included."""
    statement = f"COPY {Practitioner._meta.db_table} ({', '.join(bulk.COLUMNS)}) FROM STDIN"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    return time.perf_counter() - started


def measure_import_against_copy(
    records: list[dict[str, Any]], bureau_ids: dict[str, int]
) -> dict[str, Any]:
    """The records imported as a CSV file, then COPied, IMPORT_ROUNDS times in turn (each
    time removed again); the best round of each counts."""
    id_numbers = [r["id_number"] for r in records]
    data = "".join(registerfile.iter_csv(records)).encode("utf-8")
    rows = copy_tuples(records, bureau_ids)
    import_times: list[float] = []
    copy_times: list[float] = []
    try:
        for round_number in range(1, IMPORT_ROUNDS + 1):
            log(
                f"round {round_number}/{IMPORT_ROUNDS}: import_register of {IMPORT_ROWS:,} rows "
                f"({len(data) / 1e6:.1f} MB CSV), then COPY of the same rows"
            )
            import_times.append(measure_import(data, IMPORT_ROWS))
            assert delete_people(id_numbers) == IMPORT_ROWS
            copy_times.append(measure_copy(rows))
            assert delete_people(id_numbers) == IMPORT_ROWS
    finally:
        delete_people(id_numbers)  # no-op unless a step above failed half-way

    import_rate = IMPORT_ROWS / min(import_times)
    copy_rate = IMPORT_ROWS / min(copy_times)
    return {
        "import_rows": IMPORT_ROWS,
        "import_rounds": IMPORT_ROUNDS,
        "import_seconds": [round(t, 3) for t in import_times],
        "import_rows_per_s": round(import_rate),  # best round
        "copy_seconds": [round(t, 3) for t in copy_times],
        "copy_rows_per_s": round(copy_rate),  # best round
        "import_vs_copy": round(import_rate / copy_rate, 3),
    }
