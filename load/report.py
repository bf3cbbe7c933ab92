"""The load test's figures: locust's statistics and failures read back, the targets judged, and
the results as JSON and as Markdown (load/results.json and load/results.md by default)."""

from __future__ import annotations

import csv
import datetime
import os
import platform
import subprocess

from basics import PG_URL, WORK
from worker_queue import DRAIN_LIMIT_S

from tests import servers

TARGET_P95_MS = 200


def read_stats() -> tuple[list[dict], dict]:
    pages, overall = [], {}
    with open(WORK / "locust_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            entry = {
                "page": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": round(float(row["Max Response Time"] or 0)),
            }
            if row["Name"] == "Aggregated":
                overall = entry
            elif entry["requests"]:  # a page asked only during the ramp-up has no figures
                pages.append(entry)
    return pages, overall


def _ms(value: str) -> int | None:
    return None if value in ("", "N/A") else round(float(value))


def read_failures() -> list[dict]:
    path = WORK / "locust_failures.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [
            {
                "page": f"{r['Method']} {r['Name']}",
                "error": r["Error"],
                "count": int(r["Occurrences"]),
            }
            for r in csv.DictReader(f)
        ]


def summarise(args, outcomes, found, pages, overall, failures, drain_s, tasks, before) -> dict:
    errors = len(outcomes["failures"])
    lost = len(found["lost_submissions"])
    lost_confirmations = len(found["lost_confirmations"])
    worst_page = max((p["p95_ms"] or 0 for p in pages), default=0)
    targets = {
        f"p95 overall < {TARGET_P95_MS} ms": (overall.get("p95_ms") or 0) < TARGET_P95_MS,
        f"p95 of every page < {TARGET_P95_MS} ms": worst_page < TARGET_P95_MS,
        f"about {args.rps:g} requests/s": overall.get("rps", 0) >= 0.9 * args.rps,
        "no errors": errors == 0,
        "no lost submissions": lost == 0,
        "no lost confirmations": lost_confirmations == 0,
        "queue drained within 10 min": drain_s is not None and drain_s < DRAIN_LIMIT_S,
        "no failed tasks": tasks.get("FAILED", 0) == 0,
    }
    measured = args.seconds
    return {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": psql_version(),
            "reference_loop_ms": outcomes["speed"],
        },
        "setup": {
            "servers": args.servers,
            "gunicorn_workers_per_server": args.workers,
            "threads_per_worker": args.threads,
            "background_worker": f"1 process, nice {args.worker_nice}"
            + (", SCHED_IDLE" if args.worker_idle else ""),
            "practitioners_in_register": args.practitioners,
            "simulated_practitioners": outcomes["users"]["practitioners"],
            "clerks": outcomes["users"]["clerks"],
            "pacing_s": args.pacing,
            "warmup_s": args.warmup,
            "measured_s": measured,
            "storage": "file system (MEDIA_ROOT)",
            "cache_and_sessions": "Redis (db 8), sessions cached_db",
        },
        "overall": overall,
        "pages": pages,
        "errors": errors,
        "errors_by_page": failures,
        "requests_whole_run": outcomes["requests"],
        "journeys": {
            "practitioner": outcomes["journeys"],
            "counter": outcomes["counter_journeys"],
            "practitioner_per_s": round(outcomes["journeys"] / (args.warmup + measured), 2),
        },
        "submissions": {
            "seen": found["submitted_seen"],
            "found": found["submitted_found"],
            "lost": lost,
            "lost_id_numbers": found["lost_submissions"][:20],
            "in_the_database_for_the_run": found["submissions_of_the_run"],
        },
        "confirmations": {
            "seen": found["confirmed_seen"],
            "found": found["confirmed_found"],
            "lost": lost_confirmations,
            "lost_id_numbers": found["lost_confirmations"][:20],
            "still_waiting_at_the_counter": outcomes.get("waiting_at_the_counter", 0),
        },
        "forms": {
            "downloads_200_pdf": outcomes["forms"]["ready"],
            "downloads_202_pending": outcomes["forms"]["pending"],
            "tasks_before_the_run": before,
            "tasks_after_draining": found["form_tasks"],
            "stored": found["forms_stored"],
            "stored_for_the_run": found["forms_stored_of_the_run"],
        },
        "queue_drain_s": drain_s,
        "cpu_cores_used_while_measured": outcomes["cpu_cores"],
        "targets": targets,
        "passed": all(targets.values()),
    }


