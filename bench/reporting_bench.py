"""Progress reporting at scale: the city dashboard's live figures and the public bulletin page.

`progress_all_ms` times `reporting.selectors.overview` — every bureau's live figures, forecast,
plan and sheet: what the city's dashboard reads — in a fresh process per database, so that the
N and N/10 databases are measured alike. Both databases first get the same number of hourly
tally rows a twelve-week campaign leaves (13 bureaus × 5 figures × 10 office hours × 84 days;
each +1/−1 pair cancels out, so the figures stay the register's): the dashboard's cost grows
with the campaign's hours, not with the register, and the bench shows it with a realistic table.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

PROGRESS_WARMUP = 20
PROGRESS_REQUESTS = 200
BULLETIN_WARMUP = 20
BULLETIN_REQUESTS = 200
CAMPAIGN_DAYS = 84
OFFICE_HOURS = range(8, 18)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def pad_tallies(campaign) -> int:
    """Hourly tally rows in every office hour of a twelve-week campaign, as many as a real
    campaign's activity leaves: +1 on even days and −1 on odd days, so that every figure's sum
    (what the dashboard shows) stays the same. Returns the rows added."""
    from collection.constants import TALLY_STATES, TallyFigure
    from collection.models import ApplicationTally
    from core import tallies
    from practitioners.models import Bureau

    assert CAMPAIGN_DAYS % 2 == 0, "an even number of days keeps every sum"
    start = datetime.datetime.combine(campaign.start_date, datetime.time(0), tzinfo=datetime.UTC)
    # Run again, it adds to the same rows: their number stays, and so does every sum.
    before = ApplicationTally.objects.count()
    deltas = {}
    for bureau_id in Bureau.objects.values_list("id", flat=True):
        for day in range(CAMPAIGN_DAYS):
            for hour in OFFICE_HOURS:
                moment = start + datetime.timedelta(days=day, hours=hour)
                for figure in (*TALLY_STATES, TallyFigure.CONFIRMATIONS):
                    deltas[(campaign.pk, bureau_id, figure, moment)] = 1 if day % 2 == 0 else -1
    tallies.add(ApplicationTally, deltas)
    return ApplicationTally.objects.count() - before


def measure_progress() -> dict:
    """Child process: the dashboard's read of every bureau's live figures, timed in-process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collection.selectors import active_campaign
    from reporting import selectors

    campaign = active_campaign()
    times, counts = [], set()
    for i in range(PROGRESS_WARMUP + PROGRESS_REQUESTS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rows = selectors.overview(campaign=campaign)
            elapsed = (time.perf_counter() - started) * 1000
        assert len(rows) == 13
        if i >= PROGRESS_WARMUP:
            times.append(elapsed)
            counts.add(len(ctx.captured_queries))
    from collection.models import ApplicationTally
    from practitioners.models import Practitioner, RegisterTally

    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "queries": max(counts),
        "queries_constant": len(counts) == 1,
        "tally_rows": ApplicationTally.objects.count() + RegisterTally.objects.count(),
        "practitioners": Practitioner.objects.count(),
        "holders_shown": sum(r.figures.holders for r in rows),
    }


def measure_bulletin() -> dict:
    """bulletin_p95_ms: the public bulletin page, for an anonymous visitor."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reporting.models import Bulletin

    bulletin = Bulletin.objects.order_by("-published_at").first()
    if bulletin is None:  # the bulk seeding publishes none: last week's, through the service
        from collection.selectors import active_campaign
        from practitioners.models import User
        from reporting import services, weeks

        campaign = active_campaign()
        bulletin = services.publish_bulletin(
            campaign=campaign,
            week=weeks.current_week(campaign).previous(),
            actor=User.objects.get(username="city"),
        )
    url = reverse("reporting:bulletin", args=[bulletin.campaign_id, bulletin.week])
    client = Client()
    times, counts = [], set()
    for i in range(BULLETIN_WARMUP + BULLETIN_REQUESTS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        if i >= BULLETIN_WARMUP:
            times.append(elapsed)
            counts.add(len(ctx.captured_queries))
    return {
        "bulletin_p50_ms": round(statistics.median(times), 2),
        "bulletin_p95_ms": round(_percentile(times, 0.95), 2),
        "bulletin_queries": max(counts),
        "bulletin_queries_constant": len(counts) == 1,
        "bulletin_kb": round(len(response.content) / 1024, 1),
    }


def progress_child_main() -> None:
    """Entry of `run.py --measure-progress`: prepare the padding, measure, print one JSON line."""
    from collection.selectors import active_campaign

    pad_tallies(active_campaign())
    print(json.dumps(measure_progress()), flush=True)


def measure_progress_in_child(url: str) -> dict[str, Any]:
    """measure_progress on one database, in a fresh process (`run.py --measure-progress`)."""
    from common import RUN_PY

    output = subprocess.run(
        [sys.executable, str(RUN_PY), "--measure-progress"],
        env=os.environ | {"DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_progress_at_both_sizes() -> dict[str, Any]:
    """The city dashboard's figures at N and at N/10 (a child process each), as results.json
    names them."""
    from common import log
    from databases import small_database_url

    log("progress: the city dashboard's live figures at N and N/10 (a child process each)")
    progress = {
        name: measure_progress_in_child(url)
        for name, url in (
            ("large", os.environ["DATABASE_URL"]),
            ("small", small_database_url(os.environ["DATABASE_URL"])),
        )
    }
    return {
        "progress_all_p50_ms": progress["large"]["p50_ms"],
        "progress_all_p95_ms": progress["large"]["p95_ms"],
        "progress_all_p50_ms_small": progress["small"]["p50_ms"],
        "progress_all_p95_ms_small": progress["small"]["p95_ms"],
        "progress_growth": round(progress["large"]["p95_ms"] / progress["small"]["p95_ms"], 3),
        "progress_queries": progress["large"]["queries"],
        "progress_queries_constant": progress["large"]["queries_constant"]
        and progress["small"]["queries_constant"]
        and progress["large"]["queries"] == progress["small"]["queries"],
        "progress_tally_rows": progress["large"]["tally_rows"],
        "progress_holders_shown": progress["large"]["holders_shown"],
    }
