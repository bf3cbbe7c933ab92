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


def read_p95_history() -> list[tuple[float, float]]:
    """(seconds since locust started, p95 ms of all pages over locust's recent window), from
    its full history (one row a second); every tenth second."""
    path = WORK / "locust_stats_history.csv"
    if not path.exists():
        return []
    points: list[tuple[float, float]] = []
    first = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated" or row["95%"] in ("", "N/A", "0"):
                continue
            first = first if first is not None else int(row["Timestamp"])
            t = int(row["Timestamp"]) - first
            if t % 10 == 0:
                points.append((t, float(row["95%"])))
    return points


def _spread(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50": None, "p95": None, "max": None}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "max": ordered[-1]}


def _queue_shape(timeline: list[dict], warmup: float, load_end: float) -> dict:
    """The form queue's mean length over the measured window's first and last minute."""

    def mean(start: float, end: float) -> float:
        values = [s["queue"] for s in timeline if start < s["t"] <= end]
        return round(sum(values) / len(values), 1) if values else 0.0

    first, last = mean(warmup, warmup + 60), mean(load_end - 60, load_end)
    return {"first_minute": first, "last_minute": last, "flat": last <= max(2 * first, 5)}


def _cpu_per_journey(args, outcomes: dict, floor: dict) -> dict:
    """Server CPU (servers, workers, PostgreSQL, Redis) per completed journey, against the
    journey's floor (a password hash, the photo's work, a bare request for every other page)."""
    from prepare import COUNTER_REQUESTS, PRACTITIONER_REQUESTS

    cores = sum(
        v
        for k, v in outcomes["cpu_cores"].items()
        if k.startswith(("gunicorn", "workers", "postgresql", "redis"))
    )
    whole = args.warmup + args.seconds
    measured_journeys = outcomes["journeys"] * args.seconds / whole
    per_journey_ms = cores * args.seconds * 1000 / max(measured_journeys, 1)
    requests = PRACTITIONER_REQUESTS + COUNTER_REQUESTS
    floor_ms = (
        floor["password_hash_ms"] + floor["photo_ms"] + (requests - 2) * floor["bare_request_ms"]
    )
    return {
        "server_cores": round(cores, 2),
        "per_journey_ms": round(per_journey_ms),
        "floor_ms": round(floor_ms),
        "ratio": round(per_journey_ms / floor_ms, 2) if floor_ms else None,
        "floor_parts_ms": floor,
    }


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
        "the audit chain intact after the run": (found.get("audit") or {})
        .get("chain", {})
        .get("intact", False),
        "queue drained within 10 min": drain_s is not None and drain_s < DRAIN_LIMIT_S,
        "no failed tasks": tasks.get("FAILED", 0) == 0,
    }
    measured = args.seconds
    printable = _spread(outcomes.get("printable_ms", []))
    stored = _spread(found["stored_pdf_s"])
    queue = _queue_shape(outcomes.get("timeline", []), args.warmup, args.warmup + measured)
    cpu = _cpu_per_journey(args, outcomes, found["floor_ms"])
    targets.update(
        {
            "printable at once (p95 < 1 s after the submit)": (printable["p95"] or 0) < 1000,
            "stored PDF p95 ≤ 60 s after the submit": stored["p95"] is not None
            and stored["p95"] <= 60,
            "the queue flat (last minute ≤ 2 × the first)": queue["flat"],
            "server CPU per journey ≤ 1.5 × its floor": (cpu["ratio"] or 99) <= 1.5,
        }
    )
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
            "background_worker": f"{args.task_workers} process(es), nice {args.worker_nice}"
            + (", SCHED_IDLE" if args.worker_idle else ""),
            "practitioners_in_register": args.practitioners,
            "simulated_practitioners": outcomes["users"]["practitioners"],
            "clerks": outcomes["users"]["clerks"],
            "pacing_s": args.pacing,
            "warmup_s": args.warmup,
            "measured_s": measured,
            "storage": "moto's S3 server behind a fault switch"
            if args.faults
            else "file system (MEDIA_ROOT)",
            "cache_and_sessions": "Redis of the run's own (fail-soft), sessions cached_db"
            if args.faults
            else "Redis (db 8), sessions cached_db",
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
        "audit_chain": (found.get("audit") or {}).get("chain"),
        "printable_ms": printable,
        "stored_pdf_s": stored,
        "queue": queue,
        "cpu_per_journey": cpu,
        "cpu_cores_used_while_measured": outcomes["cpu_cores"],
        "targets": targets,
        "passed": all(targets.values()),
    }


