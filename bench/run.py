"""`make bench`: seed PostgreSQL with BENCH_N practitioners and measure what matters at scale.

1. Staff search by full ID number, through the real view (middleware, permissions, template),
   at BENCH_N and at BENCH_N/10: latency percentiles, queries per request, growth with size.
2. Import of a 50 000-row register file (parse + validate + write) against a plain COPY of
   the same rows, the fastest PostgreSQL can take them; alternated, best of IMPORT_ROUNDS.
   And what the largest files an import admits cost in memory and time (a child process each).
3. The counter's queue and review pages, and confirmations by two processes (counter_bench).
4. The application form: rendering, and downloading a kept one (pdf_bench).
5. A real login POST, with the production password hasher.
6. Over HTTP: the lookup page against a trivial view, on a real server under wrk (http_bench).

Results go to bench/results.json and bench/results.md (a Markdown table; the README links it
and quotes the main figures).

BENCH_N/10 lives in a second database, `<name>_small`. The view reads the `default`
connection, so rather than rewiring django.db.connections inside one process, child
processes of this script get DATABASE_URL pointed at one database each: `--prepare-only`
seeds `<name>_small`, and two `--serve-lookups` workers (one per size, fresh processes
under the same conditions) measure the lookup in alternating blocks, so that other work
on the machine during the run hits both sizes alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench \
    DJANGO_SETTINGS_MODULE=accounting_registry.settings.bench BENCH_N=100000 \
    .venv/bin/python bench/run.py
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))  # counter_bench, pdf_bench
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.bench")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry_bench")
# WhiteNoise warns once per process that collectstatic has not run; irrelevant here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

import counter_bench  # noqa: E402
import http_bench  # noqa: E402
import pdf_bench  # noqa: E402
import reporting_bench  # noqa: E402
import seeding  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from practitioners import bulk, registerfile, services  # noqa: E402
from practitioners.constants import Role  # noqa: E402
from practitioners.demo import demo_people  # noqa: E402
from practitioners.models import AuditEvent, Bureau, Practitioner, User  # noqa: E402

LOOKUP_REQUESTS = 300
LOOKUP_WARMUP = 30
LOOKUP_BLOCK = 10  # requests per turn when the two sizes alternate
LOOKUP_SEED = 20_260_101  # same sample of people on every run
IMPORT_ROWS = 50_000
# Import and COPY alternate this many times; the best time of each counts. The CPU may be
# shared (2 cores, PostgreSQL included), and the best run is the one least disturbed.
IMPORT_ROUNDS = 3
# Demo person numbers far beyond any BENCH_N, so the imported people are all new. demo.py
# derives ID numbers bijectively from the number (below 14.6 million) and certificate
# numbers embed it, so neither can collide with the seeded register.
IMPORT_START = 5_000_000
CITY_USERNAME = "city"  # created by bench/seeding.py: city_staff of bureau 450100

TARGETS: dict[str, str] = {
    "lookup_p95_ms": "< 20 ms",
    "lookup_p95_ms_small": "< 20 ms",
    "lookup_growth": "< 1.5",
    "lookup_queries": "fixed per request",
    "import_vs_copy": ">= 0.25",
    "queue_p95_ms": "< 50 ms, fixed queries",
    "review_p95_ms": "< 50 ms, fixed queries",
    "confirm_safe": "unique numbers, none lost",
    "pdf_download_p95_ms": "< 20 ms",
    "pdf_kb": "< 400 KB",
    "login_p95_ms": "< 100 ms",
    "import_memory_mb": "< 300 MB above the baseline",
    "progress_all_ms": "p95 < 100 ms, fixed queries",
    "progress_growth": "< 3",
    "bulletin_p95_ms": "< 50 ms, fixed queries",
    "http_lookup_ratio": ">= 0.4",
}
LOGINS = 150


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Databases ---------------------------------------------------------------------------


def small_database_url(url: str) -> str:
    """The same server and credentials, database `<name>_small`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_small"))


