"""Counter benchmark (step 3): queue and review pages through the real views, and confirmations
by two concurrent processes against PostgreSQL.

Called by bench/run.py after the register is seeded. Needs Django set up on the bench database.
`python bench/counter_bench.py --confirm-worker IDS_FILE CLERK_ID` is the worker process.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_REQUESTS = 200
PAGE_WARMUP = 20
CONFIRM_PER_WORKER = 300


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def seed_submitted(count: int) -> int:
    """Give practitioners submitted applications in the active campaign until `count` are
    waiting (bench/seeding.py's bulk loading: accounts, photos, versions; idempotent)."""
    from seeding import demo_campaign, seed_applications

    from collection.constants import ApplicationStatus
    from collection.models import Application

    campaign = demo_campaign()
    waiting = Application.objects.filter(campaign=campaign, status=ApplicationStatus.SUBMITTED)
    missing = count - waiting.count()
    if missing > 0:
        seed_applications(campaign=campaign, limit=missing, shares=(0.0, 1.0, 0.0, 0.0))
    return waiting.count()


def measure_pages() -> dict:
    """queue_p95_ms and review_p95_ms for a county clerk, with their (constant) query counts."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from collection.constants import ApplicationStatus
    from collection.models import Application
    from practitioners.constants import Role
    from practitioners.models import Bureau, User

    bureau = Bureau.objects.get(code="450103")
    clerk, _ = User.objects.get_or_create(
        username="bench_clerk_450103",
        defaults={"role": Role.CLERK, "bureau": bureau, "display_name": "测试受理员"},
    )
    client = Client()
    client.force_login(clerk)
    waiting = list(
        Application.objects.filter(bureau=bureau, status=ApplicationStatus.SUBMITTED).values_list(
            "pk", flat=True
        )[:5000]
    )
    rng = random.Random(11)
    pages = max(1, len(waiting) // 50)
    results = {}
    for name, make_url in (
        (
            "queue",
            lambda: reverse("confirmation:queue") + f"?page={rng.randint(1, min(pages, 40))}",
        ),
        ("review", lambda: reverse("confirmation:review", args=[rng.choice(waiting)])),
    ):
        times, counts = [], set()
        for i in range(PAGE_WARMUP + PAGE_REQUESTS):
            url = make_url()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= PAGE_WARMUP:
                times.append(elapsed)
                counts.add(len(ctx.captured_queries))
        results[f"{name}_p50_ms"] = round(statistics.median(times), 2)
        results[f"{name}_p95_ms"] = round(_percentile(times, 0.95), 2)
        results[f"{name}_queries"] = max(counts)
        results[f"{name}_queries_constant"] = len(counts) == 1
    results["queue_waiting_in_bureau"] = Application.objects.filter(
        bureau=bureau, status=ApplicationStatus.SUBMITTED
    ).count()
    return results


def measure_confirmations() -> dict:
    """Two processes confirm different applications of one bureau at once (one archive sequence)."""
    from collection.constants import ApplicationStatus
    from collection.models import Application
    from confirmation.models import Confirmation
    from practitioners.constants import Role
    from practitioners.models import Bureau, User

    bureau = Bureau.objects.get(code="450107")
    clerks = []
    for n in (1, 2):
        clerk, _ = User.objects.get_or_create(
            username=f"bench_confirm_{n}",
            defaults={"role": Role.CLERK, "bureau": bureau, "display_name": f"窗口{n}"},
        )
        clerks.append(clerk)
    ids = list(
        Application.objects.filter(bureau=bureau, status=ApplicationStatus.SUBMITTED)
        .order_by("?")
        .values_list("pk", flat=True)[: 2 * CONFIRM_PER_WORKER]
    )
    halves = ids[0::2], ids[1::2]
    before = Confirmation.objects.count()
    workers = []
    with tempfile.TemporaryDirectory() as tmp:
        for clerk, half in zip(clerks, halves, strict=True):
            path = Path(tmp) / f"{clerk.pk}.json"
            path.write_text(json.dumps(half))
            workers.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--confirm-worker", str(path), str(clerk.pk)],
                    stdout=subprocess.PIPE,
                    text=True,
                    env=os.environ.copy(),
                )
            )
        reports = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    started = min(r["started"] for r in reports)
    finished = max(r["finished"] for r in reports)
    confirmed = Confirmation.objects.filter(application_id__in=ids)
    numbers = list(confirmed.values_list("archive_number", flat=True))
    return {
        "confirm_per_s": round(len(ids) / (finished - started), 1),
        "confirm_total": len(ids),
        "confirm_recorded": Confirmation.objects.count() - before,
        "confirm_lost": len(ids) - len(numbers),
        "archive_numbers_unique": len(numbers) == len(set(numbers)),
        "confirm_errors": sum(r["errors"] for r in reports),
    }


def _confirm_worker(ids_file: str, clerk_id: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from collection.models import Application
    from confirmation import services
    from practitioners.models import User

    clerk = User.objects.select_related("bureau").get(pk=int(clerk_id))
    ids = json.loads(Path(ids_file).read_text())
    applications = list(Application.objects.filter(pk__in=ids).select_related("practitioner"))
    ticks = {
        "sealed_form",
        "form",
        "certificate",
        "id_card",
        "graduation",
        "title",
        "abacus",
        "computing",
        "identity_checked",
    }
    errors = 0
    started = time.time()
    for application in applications:
        try:
            services.confirm_at_counter(
                application=application,
                actor=clerk,
                checklist=ticks,
                revision=application.revision,
            )
        except services.CounterError:
            errors += 1
    finished = time.time()
    print(json.dumps({"started": started, "finished": finished, "errors": errors}))


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--confirm-worker":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.bench")
    _confirm_worker(sys.argv[2], sys.argv[3])