def _chain_row(chain: dict | None) -> str:
    if not chain:
        return "| Audit chain after the run | not checked |"
    state = "intact" if chain["intact"] else f"**{chain['problem']}**"
    return (
        f"| Audit chain after the run: events sealed (s) / verified (s) | {chain['sealed']} "
        f"({chain['seal_s']}) / {chain['verified']} ({chain['verify_s']}), {state} |"
    )


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
        _chain_row(r.get("audit_chain")),
        f"| Submit → printable (the print page), p50 / p95 ms | "
        f"{r['printable_ms']['p50']} / {r['printable_ms']['p95']} |",
        f"| Submit → stored PDF, p50 / p95 / max s ({r['stored_pdf_s']['n']} forms) | "
        f"{r['stored_pdf_s']['p50']} / {r['stored_pdf_s']['p95']} / {r['stored_pdf_s']['max']} |",
        f"| Forms waiting, mean of the first / last measured minute | "
        f"{r['queue']['first_minute']} / {r['queue']['last_minute']} |",
        f"| Server CPU per journey / its floor (hash {r['cpu_per_journey']['floor_parts_ms']['password_hash_ms']} ms, "
        f"photo {r['cpu_per_journey']['floor_parts_ms']['photo_ms']} ms, bare request "
        f"{r['cpu_per_journey']['floor_parts_ms']['bare_request_ms']} ms) | "
        f"{r['cpu_per_journey']['per_journey_ms']} / {r['cpu_per_journey']['floor_ms']} ms "
        f"({r['cpu_per_journey']['ratio']}×) |",
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
    if r.get("faults"):
        lines += faults_markdown(r["faults"], r.get("locust_started_at"))
    if r["errors_by_page"]:
        lines += ["", "| Errors: page | what | count |", "|---|---|---:|"]
        for e in r["errors_by_page"]:
            lines.append(f"| `{e['page']}` | {e['error'][:160]} | {e['count']} |")
    return "\n".join(lines) + "\n"


# --- The fault runs (run.py --faults, load/faults.py) -----------------------------------------

# The requests each fault is expected to touch: its recovery is the first success of these.
AFFECTED = {
    "worker": None,  # no page: the killed worker's form task, done again
    "postgresql": "",  # every page
    "redis": "",  # every page (the sessions' cache), the logins' limits above all
    "store": "POST /me/photo/",  # the photo's two files written
}
# A failure up to this long after a fault ended is still the fault's (a request sent during it).
FAULT_TAIL_S = 15


def fault_figures(plan, requests: list, outcomes: dict, found: dict, restarts: list, args) -> dict:
    """Each fault: when, how long, the failed requests while it lasted (by page) and how long
    the service took to be back; after draining, what was lost, stuck or half-written."""
    faults = plan.summary()
    load_end = outcomes.get("stopped_at") or max((r[0] for r in requests), default=0)
    starts = [f["started_at"] for f in faults if f["started_at"]]
    rows = []
    in_a_fault = 0
    for fault in faults:
        start, end = fault["started_at"], fault["ended_at"]
        if start is None:
            rows.append({**fault, "error": "not run"})
            continue
        later = [s for s in starts if s > start]
        until = min(later) if later else load_end
        window = [r for r in requests if start <= r[0] < until]
        failed = [r for r in window if not r[2]]
        by_page: dict[str, dict[str, int]] = {}
        for _t, page, _ok, status in failed:
            by_page.setdefault(page, {})
            by_page[page][str(status or "no answer")] = by_page[page].get(str(status), 0) + 1
        in_a_fault += sum(1 for r in failed if r[0] <= (end or start) + FAULT_TAIL_S)
        kind = AFFECTED[fault["kind"]]
        affected_failures = [r[0] for r in failed if r[1].startswith(kind or "")]
        last_failure = max(affected_failures, default=None)

        def first_success(after: float, kind=kind, window=window) -> float | None:
            """Seconds from `after` to the first success of the affected kind."""
            found_at = next(
                (r[0] for r in window if r[2] and r[0] > after and r[1].startswith(kind or "")),
                None,
            )
            return None if found_at is None else round(found_at - after, 2)

        during = [r for r in requests if start <= r[0] <= (end or start)]
        logins = [r for r in during if r[1] in ("POST /accounts/login/", "POST /activate/")]
        row = {
            **fault,
            "requests_during": len(during),
            "failed_during": sum(1 for r in during if not r[2]),
            "logins_during_ok": sum(1 for r in logins if r[2]),
            "logins_during_failed": sum(1 for r in logins if not r[2]),
            "lasted_s": None if end is None else round(end - start, 1),
            "requests_in_window": len(window),
            "failed": len(failed),
            "failed_by_page": by_page,
            "first_failure_s": None if not failed else round(failed[0][0] - start, 2),
            "last_failure_s": None if not failed else round(failed[-1][0] - start, 2),
        }
        if kind is None:
            back = [r for r in restarts if r["exited_at"] >= start - 1]
            row["worker_started_again_s"] = round(back[0]["at"] - start, 1) if back else None
            row["lasted_s"] = row["worker_started_again_s"]
            row["back_s"] = fault.get("form_stored_s")
        else:
            row["first_success_after_start_s"] = first_success(start)
            row["first_success_after_end_s"] = first_success(end) if end else None
            if last_failure is None:
                row["back_s"] = row["first_success_after_start_s"]
            else:
                after = first_success(last_failure)
                row["back_s"] = None if after is None else round(last_failure - start + after, 2)
        rows.append(row)
    errors_500 = sum(1 for r in requests if r[3] == 500)
    total_failed = sum(1 for r in requests if not r[2])
    files = found.get("files") or {}
    after = {
        "lost_submissions": len(found["lost_submissions"]),
        "lost_confirmations": len(found["lost_confirmations"]),
        "submissions_of_the_run_without_pdf": found.get("submissions_without_form_count"),
        "audit_events_lost": (found.get("audit") or {}).get("lost"),
        "tasks_stuck_ready_or_running": found.get("tasks_stuck"),
        "form_tasks": found["form_tasks"],
        "files_checked": files.get("checked"),
        "files_broken": files.get("broken_count"),
        "part_files_left": len(files.get("part_files") or []),
        "worker_restarts": len(restarts),
        "pages_answering_500": errors_500,
        "failed_requests_total": total_failed,
        "failed_requests_during_faults": in_a_fault,
        "plan_errors": plan.errors,
    }
    targets = {
        "faults: every fault run": not plan.errors and all(f["started_at"] for f in faults),
        "faults: failures only while a fault lasted": total_failed == in_a_fault,
        "faults: no 500 page": errors_500 == 0,
        "faults: nothing lost (submissions, confirmations, PDFs, audit events)": (
            after["lost_submissions"] == 0
            and after["lost_confirmations"] == 0
            and after["submissions_of_the_run_without_pdf"] == 0
            and after["audit_events_lost"] == 0
        ),
        "faults: no task stuck": after["tasks_stuck_ready_or_running"] == 0,
        "faults: no half-written file": after["files_broken"] == 0
        and after["part_files_left"] == 0,
    }
    return {"faults": rows, "after_draining": after, "targets": targets}