def migrations_fingerprint() -> str:
    """A hash of the project's migration files.

    Migrations may still be rewritten in place while the project is young; a bench database
    migrated from older files would be measured with a different schema (and indexes).
    """
    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_relative_to(ROOT) or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return "bench migrations " + digest.hexdigest()[:16]


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database when missing, and again when its migrations changed (or `fresh`).

    The migrations fingerprint is kept as the database's COMMENT. This talks to the server's
    `postgres` maintenance database, before Django connects to the bench database.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
    fingerprint = migrations_fingerprint()
    ident = sql.Identifier(name)
    # CREATE/DROP DATABASE cannot run inside a transaction block: autocommit.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] == fingerprint and not fresh:
            return
        if row is not None:
            why = "--fresh" if fresh else "migrations changed since it was seeded"
            log(f"dropping database {name} ({why})")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
        log(f"creating database {name}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(fingerprint))
        )


def vacuum_analyze(table: str | None = None) -> None:
    # Django runs in autocommit outside atomic(), which VACUUM requires.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if table else "VACUUM ANALYZE")


def prepare_database(n: int) -> None:
    """Migrate and load exactly n demo practitioners in bulk (bench/seeding.py: the demo itself
    is told through the services, far too slowly for a million); the counter's applications
    are loaded by counter_bench."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/run.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    log(f"{connection.settings_dict['NAME']}: migrate")
    call_command("migrate", interactive=False, verbosity=0)
    if Practitioner.objects.count() == n and User.objects.filter(username=CITY_USERNAME).exists():
        # Seeded by an earlier run with these migrations (ensure_database): seeding would only
        # walk the million people again to find nothing missing.
        log(f"{connection.settings_dict['NAME']}: already seeded with {n:,} practitioners")
        vacuum_analyze()
        return
    log(f"{connection.settings_dict['NAME']}: bulk seeding of {n:,} practitioners")
    seeding.seed(practitioners=n, applications=0, log=log)
    count = Practitioner.objects.count()
    if count != n:
        # Left over from a larger BENCH_N or an interrupted import: start the register afresh,
        # since the lookup must be measured at exactly n rows.
        log(f"register holds {count:,} rows, not {n:,}: truncating and seeding again")
        tables = ", ".join((Practitioner._meta.db_table, AuditEvent._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        seeding.seed(practitioners=n, applications=0, log=log)
        count = Practitioner.objects.count()
        assert count == n, f"seeding left {count:,} practitioners, expected {n:,}"
    vacuum_analyze()


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- Lookup ------------------------------------------------------------------------------


@dataclass
class LookupSamples:
    """Measured requests (after warm-up) of one lookup run."""

    timings_ms: list[float]
    queries: list[int]  # per request
    sql: list[str]  # the queries of the first measured request, to read when counts change

    def __add__(self, other: LookupSamples) -> LookupSamples:
        return LookupSamples(
            self.timings_ms + other.timings_ms, self.queries + other.queries, self.sql or other.sql
        )

    def summary(self) -> dict[str, float | int]:
        assert min(self.queries) == max(self.queries), (
            f"queries per lookup vary: {min(self.queries)}..{max(self.queries)}"
        )
        return {
            "p50_ms": round(statistics.median(self.timings_ms), 2),
            # Inclusive: the 95th percentile interpolated between observed samples.
            "p95_ms": round(statistics.quantiles(self.timings_ms, n=20, method="inclusive")[-1], 2),
            "max_ms": round(max(self.timings_ms), 2),
            "queries": max(self.queries),
            "requests": len(self.timings_ms),
        }


_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.DOTALL)


def _rows_shown(html: str) -> str:
    match = _TBODY.search(html)
    return match.group(1) if match else ""


Person = tuple[int, str]  # (pk, ID number)


def lookup_sample(k: int) -> list[Person]:
    """k random existing people, the same on every run."""
    people = list(Practitioner.objects.order_by("pk").values_list("pk", "id_number"))
    rng = random.Random(LOOKUP_SEED)
    if len(people) >= k:
        return rng.sample(people, k)
    return rng.choices(people, k=k)  # a tiny trial register: with replacement


class LookupClient:
    """The real view through django.test.Client, logged in as the city staff user."""

    def __init__(self) -> None:
        user = User.objects.select_related("bureau").get(username=CITY_USERNAME)
        assert user.role == Role.CITY_STAFF and user.bureau.code == "450100", "unexpected user"
        self.client = Client()
        self.client.force_login(user)
        self.url = reverse("practitioners:list")

    def run(self, people: list[Person]) -> LookupSamples:
        """GET /register/?q=<full ID number> for each person: timed, queries counted, and
        checked to show exactly that one person."""
        samples = LookupSamples([], [], [])
        for pk, id_number in people:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = self.client.get(self.url, {"q": id_number})
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, f"{id_number}: HTTP {response.status_code}"
            rows = _rows_shown(response.content.decode())
            shown = rows.count("<tr")
            assert shown == 1, f"{id_number}: {shown} rows shown, expected 1"
            assert reverse("practitioners:detail", args=[pk]) in rows, f"{id_number}: wrong person"
            samples.timings_ms.append(elapsed * 1000)
            samples.queries.append(len(queries))
            if not samples.sql:
                samples.sql = [q["sql"] for q in queries.captured_queries]
        return samples


def serve_lookups() -> None:
    """Child process (--serve-lookups) on one database: warm up, say "ready", then for each
    line "<count>" on stdin measure the next count people and answer with one JSON line."""
    protocol, sys.stdout = sys.stdout, sys.stderr  # stray prints must not break the protocol
    people = lookup_sample(LOOKUP_WARMUP + LOOKUP_REQUESTS)
    client = LookupClient()
    client.run(people[:LOOKUP_WARMUP])  # checked, not recorded
    print("ready", file=protocol, flush=True)
    position = LOOKUP_WARMUP
    for line in sys.stdin:
        count = int(line)
        samples = client.run(people[position : position + count])
        position += count
        print(json.dumps(asdict(samples)), file=protocol, flush=True)


class LookupWorker:
    """Parent side of a --serve-lookups child process."""

    def __init__(self, url: str, n: int) -> None:
        env = os.environ | {"DATABASE_URL": url, "BENCH_N": str(n)}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-lookups"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._read_line(expect="ready")

    def _read_line(self, expect: str | None = None) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line or (expect is not None and line != expect):
            code = self.process.wait(timeout=60)
            raise RuntimeError(f"lookup worker failed (exit {code}); see its output above")
        return line

    def measure(self, count: int) -> LookupSamples:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        return LookupSamples(**json.loads(self._read_line()))

    def close(self) -> int:
        """End the worker (EOF on its stdin); returns its exit code."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        return self.process.wait(timeout=60)


