"""Bulk loading for the benchmark and the load test only: a register of a million people and
tens of thousands of applications cannot be played through the services in reasonable time.

The rows are written as the services would leave them (accounts, photos, versions, references,
return reasons, notices, confirmed records with their counted state) and the tallies are then
recomputed from them (`rebuild`). The demo (`seed_demo`) never takes this path: it is told
through the services (accounting_registry.demo).

    python bench/seeding.py --practitioners N [--applications M]
        (load/run.py runs it with the deployment's environment.)
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_BATCH = 20_000
REGISTER_AGE_DAYS = 120
# Share of people per state: (draft, submitted, returned, confirmed); the rest not started.
STATE_SHARES = (0.06, 0.10, 0.02, 0.22)
RETURN_REASONS = (
    "照片不符合要求，请上传近期免冠证件照。",
    "工作单位未加盖公章。",
    "学历信息与毕业证书不一致。",
)
PHOTO_NAME = "photos/bench/photo.jpg"
NATIONAL_NAME = "photos/bench/photo-102x126.jpg"


def seed(*, practitioners: int, applications: int | None = 0, log=print) -> None:
    """Staff accounts, `practitioners` demo people (COPY), the demo campaign, applications for
    about 40 % of the first `applications` people without an account (None: of everyone; 0:
    none), and the tallies counted from the rows."""
    from accounting_registry.demo import staff_accounts
    from collection import tallies as application_tallies
    from practitioners import tallies as register_tallies
    from practitioners.models import Bureau

    bureaus = list(Bureau.objects.order_by("code"))
    staff_accounts(bureaus)
    inserted = insert_register(practitioners, [b.code for b in bureaus], log=log)
    log(f"register: {inserted:,} new practitioners")
    campaign = demo_campaign()
    if applications != 0:
        counts = seed_applications(campaign=campaign, limit=applications)
        log(f"applications: {counts}")
    register_tallies.rebuild()
    application_tallies.rebuild()


def insert_register(n: int, codes: list[str], *, log=print) -> int:
    from django.db import transaction
    from django.utils import timezone

    from practitioners.bulk import insert_practitioners
    from practitioners.demo import demo_people
    from practitioners.models import Bureau

    ids = dict(Bureau.objects.values_list("code", "id"))
    loaded = timezone.now() - datetime.timedelta(days=REGISTER_AGE_DAYS)
    inserted = 0
    for start in range(0, n, _BATCH):
        stop = min(start + _BATCH, n)
        rows = []
        for person in demo_people(start, stop, codes):
            person["bureau_id"] = ids[person.pop("bureau_code")]
            person["created_at"] = person["updated_at"] = loaded
            rows.append(person)
        with transaction.atomic():
            inserted += insert_practitioners(rows, ignore_conflicts=True)
        if n >= 100_000:
            log(f"  {stop:,} / {n:,}")
    return inserted


def demo_campaign(today: datetime.date | None = None):
    """The demo's campaign (seven weeks in, five to go), active; created when missing."""
    from django.db import transaction
    from django.utils import timezone

    from collection.demo import CAMPAIGN_NAME
    from collection.models import Campaign

    today = today or timezone.localdate()
    start = today - datetime.timedelta(weeks=7, days=today.weekday())
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        with transaction.atomic():
            Campaign.objects.filter(is_active=True).update(is_active=False)
            campaign = Campaign.objects.create(
                name=CAMPAIGN_NAME,
                start_date=start,
                plan_due_date=start + datetime.timedelta(days=14),
                collection_due_date=start + datetime.timedelta(weeks=12),
                is_active=True,
            )
    return campaign


def _photo_files() -> None:
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from core.storage import private_storage

    storage = private_storage()
    if storage.exists(PHOTO_NAME):
        return
    image = Image.new("RGB", (358, 441), (226, 236, 246))
    for name, size in ((PHOTO_NAME, (358, 441)), (NATIONAL_NAME, (102, 126))):
        out = io.BytesIO()
        image.resize(size).save(out, "JPEG", quality=85)
        storage.save(name, ContentFile(out.getvalue()))


