"""What the parts of `make load` (run.py and the modules it uses) share: where the project, the
run's files and the services are, and the log of the run's steps. Imported first, it puts the
project on sys.path for `tests.servers` (the deployment's processes)."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOAD_DIR = ROOT / "load"
WORK = Path("/tmp/registry-load")
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = "redis://127.0.0.1:6379/8"


def step(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", flush=True)
