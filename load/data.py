"""The load test's side of the database (run by load/run.py in a child process with the
deployment's environment, Django set up):

    python load/data.py people OUT.json [--bureaus 450102,450103] [--each 600] [--clerks 3]
        The people and clerks of the run: practitioners of the chosen county bureaus who have
        no account (they activate one) and others given an account now (they log in), each
        without an application, and clerk accounts of those bureaus. Written to OUT.json.

    python load/data.py check OUTCOMES.json
        What the database holds of what the load tool saw succeed: every submission it saw
        accepted as a submitted or confirmed application with a submission, every confirmation
        as a Confirmation; the queue's tasks and the printed forms kept. Printed as JSON.
"""

import argparse
import datetime
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def people(out: Path, *, bureaus: list[str], each: int, clerks: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from practitioners.constants import Role
    from practitioners.demo import DEMO_PASSWORD
    from practitioners.models import Bureau, Practitioner, User

    password = make_password(DEMO_PASSWORD)  # the production hasher (Argon2), hashed once
    rng = random.Random(2026)
    found: dict[str, list[dict]] = {"activate": [], "login": []}
    staff: dict[str, list[str]] = {}
    with transaction.atomic():
        for code in bureaus:
            bureau = Bureau.objects.get(code=code)
            free = list(
                Practitioner.objects.filter(
                    bureau=bureau, account__isnull=True, applications__isnull=True
                )
                .order_by("id")
                .values("id", "name", "id_number", "cert_number", "mobile", "email")[: 2 * each]
            )
            if len(free) < 2 * each:
                raise SystemExit(
                    f"{code}: only {len(free)} people without an account; seed more practitioners"
                )
            rng.shuffle(free)
            activating, logging_in = free[:each], free[each:]
            for person in activating:
                found["activate"].append(
                    {
                        "bureau": code,
                        "name": person["name"],
                        "id_number": person["id_number"],
                        "cert_number": person["cert_number"],
                        "mobile": person["mobile"],
                        "email": person["email"],
                    }
                )
            accounts = User.objects.bulk_create(
                [
                    User(
                        username=p["id_number"],
                        role=Role.PRACTITIONER,
                        display_name=p["name"],
                        password=password,
                        mobile=p["mobile"],
                        email=p["email"],
                    )
                    for p in logging_in
                ]
            )
            for person, account in zip(logging_in, accounts, strict=True):
                Practitioner.objects.filter(pk=person["id"]).update(account=account)
                found["login"].append({"bureau": code, "id_number": person["id_number"]})
            staff[code] = []
            for n in range(1, clerks + 1):
                username = f"load_clerk_{code}_{n}"
                User.objects.update_or_create(
                    username=username,
                    defaults={
                        "role": Role.CLERK,
                        "bureau": bureau,
                        "display_name": f"{bureau.short_name}受理员{n}",
                        "password": password,
                    },
                )
                staff[code].append(username)
    out.write_text(
        json.dumps(
            {"password": DEMO_PASSWORD, "clerks": staff, **found}, ensure_ascii=False, indent=1
        )
    )
    print(
        f"{len(found['activate'])} to activate, {len(found['login'])} to log in, "
        f"{sum(map(len, staff.values()))} clerks in {len(bureaus)} bureaus"
    )


def check(outcomes_path: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    from collection.constants import ApplicationStatus
    from collection.models import Application, Submission
    from collection.selectors import active_campaign
    from confirmation.models import Confirmation

    outcomes = json.loads(outcomes_path.read_text())
    submitted = set(outcomes["submitted"])
    confirmed = set(outcomes["confirmed"])
    campaign = active_campaign()
    applications = Application.objects.filter(
        campaign=campaign, practitioner__id_number__in=submitted | confirmed
    )
    found_submitted = set(
        applications.filter(
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.CONFIRMED),
            submissions__isnull=False,
        ).values_list("practitioner__id_number", flat=True)
    )
    found_confirmed = set(
        Confirmation.objects.filter(
            application__in=applications.filter(status=ApplicationStatus.CONFIRMED)
        ).values_list("practitioner__id_number", flat=True)
    )
    started = datetime.datetime.fromtimestamp(outcomes["started_at"], tz=datetime.UTC)
    run_submissions = Submission.objects.filter(application__in=applications)
    # Every submission made while the load ran, seen or not (a submit whose answer had not come
    # back when locust stopped is not among the seen ones, and is no loss).
    all_of_the_run = Submission.objects.filter(submitted_at__gte=started).count()
    tasks = DBTaskResult.objects.filter(task_path="collection.tasks.render_application_form")
    by_status: dict[str, int] = {}
    for status in tasks.values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    # From a submit (its form's task is enqueued in the submit's transaction) to the stored PDF.
    stored_after_s = sorted(
        (finished - enqueued).total_seconds()
        for enqueued, finished in tasks.filter(
            enqueued_at__gte=started, status="SUCCESSFUL"
        ).values_list("enqueued_at", "finished_at")
    )
    stored = stored_files("application-forms/")
    by_application: dict[str, set[str]] = {}
    for name in stored:
        folder, _, file = name.rpartition("/")
        by_application.setdefault(folder.rpartition("/")[2], set()).add(file.split("-", 1)[0])
    run_forms = {
        f"{a}/{n}"
        for a, n in run_submissions.values_list("application_id", "number")
        if str(n) in by_application.get(str(a), set())
    }
    # Submissions made while the load ran whose form is stored: every one, after draining.
    without_form = [
        f"{a}/{n}"
        for a, n in Submission.objects.filter(submitted_at__gte=started).values_list(
            "application_id", "number"
        )
        if str(n) not in by_application.get(str(a), set())
    ]
    audit = audit_events(submitted, confirmed)
    whole = whole_files(started) if os.environ.get("LOAD_CHECK_FILES") else None
    stuck = tasks.filter(status__in=("READY", "RUNNING")).count()
    print(
        json.dumps(
            {
                "submitted_seen": len(submitted),
                "submitted_found": len(found_submitted & submitted),
                "lost_submissions": sorted(submitted - found_submitted),
                "confirmed_seen": len(confirmed),
                "confirmed_found": len(found_confirmed & confirmed),
                "lost_confirmations": sorted(confirmed - found_confirmed),
                "submissions_of_the_run": all_of_the_run,
                "form_tasks": by_status,
                "forms_stored": len(stored),
                "forms_stored_of_the_run": len(run_forms),
                "submissions_without_form": without_form[:20],
                "submissions_without_form_count": len(without_form),
                "tasks_stuck": stuck,
                "audit": audit,
                "files": whole,
                "stored_pdf_s": [round(v, 1) for v in stored_after_s],
                "floor_ms": floor(),
            }
        )
    )


def stored_files(prefix: str) -> list[str]:
    """Names of the private files under `prefix`, on the file system or in the bucket."""
    from core.storage import private_storage

    storage = private_storage()
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        location = storage.location.rstrip("/") + "/"
        return [
            o.key.removeprefix(location) for o in bucket.objects.filter(Prefix=location + prefix)
        ]
    root = Path(storage.path(""))
    return [
        str(p.relative_to(root))
        for p in (root / prefix).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    ]


def audit_events(submitted: set[str], confirmed: set[str]) -> dict:
    """Every submission and confirmation locust saw has its audit event."""
    from practitioners.constants import AuditAction
    from practitioners.models import AuditEvent

    def having(action: str, people: set[str]) -> set[str]:
        return set(
            AuditEvent.objects.filter(action=action, practitioner__id_number__in=people)
            .values_list("practitioner__id_number", flat=True)
            .distinct()
        )

    lost_submitted = submitted - having(AuditAction.SUBMITTED, submitted)
    lost_confirmed = confirmed - having(AuditAction.CONFIRMED, confirmed)
    return {
        "submitted_without_event": len(lost_submitted),
        "confirmed_without_event": len(lost_confirmed),
        "lost": len(lost_submitted) + len(lost_confirmed),
        "chain": audit_chain(),
    }


def audit_chain() -> dict:
    """The run's audit events sealed into the chain (as `seal_audit` does every minute), and
    the whole chain verified: how long each takes, and whether it is intact."""
    import time

    from practitioners import auditchain

    started = time.perf_counter()
    sealed = auditchain.seal()
    sealed_s = time.perf_counter() - started
    started = time.perf_counter()
    report = auditchain.verify()
    return {
        "sealed": sealed,
        "seal_s": round(sealed_s, 1),
        "verified": report.sealed,
        "verify_s": round(time.perf_counter() - started, 1),
        "intact": report.problem is None,
        "problem": report.problem.text if report.problem else None,
    }


def whole_files(started: datetime.datetime) -> dict:
    """Every PDF and photo stored for the run read back whole: a PDF that parses to its last
    page, a JPEG that decodes; and no part file left on the file system."""
    import io

    from PIL import Image
    from pypdf import PdfReader

    from collection.models import Photo
    from core.storage import private_storage

    storage = private_storage()
    broken: list[str] = []
    checked = {"pdf": 0, "photo": 0}
    for name in stored_files("application-forms/"):
        with storage.open(name, "rb") as f:
            data = f.read()
        try:
            reader = PdfReader(io.BytesIO(data), strict=True)
            assert len(reader.pages) >= 1 and data.rstrip().endswith(b"%%EOF")
            reader.pages[-1].extract_text()
        except Exception:  # noqa: BLE001 - counted
            broken.append(name)
        checked["pdf"] += 1
    for photo in Photo.objects.filter(uploaded_at__gte=started):
        for field in (photo.image, photo.national_image):
            try:
                with field.open("rb") as f:
                    Image.open(io.BytesIO(f.read())).load()
            except Exception:  # noqa: BLE001 - counted
                broken.append(field.name)
            checked["photo"] += 1
    parts = []
    if getattr(storage, "bucket", None) is None:
        parts = [str(p) for p in Path(storage.path("")).rglob(".*.part")]
    return {
        "checked": checked,
        "broken": broken[:20],
        "broken_count": len(broken),
        "part_files": parts[:20],
    }


def floor() -> dict[str, float]:
    """What a journey cannot do without, measured here with the production settings: the
    password hash (Argon2id, once a journey: its login or activation), the photo's work
    (checking, re-encoding and cropping the load's 1200 x 1600 JPEG) and a bare Django request
    (the favicon: every middleware, a trivial view), median of a few runs each."""
    import io
    import statistics
    import time

    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from PIL import Image

    from collection import photos

    def median_ms(work, runs: int) -> float:
        work()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 2)

    image = io.BytesIO()
    Image.new("RGB", (1200, 1600), (236, 238, 240)).save(image, "JPEG", quality=90)
    photo = image.getvalue()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert client.get("/favicon.ico").status_code == 301
    return {
        "password_hash_ms": median_ms(lambda: make_password("Load-test-2026!"), 5),
        "photo_ms": median_ms(lambda: photos.process_photo(photo, None), 5),
        "bare_request_ms": median_ms(lambda: client.get("/favicon.ico"), 50),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.production")
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("people")
    p.add_argument("out", type=Path)
    p.add_argument("--bureaus", default="450102,450103,450105,450107")
    p.add_argument("--each", type=int, default=600)
    p.add_argument("--clerks", type=int, default=3)
    c = commands.add_parser("check")
    c.add_argument("outcomes", type=Path)
    args = parser.parse_args()
    if args.command == "people":
        people(args.out, bureaus=args.bureaus.split(","), each=args.each, clerks=args.clerks)
    else:
        check(args.outcomes)


if __name__ == "__main__":
    main()