def measure_lookups(n: int, n_small: int) -> tuple[LookupSamples, LookupSamples]:
    """The lookup at N and at N/10, each in its own fresh process (the same conditions for
    both), interleaved in blocks of LOOKUP_BLOCK requests so that a burst of other work on
    the machine hits both sizes alike. Only one process runs at a time."""
    url = os.environ["DATABASE_URL"]
    workers: dict[str, LookupWorker] = {}
    results = {name: LookupSamples([], [], []) for name in ("large", "small")}
    try:
        workers["large"] = LookupWorker(url, n)
        workers["small"] = LookupWorker(small_database_url(url), n_small)
        for block in range(LOOKUP_REQUESTS // LOOKUP_BLOCK):
            # A-B then B-A: neither size always goes first.
            for name in ("large", "small") if block % 2 == 0 else ("small", "large"):
                results[name] += workers[name].measure(LOOKUP_BLOCK)
    finally:
        codes = {name: worker.close() for name, worker in workers.items()}
    if any(codes.values()):
        raise RuntimeError(f"lookup workers exited with {codes}")
    return results["large"], results["small"]


def measure_progress_in_child(url: str) -> dict[str, Any]:
    """reporting_bench.measure_progress on one database, in a fresh process."""
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-progress"],
        env=os.environ | {"DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def prepare_small(n_small: int) -> None:
    """Migrate and seed `<name>_small` in a child process (Django talks to one database here)."""
    env = os.environ | {
        "DATABASE_URL": small_database_url(os.environ["DATABASE_URL"]),
        "BENCH_N": str(n_small),
    }
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prepare-only"], env=env, check=True
    )


# --- Import and COPY ---------------------------------------------------------------------


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
    """Seconds for services.import_register on the file (parse + validate + write)."""
    started = time.perf_counter()
    result = services.import_register(actor=None, data=data, filename="bench-import.csv")
    elapsed = time.perf_counter() - started
    assert result.ok, f"import found problems: {result.problems[:5]}"
    assert result.written and result.created == expected_rows, (
        f"import created {result.created:,} of {expected_rows:,}"
    )
    return elapsed


SAVE_RECORDS = 300


def measure_save_record() -> dict[str, Any]:
    """save_record_ms: the record's one writer (practitioners.records.save_record), each call in
    its own transaction with the row lock, the audit event and the tallies: a person's
    accounting post turned on and off again (two writes, which leave the register as it was)."""
    from django.db import transaction

    from practitioners import records
    from practitioners.constants import AuditAction

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


# --- Login -------------------------------------------------------------------------------


def measure_logins(users: list[User]) -> dict[str, Any]:
    """A real login POST (form, authentication backend with its limits, Argon2id, session),
    for practitioners logging in with their ID number; each user once before (a hash made
    with older parameters is re-made at the first login)."""
    from practitioners.demo import DEMO_PASSWORD

    url = reverse("login")

    def log_in(user: User) -> float:
        client = Client()
        started = time.perf_counter()
        response = client.post(url, {"username": user.username, "password": DEMO_PASSWORD})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, f"login of {user.username}: {response.status_code}"
        return elapsed

    for user in users:
        log_in(user)
    timings = [log_in(users[index % len(users)]) for index in range(LOGINS)]
    hasher = User.objects.get(pk=users[0].pk).password.split("$")
    p50 = round(statistics.median(timings), 1)
    p95 = round(statistics.quantiles(timings, n=20, method="inclusive")[-1], 1)
    return {
        "login_ms": {"p50": p50, "p95": p95},
        "login_p50_ms": p50,
        "login_p95_ms": p95,
        "login_hash": "$".join(hasher[:4]),  # algorithm, variant, version, parameters
        "logins": len(timings),
    }


# --- What the largest admitted files cost ------------------------------------------------


def import_files(records: list[dict[str, Any]], folder: Path) -> dict[str, Path]:
    """The largest files an import admits: the 50 000-row register as CSV and as a workbook,
    50 000 rows that are all wrong (three problems each), and the densest workbook the checks
    let through (50 000 rows of 39 cells, just under the cell and unpacked-size limits)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "csv": folder / "valid.csv",
        "xlsx": folder / "valid.xlsx",
        "invalid": folder / "invalid.csv",
        "dense": folder / "dense.xlsx",
    }
    files["csv"].write_bytes("".join(registerfile.iter_csv(records)).encode("utf-8"))
    with files["xlsx"].open("wb") as out:
        registerfile.write_xlsx(records, out)
    broken = [
        r | {"mobile": "12345", "email": "not-an-email", "birth_date": datetime.date(1901, 1, 1)}
        for r in records
    ]
    files["invalid"].write_bytes("".join(registerfile.iter_csv(broken)).encode("utf-8"))
    dense_workbook(files["xlsx"], files["dense"], rows=len(records), columns=39)
    return files


def dense_workbook(template: Path, path: Path, *, rows: int, columns: int) -> None:
    """The template workbook with its sheet replaced by `rows` rows of `columns` short cells."""

    def letters(number: int) -> str:
        text = ""
        while number:
            number, rest = divmod(number - 1, 26)
            text = chr(65 + rest) + text
        return text

    headers = list(registerfile.HEADERS) + [f"备注{n}" for n in range(columns - 26)]
    source = zipfile.ZipFile(template)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, source.read(info))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for row in range(1, rows + 2):
                cells = "".join(
                    f'<c r="{letters(n + 1)}{row}" t="inlineStr"><is><t>'
                    f"{headers[n] if row == 1 else '会计从业'}</t></is></c>"
                    for n in range(columns)
                )
                sheet.write(f'<row r="{row}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


def measure_import_memory(files: dict[str, Path]) -> dict[str, Any]:
    """Each file imported (checked, not written) in a fresh child process: seconds, and the
    peak resident memory above the process's baseline (Django and the libraries loaded)."""
    results = {}
    for name, path in files.items():
        completed = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--import-memory", str(path)],
            env=os.environ.copy(),
            check=True,
            capture_output=True,
            text=True,
        )
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        results[name] = report | {"mb": round(path.stat().st_size / 1e6, 1)}
    return {
        "import_memory": results,
        "import_memory_mb": max(r["peak_growth_mb"] for r in results.values()),
    }


