"""`make bench`: seed PostgreSQL with BENCH_N practitioners and measure what matters at scale.

1. Staff search by full ID number, through the real view (middleware, permissions, template),
   at BENCH_N and at BENCH_N/10: latency percentiles, queries per request, growth with size
   (lookup_bench).
2. Import of a 50 000-row register file (parse + validate + write) against a plain COPY of
   the same rows, the fastest PostgreSQL can take them; alternated, best of IMPORT_ROUNDS; and
   the record's one writer (register_bench). What the largest files an import admits cost in
   memory and time, a child process each (import_memory_bench).
3. The counter's queue and review pages, and confirmations by two processes (counter_bench).
4. The application form: rendering, and downloading a kept one (pdf_bench).
5. A real login POST, with the production password hasher (login_bench).
6. The city dashboard's live figures at both sizes and the public bulletin (reporting_bench).
7. Over HTTP: the lookup page against a trivial view, on a real server under wrk (http_bench).

Results go to bench/results.json and bench/results.md (report.py; the README links the table
and quotes the main figures).

BENCH_N/10 lives in a second database, `<name>_small` (databases.py). The views read the
`default` connection, so child processes of this script get DATABASE_URL pointed at one
database each: `--prepare-only` seeds `<name>_small`, two `--serve-lookups` workers measure the
lookup at each size, `--measure-progress` the dashboard, `--import-memory FILE` one import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench \
    DJANGO_SETTINGS_MODULE=accounting_registry.settings.bench BENCH_N=100000 \
    .venv/bin/python bench/run.py
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from typing import Any

import counter_bench
import databases
import django
import http_bench
import import_memory_bench
import login_bench
import lookup_bench
import pdf_bench
import psycopg
import register_bench
import report
import reporting_bench
from common import BENCH_DIR, log, vacuum_analyze

from collection import tallies as application_tallies
from collection.models import Submission
from practitioners.models import Bureau


def bench_n() -> int:
    raw = os.environ.get("BENCH_N", "100000")
    try:
        n = int(raw)
    except ValueError:
        raise SystemExit(f"BENCH_N={raw!r} is not an integer") from None
    if not 1 <= n <= register_bench.IMPORT_START:
        raise SystemExit(f"BENCH_N must be between 1 and {register_bench.IMPORT_START:,}")
    return n


def run_all(n: int, *, strict: bool, fresh: bool) -> int:
    n_small = n // 10
    if n_small < 1:
        raise SystemExit("BENCH_N must be at least 10")
    load_before = os.getloadavg()
    databases.ensure_database(os.environ["DATABASE_URL"], fresh=fresh)
    databases.ensure_database(databases.small_database_url(os.environ["DATABASE_URL"]), fresh=fresh)

    databases.prepare_database(n)
    databases.prepare_small(n_small)
    lookups = lookup_bench.measure(n, n_small)

    bureau_ids = dict(Bureau.objects.values_list("code", "id"))
    records = register_bench.import_records(sorted(bureau_ids))
    imports = register_bench.measure_import_against_copy(records, bureau_ids)
    save_record = register_bench.measure_save_record()

    submitted_target = max(n // 10, 2 * counter_bench.CONFIRM_PER_WORKER * 13)
    log(
        f"counter: {submitted_target:,} submitted applications, queue and review pages, confirmations"
    )
    submitted = counter_bench.seed_submitted(submitted_target)
    application_tallies.rebuild()  # the bulk seeding above bypassed the services
    vacuum_analyze()
    counter = counter_bench.measure_pages()
    confirms = counter_bench.measure_confirmations()

    log("application form: 50 different forms rendered, then kept ones downloaded")
    submissions = list(
        Submission.objects.select_related(
            "application__practitioner__account",
            "application__bureau",
            "application__campaign",
            "photo",
        ).order_by("-id")[: pdf_bench.RENDERS]
    )
    pdf = pdf_bench.measure_pdf(submissions)
    log(f"logins: {login_bench.LOGINS} real login POSTs")
    logins = login_bench.measure_logins([s.application.practitioner.account for s in submissions])
    progress = reporting_bench.measure_progress_at_both_sizes()
    log("progress: the public bulletin page")
    bulletin = reporting_bench.measure_bulletin()
    log("import of the largest admitted files, each in a child process")
    memory = import_memory_bench.measure_import_memory(
        import_memory_bench.import_files(records, BENCH_DIR / "out")
    )
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
        "postgresql": databases.server_version(),
        "cpu_count": os.cpu_count(),
        # Other work on the machine skews latencies: 1-minute load average before and after.
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        **lookups,
        **imports,
        **save_record,
        "submitted_applications": submitted,
        **counter,
        **confirms,
        **pdf,
        **logins,
        **memory,
        **progress,
        **bulletin,
        **http,
        "targets": report.TARGETS,
    }
    results["targets_met"] = report.targets_met(results)
    print(report.write_report(results), end="")
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
        import_memory_bench.import_memory_child(args.import_memory)
        return 0
    n = bench_n()
    if args.prepare_only:
        databases.prepare_database(n)
        return 0
    if args.serve_lookups:
        lookup_bench.serve_lookups()
        return 0
    return run_all(n, strict=args.strict, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
