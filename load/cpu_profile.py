"""`make profile`: where a journey's server CPU goes, page by page, in one process.

The load test (run.py) measures the CPU of the whole deployment under the peak; this says which
page and which code spends it. It prepares a small database like the load's (`registry_profile`:
5,000 people, the run's people and clerks, Redis database 9), then, with the production settings
and Django's test client in this one process (no network, no gunicorn, one core), plays the
load's journeys (load/locustfile.py) for PROFILE_JOURNEYS people, each confirmed at the counter,
and prints the CPU time (process time) of each page, median and total, beside a bare request
(the favicon: every middleware, a trivial view).

    .venv/bin/python load/cpu_profile.py [--journeys 40] [--cprofile out.prof] [--reuse]

--cprofile writes a profile of every page but the password's and the photo's (read it with
`python -m pstats` or snakeviz). --reuse keeps the database of an earlier run (its people
already used are skipped).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from basics import PG_URL, ROOT, WORK, step

from tests import servers

DATABASE = "registry_profile"
REDIS_URL = "redis://127.0.0.1:6379/9"
PROFILE_WORK = WORK.parent / "registry-profile"


def prepare(env: dict[str, str], journeys: int) -> None:
    import redis

    servers.create_database(env["DATABASE_URL"])
    (PROFILE_WORK / "used.json").unlink(missing_ok=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    step("migrate")
    servers.manage(env, "migrate", "--noinput")
    step("seeding 5,000 people")
    for command in (
        [str(ROOT / "bench" / "seeding.py"), "--practitioners", "5000", "--applications", "500"],
        [
            str(ROOT / "load" / "data.py"),
            "people",
            str(PROFILE_WORK / "people.json"),
            "--bureaus",
            "450102,450103",
            "--each",
            str(journeys // 2 + 5),
            "--clerks",
            "1",
        ],
    ):
        subprocess.run([servers.PYTHON, *command], env=env, cwd=ROOT, check=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--journeys", type=int, default=int(os.environ.get("PROFILE_JOURNEYS", 40)))
    p.add_argument("--cprofile", type=Path, default=None)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--queries", action="store_true", help="count each page's SQL queries")
    args = p.parse_args()
    PROFILE_WORK.mkdir(parents=True, exist_ok=True)
    env = servers.production_env(
        database_url=f"{PG_URL}/{DATABASE}",
        redis_url=REDIS_URL,
        media_root=PROFILE_WORK / "media",
        static_root=PROFILE_WORK / "static",
        ALLOWED_HOSTS="testserver,127.0.0.1",
    )
    if not args.reuse or not (PROFILE_WORK / "people.json").exists():
        prepare(env, args.journeys)
        servers.manage(env, "collectstatic", "--noinput")
    step(f"{args.journeys} journeys in one process")
    command = [servers.PYTHON, str(ROOT / "load" / "journeys.py"), str(PROFILE_WORK)]
    command += ["--journeys", str(args.journeys)]
    if args.cprofile:
        command += ["--cprofile", str(args.cprofile.resolve())]
    if args.queries:
        command.append("--queries")
    return subprocess.run(command, env=env, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
