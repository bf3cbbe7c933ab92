"""The staff lookup by full ID number, through the real view (middleware, permissions,
template), at BENCH_N and at BENCH_N/10: latency percentiles, queries per request, growth.

The view reads the `default` connection, so rather than rewiring django.db.connections inside
one process, two `run.py --serve-lookups` children (one per size, fresh processes under the
same conditions, DATABASE_URL pointed at one database each) measure the lookup in alternating
blocks, so that other work on the machine during the run hits both sizes alike.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from common import CITY_USERNAME, RUN_PY, log
from databases import small_database_url
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practitioners.constants import Role
from practitioners.models import Practitioner, User

LOOKUP_REQUESTS = 300
LOOKUP_WARMUP = 30
LOOKUP_BLOCK = 10  # requests per turn when the two sizes alternate
LOOKUP_SEED = 20_260_101  # same sample of people on every run


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
            [sys.executable, str(RUN_PY), "--serve-lookups"],
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


def measure(n: int, n_small: int) -> dict[str, Any]:
    """The lookup's figures at both sizes, as results.json names them."""
    log(
        f"lookups at N = {n:,} and N/10 = {n_small:,}: {LOOKUP_WARMUP} warm-up + "
        f"{LOOKUP_REQUESTS} requests each, interleaved in blocks of {LOOKUP_BLOCK}"
    )
    large, small = measure_lookups(n, n_small)
    large_stats, small_stats = large.summary(), small.summary()
    return {
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
    }
