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

With --faults (LOAD_FAULTS=1), the parts fail at the peak (load/faults.py): a background worker
killed mid-render, PostgreSQL restarted, Redis (the run's own) stopped for 30 s, the object
store (moto's S3 server, the private files' storage then) refusing writes for 30 s; the
results gain a "Faults" section and are judged by what was lost, stuck or half-written.

The parts: basics.py (paths, services, the step log), faults.py (the fault runs), prepare.py (1 and 2), machine.py (the CPU
each part used, the machine's speed, the wait for quiet), worker_queue.py (5), data.py (2 and 6,
in a child process with Django set up), report.py (the figures, the targets, the files).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import faults
import psutil
import psycopg
from basics import LOAD_DIR, PG_URL, REDIS_URL, ROOT, WORK, step
from chart import draw
from machine import CpuMeter, reference_ms, wait_for_quiet
from prepare import data_py, practitioner_users, prepare
from report import (
    fault_figures,
    read_failures,
    read_p95_history,
    read_stats,
    summarise,
    to_markdown,
)
from worker_queue import FORM_TASK, drain, queue_counts

from tests import servers


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rps", type=float, default=env_number("LOAD_RPS", 85))
    p.add_argument("--seconds", type=int, default=int(env_number("LOAD_SECONDS", 600)))
    p.add_argument("--warmup", type=int, default=int(env_number("LOAD_WARMUP", 15)))
    p.add_argument("--pacing", type=float, default=env_number("LOAD_PACING", 20))
    p.add_argument("--servers", type=int, default=int(env_number("LOAD_SERVERS", 2)))
    p.add_argument("--workers", type=int, default=int(env_number("LOAD_WORKERS", 3)))
    p.add_argument("--threads", type=int, default=int(env_number("LOAD_THREADS", 1)))
    p.add_argument("--worker-nice", type=int, default=int(env_number("LOAD_WORKER_NICE", 10)))
    p.add_argument(
        "--task-workers",
        type=int,
        default=int(env_number("LOAD_TASK_WORKERS", 2)),
        help="background worker processes (one per core: they take what the servers leave)",
    )
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
        "--faults",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("LOAD_FAULTS", "") not in ("", "0", "false"),
        help="the fault plan (load/faults.py): a worker killed mid-render, PostgreSQL "
        "restarted, Redis away 30 s, the object store refusing writes 30 s; Redis and moto's S3 "
        "of the run's own",
    )
    p.add_argument(
        "--results", type=Path, default=LOAD_DIR, help="where results.json/.md go (load/)"
    )
    p.add_argument(
        "--name", default=os.environ.get("LOAD_NAME", "results"), help="the results' file name"
    )
    return p.parse_args()


class Sampler(threading.Thread):
    """Every `every` seconds, from the load's start until stopped: the form queue's length and
    the CPU each part of the run used since the sample before."""

    def __init__(self, deployment: servers.Deployment, database_url: str, every: float = 10):
        super().__init__(daemon=True)
        self.meter = CpuMeter(deployment, database_url.rsplit("/", 1)[1])
        self.database_url = database_url
        self.every = every
        self.samples: list[dict] = []
        self.stopping = threading.Event()
        self.locust: psutil.Process | None = None

    def run(self) -> None:
        started = time.monotonic()
        self.meter.mark(self.locust)
        while not self.stopping.wait(self.every):
            cpu = self.meter.since()
            self.meter.mark(self.locust)
            try:
                counts = queue_counts(self.database_url, FORM_TASK)
            except psycopg.Error:  # PostgreSQL restarting (the fault runs): no sample
                continue
            self.samples.append(
                {
                    "t": round(time.monotonic() - started),
                    "queue": counts.get("READY", 0) + counts.get("RUNNING", 0),
                    "cpu": cpu,
                }
            )

    def stop(self) -> list[dict]:
        self.stopping.set()
        self.join(timeout=30)
        return self.samples


def run_locust(
    args, data: dict, deployment: servers.Deployment, env: dict, sampler: Sampler, on_start=None
) -> dict:
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
    if args.faults:
        locust_env["LOAD_REQUEST_LOG"] = str(WORK / "requests.json")
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
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(WORK / "locust.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=locust_env, stdout=log, stderr=log)
        process = psutil.Process(locust.pid)
        sampler.locust = process
        sampler.start()
        if on_start:
            on_start()
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


def main() -> int:
    args = parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "logs").mkdir(parents=True)
    with contextlib.ExitStack() as parts:
        return measure(args, parts)