def seed_applications(
    *,
    campaign,
    limit: int | None = None,
    shares: tuple[float, float, float, float] = STATE_SHARES,
    seed: int = 2011,
) -> dict[str, int]:
    """Accounts and applications for a deterministic share of the register, as the services
    would have left them; idempotent (people with an account are left out)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from collection.constants import ApplicationStatus
    from collection.models import Application
    from practitioners.demo import DEMO_PASSWORD
    from practitioners.models import Practitioner

    _photo_files()
    password = make_password(DEMO_PASSWORD)
    start = timezone.make_aware(datetime.datetime.combine(campaign.start_date, datetime.time(9)))
    now = timezone.now()
    span = max((now - start).total_seconds() - 4 * 86400, 3600)
    done = set(
        Application.objects.filter(campaign=campaign).values_list("practitioner_id", flat=True)
    )
    people = (
        Practitioner.objects.filter(account__isnull=True).select_related("bureau").order_by("id")
    )
    if limit is not None:
        people = people[:limit]
    states = (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RETURNED,
        ApplicationStatus.CONFIRMED,
    )
    counts = {s: 0 for s in states}
    batch: list = []
    for practitioner in people.iterator(chunk_size=2000):
        if practitioner.pk in done:
            continue
        rng = random.Random(seed * 1_000_003 + practitioner.pk)
        roll, cumulative, status = rng.random(), 0.0, None
        for state, share in zip(states, shares, strict=True):
            cumulative += share
            if roll < cumulative:
                status = state
                break
        if status is None:
            continue
        when = start + datetime.timedelta(seconds=span * (rng.random() ** 0.6))
        batch.append((practitioner, status, when))
        counts[status] += 1
        if len(batch) >= 2000:
            _write(batch, campaign, password)
            batch = []
    if batch:
        _write(batch, campaign, password)
    return counts


def _write(batch, campaign, password: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounting_registry.demo import counter_time
    from collection import diff, notices, tallies
    from collection.constants import APPLICATION_FIELDS, ApplicationStatus
    from collection.models import Application, Notice, Photo, Submission
    from practitioners.constants import Role
    from practitioners.models import Bureau, Practitioner, User

    codes = dict(Bureau.objects.values_list("id", "code"))
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    username=p.id_number,
                    role=Role.PRACTITIONER,
                    display_name=p.name,
                    password=password,
                    mobile=p.mobile,
                    email=p.email,
                    date_joined=when,
                )
                for p, _status, when in batch
            ],
            ignore_conflicts=True,
        )
        by_name = dict(
            User.objects.filter(username__in=[p.id_number for p, _s, _w in batch]).values_list(
                "username", "id"
            )
        )
        for p, _status, _when in batch:
            p.account_id = by_name[p.id_number]
        Practitioner.objects.bulk_update([p for p, _s, _w in batch], ["account"], batch_size=1000)
        photos = Photo.objects.bulk_create(
            [
                Photo(
                    practitioner=p,
                    image=PHOTO_NAME,
                    national_image=NATIONAL_NAME,
                    sha256="bench",
                    uploaded_at=when,
                )
                for p, _status, when in batch
            ]
        )
        applications, records = [], {}
        for (p, status, when), photo in zip(batch, photos, strict=True):
            rng = random.Random(p.pk)
            record = diff.record_values(p)
            records[p.pk] = record
            values = dict(record)
            if status != ApplicationStatus.DRAFT and rng.random() < 0.3:
                values["mobile"] = f"139{rng.randint(0, 99999999):08d}"
            submitted = status != ApplicationStatus.DRAFT
            returned = status == ApplicationStatus.RETURNED
            confirmed = status == ApplicationStatus.CONFIRMED
            decided = counter_time(when, rng, timezone.now())
            applications.append(
                Application(
                    campaign=campaign,
                    practitioner=p,
                    bureau_id=p.bureau_id,
                    status=status,
                    counted_as=tallies.state_of(
                        status, when if submitted else None, decided if returned else None
                    ),
                    data=values,
                    photo=photo,
                    created_at=when,
                    updated_at=decided if returned or confirmed else when,
                    reference=f"{codes[p.bureau_id]}{campaign.start_date:%y}{p.pk:06d}"
                    if submitted
                    else None,
                    submitted_at=when if submitted else None,
                    returned_at=decided if returned else None,
                    return_reason=rng.choice(RETURN_REASONS) if returned else "",
                    confirmed_at=decided if confirmed else None,
                    revision=2 if returned or confirmed else 1,
                )
            )
        Application.objects.bulk_create(applications)
        Submission.objects.bulk_create(
            [
                Submission(
                    application=a,
                    number=1,
                    data=a.data,
                    record=records[a.practitioner_id],
                    photo=a.photo,
                    submitted_at=a.submitted_at,
                    submitted_by_id=a.practitioner.account_id,
                )
                for a in applications
                if a.status != ApplicationStatus.DRAFT
            ]
        )
        Notice.objects.bulk_create(
            [
                notices.compose(
                    *(
                        notices.returned(a)
                        if a.status == ApplicationStatus.RETURNED
                        else notices.confirmed(a)
                    ),
                    user_id=a.practitioner.account_id,
                    application=a,
                    created_at=a.returned_at or a.confirmed_at,
                    read_at=a.confirmed_at,
                )
                for a in applications
                if a.status in (ApplicationStatus.RETURNED, ApplicationStatus.CONFIRMED)
            ]
        )
        confirmed = [a for a in applications if a.status == ApplicationStatus.CONFIRMED]
        for a in confirmed:
            p = a.practitioner
            for field in APPLICATION_FIELDS:
                setattr(p, field, diff.python_value(field, a.data[field]))
            p.confirmed_at = p.updated_at = a.confirmed_at
        Practitioner.objects.bulk_update(
            [a.practitioner for a in confirmed],
            [*APPLICATION_FIELDS, "confirmed_at", "updated_at"],
            batch_size=1000,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, required=True)
    parser.add_argument(
        "--applications",
        type=int,
        default=None,
        help="of the first N people without an account, about 40%% get an application "
        "(default: of everyone; 0: nobody)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounting_registry.settings.dev")
    import django

    django.setup()
    seed(practitioners=args.practitioners, applications=args.applications)


if __name__ == "__main__":
    main()