def import_memory_child(path: str) -> None:
    """Child process (--import-memory FILE): one dry-run import, measured."""
    # The baseline is a serving process: the libraries an import loads, and the division list
    # the ID rules read (loaded once per process), are in it.
    import python_calamine  # noqa: F401

    from practitioners.idnumbers import check_id_number

    check_id_number("450103199001013428")
    data = Path(path).read_bytes()
    baseline = pdf_bench._current_rss_mb()
    started = time.perf_counter()
    result = services.import_register(actor=None, data=data, filename=Path(path).name, dry_run=True)
    elapsed = time.perf_counter() - started
    peak = pdf_bench._peak_rss_mb()
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "peak_growth_mb": round(peak - baseline, 1),
                "rows": result.total_rows,
                "problems": result.problems.count,
            }
        )
    )


# --- Report ------------------------------------------------------------------------------


def _met(results: dict[str, Any]) -> dict[str, bool]:
    return {
        "lookup_p95_ms": results["lookup_p95_ms"] < 20,
        "lookup_p95_ms_small": results["lookup_p95_ms_small"] < 20,
        "lookup_growth": results["lookup_growth"] < 1.5,
        "lookup_queries": results["lookup_queries_fixed"],
        "import_vs_copy": results["import_vs_copy"] >= 0.25,
        "queue_p95_ms": results["queue_p95_ms"] < 50 and results["queue_queries_constant"],
        "review_p95_ms": results["review_p95_ms"] < 50 and results["review_queries_constant"],
        "confirm_safe": results["archive_numbers_unique"] and results["confirm_lost"] == 0,
        "pdf_download_p95_ms": results["pdf_download_p95_ms"] < 20,
        "pdf_kb": results["pdf_kb"] < 400,
        "login_p95_ms": results["login_p95_ms"] < 100,
        "import_memory_mb": results["import_memory_mb"] < 300,
        "progress_all_ms": results["progress_all_p95_ms"] < 100
        and results["progress_queries_constant"],
        "progress_growth": results["progress_growth"] < 3,
        "bulletin_p95_ms": results["bulletin_p95_ms"] < 50 and results["bulletin_queries_constant"],
        "http_lookup_ratio": results["http_lookup_ratio"] >= 0.4
        and results["http_bad_responses"] == 0,
    }


