"""Demo data of the collection app: a campaign in progress today with weeks of history,
practitioner accounts and applications in every state. Idempotent."""

import datetime
import io
import random

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from accounting_registry.storage import private_storage
from collection import diff, notices, tallies
from collection.constants import APPLICATION_FIELDS, ApplicationStatus
from collection.models import Application, Campaign, Notice, Photo, Submission
from practitioners.constants import Role
from practitioners.demo import DEMO_PASSWORD
from practitioners.models import Bureau, Practitioner, User

DEMO_PHOTO_NAME = "photos/demo/demo-photo.jpg"
DEMO_NATIONAL_NAME = "photos/demo/demo-photo-102x126.jpg"
CAMPAIGN_NAME = "南宁市会计从业人员基本信息采集"
# Share of practitioners per state: (draft, submitted, returned, confirmed); the rest not started.
STATE_SHARES = (0.06, 0.10, 0.02, 0.22)
RETURN_REASONS = (
    "照片不符合要求，请上传近期免冠证件照。",
    "工作单位未加盖公章。",
    "学历信息与毕业证书不一致。",
)


def demo_campaign(today: datetime.date | None = None) -> Campaign:
    """A campaign that started seven weeks ago and ends in five weeks; active."""
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
    if not Campaign.objects.filter(name="2011年南宁市会计从业人员基本信息采集").exists():
        Campaign.objects.create(
            name="2011年南宁市会计从业人员基本信息采集",
            start_date=datetime.date(2011, 5, 16),
            plan_due_date=datetime.date(2011, 6, 2),
            collection_due_date=datetime.date(2011, 6, 30),
            is_active=False,
        )
    return campaign


def _demo_photo_files() -> None:
    storage = private_storage()
    if storage.exists(DEMO_PHOTO_NAME):
        return
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (358, 441), (226, 236, 246))
    draw = ImageDraw.Draw(image)
    draw.ellipse((119, 70, 239, 210), fill=(120, 130, 145))  # head
    draw.rounded_rectangle((59, 220, 299, 480), radius=90, fill=(120, 130, 145))  # shoulders
    for name, size in ((DEMO_PHOTO_NAME, (358, 441)), (DEMO_NATIONAL_NAME, (102, 126))):
        out = io.BytesIO()
        image.resize(size).save(out, "JPEG", quality=85)
        storage.save(name, ContentFile(out.getvalue()))


def seed_applications(
    *,
    campaign: Campaign,
    limit: int | None = None,
    shares: tuple[float, float, float, float] = STATE_SHARES,
    seed: int = 2011,
) -> dict[str, int]:
    """Accounts and applications for a deterministic share of the register (bulk inserts): each
    the state the services would have left it in (versions with the record they were made
    against, references, return reasons and notices, confirmed records). The counter's side
    (confirmations, archive numbers, returns at the counter) is confirmation.demo's.

    shares: of (draft, submitted, returned, confirmed); the rest have not started.
    """
    _demo_photo_files()
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
    counts = {s: 0 for s in ApplicationStatus.values}
    batch: list[tuple[Practitioner, str, datetime.datetime]] = []
    for practitioner in people.iterator(chunk_size=2000):
        if practitioner.pk in done:
            continue
        # Seeded per person: a second run rolls the same dice and adds no one.
        rng = random.Random(seed * 1_000_003 + practitioner.pk)
        roll = rng.random()
        cumulative = 0.0
        status = None
        for state, share in zip(ApplicationStatus.values[:4], shares, strict=True):
            cumulative += share
            if roll < cumulative:
                status = state
                break
        if status is None:
            continue
        # Activity grows towards the deadline: later weeks busier than the first. Decisions
        # come up to three days after submission, so everything lies in the past.
        when = start + datetime.timedelta(seconds=span * (rng.random() ** 0.6))
        batch.append((practitioner, status, when))
        counts[status] += 1
        if len(batch) >= 2000:
            _write(batch, campaign, password)
            batch = []
    if batch:
        _write(batch, campaign, password)
    return counts


def _write(batch, campaign: Campaign, password: str) -> None:
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
                    image=DEMO_PHOTO_NAME,
                    national_image=DEMO_NATIONAL_NAME,
                    sha256="demo",
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
                values["mobile"] = f"139{rng.randint(0, 99999999):08d}"  # a correction made online
            submitted = status != ApplicationStatus.DRAFT
            returned = status == ApplicationStatus.RETURNED
            confirmed = status == ApplicationStatus.CONFIRMED
            decided = _counter_time(when, rng)
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
                    has_identity_changes=False,  # demo corrections touch the mobile only
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
        with translation.override("zh-hans"):
            Notice.objects.bulk_create(
                [
                    Notice(
                        user_id=a.practitioner.account_id,
                        application=a,
                        subject=subject,
                        body=body,
                        created_at=a.returned_at or a.confirmed_at,
                        read_at=a.confirmed_at,  # seen long ago
                    )
                    for a in applications
                    if a.status in (ApplicationStatus.RETURNED, ApplicationStatus.CONFIRMED)
                    for subject, body in [
                        notices.returned(a)
                        if a.status == ApplicationStatus.RETURNED
                        else notices.confirmed(a)
                    ]
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


# When the halls are open (周一至周五 8:00-12:00，15:00-18:00): the counter decides then.
_COUNTER_HOURS = (8, 9, 10, 11, 15, 16, 17)


def _counter_time(submitted: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """A moment one to three working days after the submission, in the hall's opening hours,
    and in the past."""
    day = timezone.localtime(submitted).date() + datetime.timedelta(days=rng.choice((1, 2, 3)))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    moment = timezone.make_aware(
        datetime.datetime.combine(
            day, datetime.time(rng.choice(_COUNTER_HOURS), rng.randint(0, 59), rng.randint(0, 59))
        )
    )
    return min(moment, timezone.now() - datetime.timedelta(minutes=5))


def sample_people(campaign: Campaign) -> list[tuple[str, str, str, str]]:
    """A few demo practitioners to try the site with, all of 青秀区 (served by clerk_450103):
    (state, login or activation data, name, the clerk of their bureau)."""
    rows = []
    county = Bureau.objects.get(code="450103")
    for status in ApplicationStatus.values:
        application = (
            Application.objects.filter(campaign=campaign, status=status, bureau=county)
            .select_related("practitioner")
            .order_by("id")
            .first()
        )
        if application:
            p = application.practitioner
            rows.append((status, p.id_number, p.name, f"clerk_{county.code}"))
    fresh = Practitioner.objects.filter(account__isnull=True, bureau=county).order_by("id").first()
    if fresh:
        rows.append(
            (
                "not activated",
                f"{fresh.id_number} / certificate {fresh.cert_number}",
                fresh.name,
                f"clerk_{county.code}",
            )
        )
    return rows