def measure(args, parts: contextlib.ExitStack) -> int:
    redis_url, extra = REDIS_URL, {}
    if args.faults:
        own_redis = faults.OwnRedis(WORK / "logs" / "redis.log")
        own_redis.start()
        parts.callback(own_redis.stop)
        moto = faults.Moto(WORK / "logs" / "moto.log")
        moto.start()
        parts.callback(moto.stop)
        switch = faults.StoreSwitch(moto.port)
        parts.callback(switch.stop)
        redis_url, extra = own_redis.url, {**faults.store_env(switch), "LOAD_CHECK_FILES": "1"}
        step(
            f"faults on: Redis of the run's own on {redis_url}, private files on moto's S3 "
            f"behind a switch at {switch.url}"
        )
    env = servers.production_env(
        database_url=f"{PG_URL}/registry_load",
        redis_url=redis_url,
        media_root=WORK / "media",
        static_root=WORK / "static",
        # Many people log in from one address here: the limits count failures only, and none
        # fail, but the second factor of city staff is not part of the run (no city staff).
        **extra,
    )
    data = prepare(args, env)
    step(
        f"servers: {args.servers} x gunicorn, {args.workers} worker(s) x {args.threads} "
        f"thread(s) each; {args.task_workers} background worker(s) at nice {args.worker_nice}"
        + (" under SCHED_IDLE" if args.worker_idle else "")
    )
    plan = supervisor = None
    with servers.deployment(
        env,
        servers=args.servers,
        workers=args.workers,
        threads=args.threads,
        task_workers=args.task_workers,
        worker_nice=args.worker_nice,
        worker_idle=args.worker_idle,
        log_dir=WORK / "logs",
    ) as deployment:
        if args.faults:

            def start_worker(index: int):
                log = WORK / "logs" / f"worker-{index + 1}.log"
                return servers.start_worker(
                    env, nice=args.worker_nice, idle=args.worker_idle, log=log
                )

            supervisor = faults.Supervisor(deployment, start_worker)
            supervisor.start()
            plan = faults.FaultPlan(
                warmup=args.warmup,
                seconds=args.seconds,
                database_url=env["DATABASE_URL"],
                deployment=deployment,
                redis=own_redis,
                switch=switch,
                task_path=FORM_TASK,
            )

        def start_faults() -> None:
            if plan is not None:
                plan.t0 = time.time()
                plan.start()

        before = queue_counts(env["DATABASE_URL"], FORM_TASK)
        sampler = Sampler(deployment, env["DATABASE_URL"])
        outcomes = run_locust(args, data, deployment, env, sampler, on_start=start_faults)
        load_ended = time.monotonic()
        step(
            f"load over: {outcomes['journeys']} journeys, {len(outcomes['submitted'])} submitted, "
            f"{len(outcomes['confirmed'])} confirmed; waiting for the queue"
        )
        drained, tasks = drain(env["DATABASE_URL"])
        drain_s = None if drained is None else round(time.monotonic() - load_ended, 1)
        outcomes["timeline"] = sampler.stop()
        if supervisor is not None:
            supervisor.stop()
    outcomes["speed"]["after_ms"] = reference_ms()  # the servers and the worker stopped
    done = data_py(env, "check", str(WORK / "outcomes.json"))
    found = json.loads(done.stdout.strip().splitlines()[-1])
    pages, overall = read_stats()
    failures = read_failures()
    results = summarise(args, outcomes, found, pages, overall, failures, drain_s, tasks, before)
    if plan is not None and supervisor is not None:
        requests = json.loads((WORK / "requests.json").read_text())
        results["faults"] = fault_figures(
            plan, requests, outcomes, found, supervisor.restarts, args
        )
        results["locust_started_at"] = plan.t0
        # A fault run is judged by its own targets: failures while a fault lasts are expected,
        # and a form task's failed attempt is followed by its retry.
        for name in ("no errors", "no failed tasks"):
            results["targets"].pop(name, None)
        results["targets"].update(results["faults"]["targets"])
        results["passed"] = all(results["targets"].values())
    args.results.mkdir(parents=True, exist_ok=True)
    history = read_p95_history()
    (args.results / f"{args.name}.svg").write_text(
        draw(outcomes["timeline"], history, args.warmup, args.warmup + args.seconds)
    )
    (args.results / f"{args.name}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    )
    markdown = to_markdown(results)
    (args.results / f"{args.name}.md").write_text(markdown)
    print()
    print(markdown)
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