def markdown_table(results: dict[str, Any]) -> str:
    met = results["targets_met"]
    n, n_small = results["bench_n"], results["bench_n_small"]

    def target(key: str) -> str:
        return f"{TARGETS[key]} ({'met' if met[key] else '**missed**'})" if key in TARGETS else ""

    lines = [
        "| metric | value | target |",
        "|---|---|---|",
        f"| lookup p50 (N={n:,}) | {results['lookup_p50_ms']:.1f} ms | |",
        f"| lookup p95 (N={n:,}) | {results['lookup_p95_ms']:.1f} ms | {target('lookup_p95_ms')} |",
        f"| lookup p50 (N={n_small:,}) | {results['lookup_p50_ms_small']:.1f} ms | |",
        f"| lookup p95 (N={n_small:,}) | {results['lookup_p95_ms_small']:.1f} ms "
        f"| {target('lookup_p95_ms_small')} |",
        f"| lookup growth p50(N) / p50(N/10) | {results['lookup_growth']:.2f} "
        f"| {target('lookup_growth')} |",
        f"| queries per lookup (N / N/10) | {results['lookup_queries']} / "
        f"{results['lookup_queries_small']} | {target('lookup_queries')} |",
        f"| import ({results['import_rows']:,} rows CSV, parse+validate+write; "
        f"best of {results['import_rounds']}) | {results['import_rows_per_s']:,.0f} rows/s | |",
        f"| COPY (same rows; best of {results['import_rounds']}) "
        f"| {results['copy_rows_per_s']:,.0f} rows/s | |",
        f"| import / COPY | {results['import_vs_copy']:.2f} | {target('import_vs_copy')} |",
        f"| the record's one writer, save_record p50 / p95 (lock, write, tallies, audit; "
        f"{results['save_record_writes']} writes) | {results['save_record_p50_ms']:.1f} / "
        f"{results['save_record_p95_ms']:.1f} ms | |",
        f"| counter queue p50 / p95 ({results['submitted_applications']:,} submitted; "
        f"{results['queue_queries']} queries) | {results['queue_p50_ms']:.1f} / {results['queue_p95_ms']:.1f} ms "
        f"| {target('queue_p95_ms')} |",
        f"| counter review p50 / p95 ({results['review_queries']} queries) "
        f"| {results['review_p50_ms']:.1f} / {results['review_p95_ms']:.1f} ms | {target('review_p95_ms')} |",
        f"| confirmations by 2 concurrent processes | {results['confirm_per_s']:.1f} /s "
        f"({results['confirm_recorded']} of {results['confirm_total']}, archive numbers unique: "
        f"{'yes' if results['archive_numbers_unique'] else 'NO'}) | {target('confirm_safe')} |",
        f"| application form rendered, median / p90 ({results['pdf_forms']} different forms; "
        f"once per submission, in the background) | {results['pdf_render_ms']:.0f} / "
        f"{results['pdf_render_p90_ms']:.0f} ms | |",
        f"| application form download p50 / p95 (a kept form, through the view) "
        f"| {results['pdf_download_p50_ms']:.1f} / {results['pdf_download_p95_ms']:.1f} ms "
        f"| {target('pdf_download_p95_ms')} |",
        f"| PDF size | {results['pdf_kb']:.0f} KB | {target('pdf_kb')} |",
        f"| PDF peak memory / growth over the batch | {results['pdf_peak_mb']:.0f} MB / "
        f"{results['pdf_mem_growth_mb']:+.1f} MB | flat |",
        f"| login POST p50 / p95 ({results['login_hash']}) | {results['login_p50_ms']:.0f} / "
        f"{results['login_p95_ms']:.0f} ms | {target('login_p95_ms')} |",
        *[
            f"| import of the largest admitted file: {name} ({r['mb']} MB, {r['rows']:,} rows, "
            f"{r['problems']:,} problems; checked) | {r['seconds']:.1f} s, "
            f"+{r['peak_growth_mb']:.0f} MB | "
            + (target("import_memory_mb") if name == "dense" else "")
            + " |"
            for name, r in results["import_memory"].items()
        ],
        f"| city dashboard's live figures of all 13 bureaus, p50 / p95 (N={n:,}; "
        f"{results['progress_queries']} queries, {results['progress_tally_rows']:,} tally rows) "
        f"| {results['progress_all_p50_ms']:.1f} / {results['progress_all_p95_ms']:.1f} ms "
        f"| {target('progress_all_ms')} |",
        f"| the same at N={n_small:,} | {results['progress_all_p50_ms_small']:.1f} / "
        f"{results['progress_all_p95_ms_small']:.1f} ms | |",
        f"| its growth p95(N) / p95(N/10) | {results['progress_growth']:.2f} "
        f"| {target('progress_growth')} |",
        f"| public bulletin page p50 / p95 ({results['bulletin_queries']} queries, "
        f"{results['bulletin_kb']:.0f} KB with its two charts) | {results['bulletin_p50_ms']:.1f} / "
        f"{results['bulletin_p95_ms']:.1f} ms | {target('bulletin_p95_ms')} |",
        f"| `http_rps_bare`: a trivial view over HTTP ({results['http_setup']}) "
        f"| {results['http_rps_bare']:,} req/s | |",
        f"| `http_rps_lookup`: the lookup page over HTTP, a county clerk, a different person "
        f"each time (p50 / p99 {results['http_lookup_p50_ms']:.1f} / "
        f"{results['http_lookup_p99_ms']:.1f} ms) | {results['http_rps_lookup']:,} req/s | |",
        f"| lookup / bare ({results['http_bad_responses']} failed responses) "
        f"| {results['http_lookup_ratio']:.2f} | {target('http_lookup_ratio')} |",
    ]
    return "\n".join(lines) + "\n"