def psql_version() -> str:
    try:
        return servers.psql(f"{PG_URL}/postgres", "SHOW server_version")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "?"


def to_markdown(r: dict) -> str:
    s, o = r["setup"], r["overall"]
    lines = [
        f"# Load test ({r['when']}, {r['machine']['cpus']} CPUs, PostgreSQL {r['machine']['postgresql']})",
        "",
        f"{s['servers']} gunicorn servers x {s['gunicorn_workers_per_server']} workers x "
        f"{s['threads_per_worker']} thread(s), worker {s['background_worker']}; "
        f"{s['simulated_practitioners']} simulated practitioners (a journey every {s['pacing_s']:g} s each) "
        f"and {s['clerks']} clerks; register of {s['practitioners_in_register']:,}; "
        f"{s['measured_s']} s measured after {s['warmup_s']} s ramp-up.",
        "",
        "| Page | Requests | p50 ms | p95 ms | p99 ms | max ms | Failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(r["pages"], key=lambda p: p["page"]):
        lines.append(
            f"| `{p['page']}` | {p['requests']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} "
            f"| {p['max_ms']} | {p['failures']} |"
        )
    lines.append(
        f"| **All ({o.get('rps')} requests/s)** | **{o.get('requests')}** | **{o.get('p50_ms')}** "
        f"| **{o.get('p95_ms')}** | **{o.get('p99_ms')}** | **{o.get('max_ms')}** | **{o.get('failures')}** |"
    )
    j, sub, con, f = r["journeys"], r["submissions"], r["confirmations"], r["forms"]
    drain = "not drained in 10 min" if r["queue_drain_s"] is None else f"{r['queue_drain_s']} s"
    lines += [
        "",
        "| Figure | Value |",
        "|---|---|",
        f"| Requests/s (measured window) | {o.get('rps')} |",
        f"| Errors (whole run, ramp-up included) | {r['errors']} |",
        f"| Practitioner journeys completed, whole run ({s['warmup_s'] + s['measured_s']} s) | "
        f"{j['practitioner']} ({j['practitioner_per_s']}/s) |",
        f"| Confirmations at the counter | {j['counter']} |",
        f"| Submissions seen / in the database / lost | {sub['seen']} / {sub['found']} / {sub['lost']} |",
        f"| Submissions made during the run, seen or not | {sub['in_the_database_for_the_run']} |",
        f"| Confirmations seen / in the database / lost | {con['seen']} / {con['found']} / {con['lost']} |",
        f"| Form downloads: 200 PDF / 202 pending | {f['downloads_200_pdf']} / {f['downloads_202_pending']} |",
        f"| Form tasks queued during the run / after draining | "
        f"{sum(f['tasks_after_draining'].values()) - sum(f['tasks_before_the_run'].values())} / "
        f"{', '.join(f'{k} {v}' for k, v in sorted(f['tasks_after_draining'].items()))} |",
        f"| PDFs stored (the run's / all) | {f['stored_for_the_run']} / {f['stored']} |",
        f"| Queue drained after the load | {drain} |",
        "| Machine speed: a reference loop before / after (ms, lower is faster) | "
        f"{r['machine']['reference_loop_ms']['before_ms']} / "
        f"{r['machine']['reference_loop_ms']['after_ms']} |",
        "| CPU cores used while measured | "
        + ", ".join(f"{k} {v}" for k, v in r["cpu_cores_used_while_measured"].items())
        + " |",
        "",
        "| Target | Met |",
        "|---|---|",
    ]
    lines += [f"| {name} | {'yes' if ok else '**no**'} |" for name, ok in r["targets"].items()]
    if r["errors_by_page"]:
        lines += ["", "| Errors: page | what | count |", "|---|---|---:|"]
        for e in r["errors_by_page"]:
            lines.append(f"| `{e['page']}` | {e['error'][:160]} | {e['count']} |")
    return "\n".join(lines) + "\n"
