"""Before the load: the run's database created, migrated and seeded in bulk (bench/seeding.py),
Redis flushed, and the run's people and clerks made by load/data.py; and how many simulated
practitioners give the asked rate of requests."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import redis
from basics import REDIS_URL, ROOT, WORK, step

from tests import servers

# Requests of one journey (load/locustfile.py): a practitioner's 14 or 15 (activation 3 pages,
# login 4, then 11 more, the print page among them), a clerk's confirmation 4.
PRACTITIONER_REQUESTS = 14.5
COUNTER_REQUESTS = 4


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
    redis.Redis.from_url(env.get("REDIS_URL") or REDIS_URL).flushdb()
    step("migrate, createcachetable, collectstatic")
    servers.manage(env, "migrate", "--noinput")
    servers.manage(env, "createcachetable")
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