def write_report(results: dict[str, Any]) -> str:
    table = markdown_table(results)
    (BENCH_DIR / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    )
    caption = (
        f"`make bench`, {results['date']}: BENCH_N={results['bench_n']:,}, "
        f"{results['cpu_count']} CPUs, Python {results['python']}, Django {results['django']}, "
        f"PostgreSQL {results['postgresql']}.\n\n"
    )
    (BENCH_DIR / "results.md").write_text(caption + table)
    return table


# --- Main --------------------------------------------------------------------------------


def bench_n() -> int:
    raw = os.environ.get("BENCH_N", "100000")
    try:
        n = int(raw)
    except ValueError:
        raise SystemExit(f"BENCH_N={raw!r} is not an integer") from None
    if not 1 <= n <= IMPORT_START:
        raise SystemExit(f"BENCH_N must be between 1 and {IMPORT_START:,}")
    return n


def run_all(n: int, *, strict: bool, fresh: bool) -> int:
    n_small = n // 10
    if n_small < 1:
        raise SystemExit("BENCH_N must be at least 10")
    load_before = os.getloadavg()
    ensure_database(os.environ["DATABASE_URL"], fresh=fresh)
    ensure_database(small_database_url(os.environ["DATABASE_URL"]), fresh=fresh)

    prepare_database(n)
    prepare_small(n_small)
    log(
        f"lookups at N = {n:,} and N/10 = {n_small:,}: {LOOKUP_WARMUP} warm-up + "
        f"{LOOKUP_REQUESTS} requests each, interleaved in blocks of {LOOKUP_BLOCK}"
    )
    large, small = measure_lookups(n, n_small)
    large_stats, small_stats = large.summary(), small.summary()

    bureau_ids = dict(Bureau.objects.values_list("code", "id"))
    records = import_records(sorted(bureau_ids))
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
    log(f"the record's one writer: {SAVE_RECORDS * 2} save_record calls on random people")
    save_record = measure_save_record()

    submitted_target = max(n // 10, 2 * counter_bench.CONFIRM_PER_WORKER * 13)
    log(
        f"counter: {submitted_target:,} submitted applications, queue and review pages, confirmations"
    )
    submitted = counter_bench.seed_submitted(submitted_target)
    from collection import tallies as application_tallies

    application_tallies.rebuild()  # the bulk seeding above bypassed the services
    vacuum_analyze()
    counter = counter_bench.measure_pages()
    confirms = counter_bench.measure_confirmations()

    log("application form: 50 different forms rendered, then kept ones downloaded")
    from collection.models import Submission

    submissions = list(
        Submission.objects.select_related(
            "application__practitioner__account",
            "application__bureau",
            "application__campaign",
            "photo",
        ).order_by("-id")[: pdf_bench.RENDERS]
    )
    pdf = pdf_bench.measure_pdf(submissions)
    log(f"logins: {LOGINS} real login POSTs")
    logins = measure_logins([s.application.practitioner.account for s in submissions])
    log("progress: the city dashboard's live figures at N and N/10 (a child process each)")
    progress = {
        name: measure_progress_in_child(url)
        for name, url in (
            ("large", os.environ["DATABASE_URL"]),
            ("small", small_database_url(os.environ["DATABASE_URL"])),
        )
    }
    log("progress: the public bulletin page")
    bulletin = reporting_bench.measure_bulletin()
    log("import of the largest admitted files, each in a child process")
    memory = measure_import_memory(import_files(records, BENCH_DIR / "out"))
    log(
        f"over HTTP: a trivial view and the lookup page, {http_bench.HTTP_ROUNDS} rounds of "
        f"{http_bench.HTTP_SECONDS} s each under wrk"
    )
    http = http_bench.measure_http()
    results: dict[str, Any] = {
        "bench_n": n,
        "bench_n_small": n_small,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "postgresql": server_version(),
        "cpu_count": os.cpu_count(),
        # Other work on the machine skews latencies: 1-minute load average before and after.
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "lookup_warmup": LOOKUP_WARMUP,
        "lookup_requests": large_stats["requests"],
        "lookup_p50_ms": large_stats["p50_ms"],
        "lookup_p95_ms": large_stats["p95_ms"],
        "lookup_max_ms": large_stats["max_ms"],
        "lookup_queries": large_stats["queries"],
        "lookup_requests_small": small_stats["requests"],
        "lookup_p50_ms_small": small_stats["p50_ms"],
        "lookup_p95_ms_small": small_stats["p95_ms"],
        "lookup_max_ms_small": small_stats["max_ms"],
        "lookup_queries_small": small_stats["queries"],
        # Fixed within each size (asserted in summary()) and the same at both sizes.
        "lookup_queries_fixed": large_stats["queries"] == small_stats["queries"],
        "lookup_growth": round(large_stats["p50_ms"] / small_stats["p50_ms"], 3),
        "lookup_sql": large.sql,
        "import_rows": IMPORT_ROWS,
        "import_rounds": IMPORT_ROUNDS,
        "import_seconds": [round(t, 3) for t in import_times],
        "import_rows_per_s": round(import_rate),  # best round
        "copy_seconds": [round(t, 3) for t in copy_times],
        "copy_rows_per_s": round(copy_rate),  # best round
        "import_vs_copy": round(import_rate / copy_rate, 3),
        **save_record,
        "submitted_applications": submitted,
        **counter,
        **confirms,
        **pdf,
        **logins,
        **memory,
        "progress_all_p50_ms": progress["large"]["p50_ms"],
        "progress_all_p95_ms": progress["large"]["p95_ms"],
        "progress_all_p50_ms_small": progress["small"]["p50_ms"],
        "progress_all_p95_ms_small": progress["small"]["p95_ms"],
        "progress_growth": round(progress["large"]["p95_ms"] / progress["small"]["p95_ms"], 3),
        "progress_queries": progress["large"]["queries"],
        "progress_queries_constant": progress["large"]["queries_constant"]
        and progress["small"]["queries_constant"]
        and progress["large"]["queries"] == progress["small"]["queries"],
        "progress_tally_rows": progress["large"]["tally_rows"],
        "progress_holders_shown": progress["large"]["holders_shown"],
        **bulletin,
        **http,
        "targets": TARGETS,
    }
    results["targets_met"] = _met(results)
    print(write_report(results), end="")
    missed = [key for key, ok in results["targets_met"].items() if not ok]
    if missed:
        print(f"\nTargets missed: {', '.join(missed)}")
    log(f"wrote {BENCH_DIR / 'results.json'} and {BENCH_DIR / 'results.md'}")
    return 1 if strict and missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate both bench databases first"
    )
    # Internal: child processes on one database (DATABASE_URL, BENCH_N from the parent).
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-lookups", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--import-memory", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--measure-progress", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_progress:
        reporting_bench.progress_child_main()
        return 0
    if args.import_memory:
        import_memory_child(args.import_memory)
        return 0
    n = bench_n()
    if args.prepare_only:
        prepare_database(n)
        return 0
    if args.serve_lookups:
        serve_lookups()
        return 0
    return run_all(n, strict=args.strict, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
