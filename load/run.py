"""`make load`: the deadline day's peak on this machine, measured.

1. A fresh PostgreSQL database (`registry_load`, dropped and created again each run; kept
   afterwards to look into), Redis database 8 (flushed) for the cache and the sessions' cache,
   and the private files on the file system under /tmp/registry-load (not the S3 emulator:
   moto would run on the same two cores and be measured as the product's cost).
2. Seeded in bulk (bench/seeding.py): the demo register (LOAD_PRACTITIONERS people, about 40 %
   of the first LOAD_APPLICATIONS with an application in some state) and its active campaign,
   then the run's
   people (load/data.py): in four county bureaus, people without an account (they activate one)
   and people given an account (they log in), none with an application; three clerks a bureau.
3. The production deployment (tests/servers.py): two gunicorn servers and the worker, which
   runs at a lower CPU priority (nice 10; LOAD_WORKER_IDLE=1 for SCHED_IDLE), so that it
   takes little of what the servers need while the load lasts and renders the queue after it.
4. locust (load/locustfile.py), headless: simulated practitioners start their journeys at a
   constant rate, one journey every LOAD_PACING seconds each, as many as give about LOAD_RPS
   requests a second with the clerks' confirmations; the figures are taken over LOAD_SECONDS
   after LOAD_WARMUP seconds of ramp-up (errors are counted from the start). It starts once
   other processes leave the CPU alone (up to LOAD_QUIET_WAIT seconds), and the CPU each part
   used while measured is reported, with everything else on the machine.
5. The queue drained: up to 10 minutes for the worker to render every submitted form.
6. What the database holds: every submission and confirmation locust saw succeed, and the
   printed forms kept.

Results: a table on the terminal, load/results.json and load/results.md (or --results DIR);
the exit status is 0 when every target is met (p95 < 200 ms overall and per page, about
LOAD_RPS requests a second, no error, nothing lost, the queue drained in less than 10 minutes
with no failed task), 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402

LOAD_DIR = ROOT / "load"
WORK = Path("/tmp/registry-load")
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = "redis://127.0.0.1:6379/8"
FORM_TASK = "collection.tasks.render_application_form"
# Requests of one journey (load/locustfile.py): a practitioner's 13 or 14 (activation 3 pages,
# login 4, then 10 more), a clerk's confirmation 4.
PRACTITIONER_REQUESTS = 13.5
COUNTER_REQUESTS = 4
TARGET_P95_MS = 200
DRAIN_LIMIT_S = 600


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rps", type=float, default=env_number("LOAD_RPS", 85))
    p.add_argument("--seconds", type=int, default=int(env_number("LOAD_SECONDS", 60)))
    p.add_argument("--warmup", type=int, default=int(env_number("LOAD_WARMUP", 15)))
    p.add_argument("--pacing", type=float, default=env_number("LOAD_PACING", 20))
    p.add_argument("--servers", type=int, default=int(env_number("LOAD_SERVERS", 2)))
    p.add_argument("--workers", type=int, default=int(env_number("LOAD_WORKERS", 3)))
    p.add_argument("--threads", type=int, default=int(env_number("LOAD_THREADS", 1)))
    p.add_argument("--worker-nice", type=int, default=int(env_number("LOAD_WORKER_NICE", 10)))
    p.add_argument(
        "--worker-idle",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("LOAD_WORKER_IDLE", "") not in ("", "0", "false"),
        help="run the worker under SCHED_IDLE (only on a CPU nothing else wants)",
    )
    p.add_argument(
        "--practitioners", type=int, default=int(env_number("LOAD_PRACTITIONERS", 50_000))
    )
    p.add_argument("--applications", type=int, default=int(env_number("LOAD_APPLICATIONS", 10_000)))
    p.add_argument(
        "--bureaus", default=os.environ.get("LOAD_BUREAUS", "450102,450103,450105,450107")
    )
    p.add_argument("--clerks", type=int, default=int(env_number("LOAD_CLERKS", 3)))
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=env_number("LOAD_QUIET_WAIT", 600),
        help="seconds to wait for other processes to stop using the CPU",
    )
    p.add_argument(
        "--results", type=Path, default=LOAD_DIR, help="where results.json/.md go (load/)"
    )
    p.add_argument(
        "--name", default=os.environ.get("LOAD_NAME", "results"), help="the results' file name"
    )
    return p.parse_args()


def step(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", flush=True)


def data_py(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """load/data.py (Django set up, the run's database) in a child process; exits on failure."""
    done = subprocess.run(
        [servers.PYTHON, "load/data.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done


def prepare(args, env: dict[str, str]) -> dict:
    database_url = env["DATABASE_URL"]
    servers.create_database(database_url)
    redis.Redis.from_url(REDIS_URL).flushdb()
    step("migrate, collectstatic")
    servers.manage(env, "migrate", "--noinput")
    servers.manage(env, "collectstatic", "--noinput")
    step(f"bulk seeding: {args.practitioners:,} practitioners")
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "seeding.py"),
            "--practitioners",
            str(args.practitioners),
            "--applications",
            str(args.applications),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise SystemExit(run.stderr[-3000:])
    journeys = people_needed(args)
    bureaus = args.bureaus.split(",")
    each = math.ceil(journeys * 1.3 / 2 / len(bureaus)) + 20
    done = data_py(
        env,
        "people",
        str(WORK / "people.json"),
        "--bureaus",
        args.bureaus,
        "--each",
        str(each),
        "--clerks",
        str(args.clerks),
    )
    step(f"people: {done.stdout.strip()} (seeded in {time.perf_counter() - started:.0f} s)")
    return json.loads((WORK / "people.json").read_text())


def practitioner_users(args) -> int:
    """Simulated practitioners: each starts a journey every `pacing` seconds; with the clerks'
    confirmation of each, a journey is PRACTITIONER_REQUESTS + COUNTER_REQUESTS requests."""
    journeys_per_second = args.rps / (PRACTITIONER_REQUESTS + COUNTER_REQUESTS)
    return max(1, round(journeys_per_second * args.pacing))


def people_needed(args) -> int:
    return math.ceil(practitioner_users(args) * ((args.warmup + args.seconds) / args.pacing + 1))


def queue_counts(database_url: str, task_path: str | None = None) -> dict[str, int]:
    """The worker's tasks by status (of one task only, with `task_path`)."""
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE %(path)s::text IS NULL OR task_path = %(path)s GROUP BY status",
            {"path": task_path},
        ).fetchall()
    return {status: n for status, n in rows}


def drain(database_url: str) -> tuple[float | None, dict[str, int]]:
    """Wait until no task is queued or running; seconds it took (None: not within the limit),
    and the tasks by status."""
    started = time.monotonic()
    shown = 0.0
    while True:
        counts = queue_counts(database_url)
        waiting = counts.get("READY", 0) + counts.get("RUNNING", 0)
        if waiting == 0:
            return time.monotonic() - started, counts
        if time.monotonic() - started > DRAIN_LIMIT_S:
            return None, counts
        if time.monotonic() - shown >= 15:
            step(f"  queue: {waiting} waiting")
            shown = time.monotonic()
        time.sleep(1)


class CpuMeter:
    """CPU (in cores) of the servers, the worker, PostgreSQL's backends of the run's database,
    Redis, locust, and everything else on the machine, between `mark` and `since`."""

    def __init__(self, deployment: servers.Deployment, database: str):
        self.deployment = deployment
        self.database = database
        self.locust: psutil.Process | None = None

    def _groups(self) -> dict[int, str]:
        """pid -> group, for the processes of the run."""
        out: dict[int, str] = {}

        def tree(pid: int, group: str) -> None:
            try:
                parent = psutil.Process(pid)
                for process in [parent, *parent.children(recursive=True)]:
                    out[process.pid] = group
            except psutil.NoSuchProcess:
                pass

        for server in self.deployment.processes:
            tree(server.pid, "gunicorn servers")
        if self.deployment.worker:
            tree(self.deployment.worker.pid, "worker (nice)")
        if self.locust:
            tree(self.locust.pid, "locust")
        for process in psutil.process_iter(["name", "cmdline"]):
            name, command = process.info["name"] or "", " ".join(process.info["cmdline"] or [])
            if name.startswith("postgres") and f" {self.database} " in command:
                out[process.pid] = "postgresql"
            elif name.startswith("redis"):
                out[process.pid] = "redis"
        return out

    @staticmethod
    def _cpu(pid: int) -> float | None:
        try:
            times = psutil.Process(pid).cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        return times.user + times.system

    @staticmethod
    def _busy() -> tuple[float, float]:
        """CPU seconds the machine was busy, and of those the ones the host took for its other
        guests (steal: a virtual machine's core waiting for a real one)."""
        times = psutil.cpu_times()
        steal = getattr(times, "steal", 0.0)
        return sum(times) - times.idle - getattr(times, "iowait", 0.0), steal

    def mark(self, locust: psutil.Process | None = None) -> None:
        self.locust = locust
        self.groups = self._groups()
        self.start = {pid: self._cpu(pid) for pid in self.groups}
        self.start_busy, self.start_steal = self._busy()
        self.started = time.monotonic()

    def since(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        groups = {**self.groups, **self._groups()}
        used: dict[str, float] = {g: 0.0 for g in dict.fromkeys(groups.values())}
        for pid, group in groups.items():
            now = self._cpu(pid)
            if now is not None:  # a process that ended meanwhile is left out
                used[group] += now - (self.start.get(pid) or 0.0)
        ours = sum(used.values())
        busy, steal = self._busy()
        stolen = steal - self.start_steal
        used["everything else"] = max(0.0, busy - self.start_busy - stolen - ours)
        used["taken by the host (steal)"] = stolen
        return {group: round(seconds / wall, 2) for group, seconds in used.items()}

    def quiet(self, seconds: float = 5) -> float:
        """Cores used by processes not of the run, over a few seconds."""
        self.mark()
        time.sleep(seconds)
        return self.since()["everything else"]


def reference_ms() -> float:
    """This machine's speed now: the best of five runs of a fixed piece of pure Python, in
    milliseconds (the same code takes longer on a slower or busier CPU; a virtual machine's
    varies with its neighbours). Printed with the figures, to compare runs."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for n in range(300_000):
            total += n * n % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def wait_for_quiet(meter: CpuMeter, limit: float) -> None:
    """The figures mean something only on a machine doing nothing else: wait (up to `limit`
    seconds) while other processes use more than a fifth of a core."""
    deadline = time.monotonic() + limit
    while True:
        others = meter.quiet()
        if others < 0.2:
            return
        if time.monotonic() > deadline:
            step(f"WARNING: other processes use {others:.2f} cores; measuring anyway")
            return
        step(f"other processes use {others:.2f} cores: waiting for the machine to be quiet")
        time.sleep(10)


def run_locust(args, data: dict, deployment: servers.Deployment, env: dict) -> dict:
    data = {**data, "servers": deployment.urls}
    (WORK / "load-data.json").write_text(json.dumps(data, ensure_ascii=False))
    users = practitioner_users(args)
    clerks = sum(len(v) for v in data["clerks"].values())
    total = users + clerks
    meter = CpuMeter(deployment, env["DATABASE_URL"].rsplit("/", 1)[1])
    wait_for_quiet(meter, args.quiet_wait)
    speed_before = reference_ms()
    step(
        f"locust: {users} practitioners (a journey every {args.pacing:g} s each, "
        f"{users / args.pacing:.2f} journeys/s) and {clerks} clerks; "
        f"{args.warmup} s ramp-up, then {args.seconds} s measured"
    )
    locust_env = {
        **os.environ,
        "LOAD_DATA": str(WORK / "load-data.json"),
        "LOAD_OUTCOMES": str(WORK / "outcomes.json"),
        "LOAD_PACING": str(args.pacing),
        "LOAD_WARMUP": str(args.warmup),
    }
    command = [
        servers.PYTHON,
        "-m",
        "locust",
        "-f",
        str(LOAD_DIR / "locustfile.py"),
        "--headless",
        "--users",
        str(total),
        "--spawn-rate",
        str(total),
        "--run-time",
        f"{args.warmup + args.seconds}s",
        "--csv",
        str(WORK / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(WORK / "locust.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=locust_env, stdout=log, stderr=log)
        process = psutil.Process(locust.pid)
        time.sleep(args.warmup)
        meter.mark(process)
        time.sleep(args.seconds)
        cpu = meter.since()
        locust.wait(timeout=120)
    if not (WORK / "outcomes.json").exists():
        raise SystemExit(f"locust wrote no outcomes; see {WORK / 'locust.log'}")
    outcomes = json.loads((WORK / "outcomes.json").read_text())
    outcomes["cpu_cores"] = cpu
    outcomes["speed"] = {"before_ms": speed_before}
    outcomes["users"] = {"practitioners": users, "clerks": clerks}
    return outcomes


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


def main() -> int:
    args = parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "logs").mkdir(parents=True)
    env = servers.production_env(
        database_url=f"{PG_URL}/registry_load",
        redis_url=REDIS_URL,
        media_root=WORK / "media",
        static_root=WORK / "static",
        # Many people log in from one address here: the limits count failures only, and none
        # fail, but the second factor of city staff is not part of the run (no city staff).
    )
    data = prepare(args, env)
    step(
        f"servers: {args.servers} x gunicorn, {args.workers} worker(s) x {args.threads} "
        f"thread(s) each; the worker at nice {args.worker_nice}"
        + (" under SCHED_IDLE" if args.worker_idle else "")
    )
    with servers.deployment(
        env,
        servers=args.servers,
        workers=args.workers,
        threads=args.threads,
        worker_nice=args.worker_nice,
        worker_idle=args.worker_idle,
        log_dir=WORK / "logs",
    ) as deployment:
        before = queue_counts(env["DATABASE_URL"], FORM_TASK)
        outcomes = run_locust(args, data, deployment, env)
        load_ended = time.monotonic()
        step(
            f"load over: {outcomes['journeys']} journeys, {len(outcomes['submitted'])} submitted, "
            f"{len(outcomes['confirmed'])} confirmed; waiting for the queue"
        )
        drained, tasks = drain(env["DATABASE_URL"])
        drain_s = None if drained is None else round(time.monotonic() - load_ended, 1)
    outcomes["speed"]["after_ms"] = reference_ms()  # the servers and the worker stopped
    done = data_py(env, "check", str(WORK / "outcomes.json"))
    found = json.loads(done.stdout.strip().splitlines()[-1])
    pages, overall = read_stats()
    failures = read_failures()
    results = summarise(args, outcomes, found, pages, overall, failures, drain_s, tasks, before)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{args.name}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    )
    markdown = to_markdown(results)
    (args.results / f"{args.name}.md").write_text(markdown)
    print()
    print(markdown)
    return 0 if results["passed"] else 1


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


if __name__ == "__main__":
    sys.exit(main())
