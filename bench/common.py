"""What every module of `make bench` shares: the paths, Django set up on the bench database
(imported first, so that the measuring modules can import the product's models at the top), the
log, and the user the lookups are made as.

bench/run.py is the driver; its child processes (`run.py --serve-lookups`, `--prepare-only`,
`--measure-progress`, `--import-memory FILE`) are started through RUN_PY.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RUN_PY = BENCH_DIR / "run.py"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))  # counter_bench, pdf_bench
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.bench")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry_bench")
# WhiteNoise warns once per process that collectstatic has not run; irrelevant here.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

CITY_USERNAME = "city"  # created by bench/seeding.py: city_staff of bureau 450100


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def vacuum_analyze(table: str | None = None) -> None:
    # Django runs in autocommit outside atomic(), which VACUUM requires.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if table else "VACUUM ANALYZE")