FAULT_NAMES = {
    "worker": "a background worker killed (SIGKILL) mid-render",
    "postgresql": "PostgreSQL restarted",
    "redis": "Redis stopped",
    "store": "the object store refusing writes (503 SlowDown)",
}


def faults_markdown(f: dict, t0: float | None) -> list[str]:
    lines = [
        "",
        "## Faults",
        "",
        "| Fault | at (s) | lasted (s) | requests while it lasted: all / failed; logins and "
        "activations ok / failed | requests failed until the next fault (by page: status × "
        "count) | first success after its start / end (s) | back after (s) |",
        "|---|---:|---:|---|---|---|---:|",
    ]
    for row in f["faults"]:
        at = "" if not (t0 and row.get("started_at")) else round(row["started_at"] - t0)
        pages = "; ".join(
            f"`{page}` " + ", ".join(f"{status} × {n}" for status, n in statuses.items())
            for page, statuses in sorted(row.get("failed_by_page", {}).items())
        )
        if row["kind"] == "worker":
            success = (
                f"worker started again after {row.get('worker_started_again_s')} s; the "
                f"task's form stored after {row.get('form_stored_s')} s "
                f"({row.get('stored_by', '?')})"
            )
        else:
            success = (
                f"{row.get('first_success_after_start_s')} / {row.get('first_success_after_end_s')}"
            )
        lines.append(
            f"| {FAULT_NAMES[row['kind']]} | {at} | {row.get('lasted_s')} | "
            f"{row.get('requests_during')} / {row.get('failed_during')}; "
            f"{row.get('logins_during_ok')} / {row.get('logins_during_failed')} | "
            f"{row.get('failed', 0)}{': ' + pages if pages else ''} | {success} | "
            f"{row.get('back_s')} |"
        )
    a = f["after_draining"]
    checked = a.get("files_checked") or {}
    lines += [
        "",
        "| After draining | Value |",
        "|---|---|",
        f"| Submissions / confirmations lost | {a['lost_submissions']} / {a['lost_confirmations']} |",
        f"| Submissions of the run without a stored PDF | {a['submissions_of_the_run_without_pdf']} |",
        f"| Audit events lost (submitted, confirmed) | {a['audit_events_lost']} |",
        f"| Tasks stuck (READY or RUNNING) | {a['tasks_stuck_ready_or_running']} |",
        "| Form tasks by status (a FAILED attempt is followed by its retry) | "
        + ", ".join(f"{k} {v}" for k, v in sorted(a["form_tasks"].items()))
        + " |",
        f"| Files read back whole: PDFs / photos; broken; part files left | "
        f"{checked.get('pdf')} / {checked.get('photo')}; {a['files_broken']}; {a['part_files_left']} |",
        f"| Worker restarts by the supervisor | {a['worker_restarts']} |",
        f"| Failed requests: all / during a fault / 500 pages | {a['failed_requests_total']} / "
        f"{a['failed_requests_during_faults']} / {a['pages_answering_500']} |",
    ]
    if a["plan_errors"]:
        lines.append(f"| Faults not run | {'; '.join(a['plan_errors'])} |")
    return lines
