"""Demo registrations: approved records imported from before the system, some waiting for a
clerk, people who did business before collecting (the flagged lists), and one change request
waiting at the counter of 青秀区."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from collection import diff
from collection import services as collection_services
from collection.constants import ApplicationStatus
from collection.models import Application, Campaign
from practitioners.models import Practitioner

PROVIDERS = ("南宁市会计学会", "广西财经学院继续教育学院", "全国会计继续教育网络平台")
CONTENTS = ("企业会计准则解读", "政府会计制度", "管理会计实务", "增值税政策更新")
POSTS = ("会计", "出纳", "会计主管", "财务经理")


def seed_business(*, campaign: Campaign, seed: int = 7) -> dict[str, int]:
    if OnPostRegistration.objects.exists() or EducationRecord.objects.exists():
        return {"on_post": 0, "education": 0, "changes": 0}  # seeded before
    rng = random.Random(seed)
    now = timezone.now()
    confirmed = list(
        Practitioner.objects.filter(
            applications__campaign=campaign, applications__status=ApplicationStatus.CONFIRMED
        )
        .order_by("id")
        .values_list("id", "employer", "position")[:400]
    )
    unconfirmed = list(
        Practitioner.objects.filter(confirmed_at__isnull=True)
        .order_by("id")
        .values_list("id", "employer", "position")[:2000:25]
    )
    on_post, education = [], []

    def earlier(person_id, employer, position):
        start = datetime.date(rng.randint(2008, 2020), rng.randint(1, 12), 1)
        on_post.append(
            OnPostRegistration(
                practitioner_id=person_id,
                employer=employer or "南宁市某商贸有限公司",
                post=position or rng.choice(POSTS),
                start_date=start,
                status=RegistrationStatus.APPROVED,
                source=Source.IMPORTED,
                submitted_at=now - datetime.timedelta(days=400),
                decided_at=now - datetime.timedelta(days=400),
            )
        )
        for year in range(max(start.year, 2021), 2026):
            education.append(
                EducationRecord(
                    practitioner_id=person_id,
                    year=year,
                    hours=Decimal(rng.choice((24, 36, 48))),
                    provider=rng.choice(PROVIDERS),
                    content=rng.choice(CONTENTS),
                    status=RegistrationStatus.APPROVED,
                    source=Source.IMPORTED,
                    submitted_at=now - datetime.timedelta(days=400),
                    decided_at=now - datetime.timedelta(days=400),
                )
            )

    for row in confirmed[::3]:
        earlier(*row)
    for row in unconfirmed:  # did business before collecting: flagged
        earlier(*row)
    # Waiting for a clerk: online registrations of confirmed people (not the sample ones).
    for person_id, _employer, _position in confirmed[5:60:4]:
        education.append(
            EducationRecord(
                practitioner_id=person_id,
                year=now.year,
                hours=Decimal(rng.choice((12, 24, 36))),
                provider=rng.choice(PROVIDERS),
                content=rng.choice(CONTENTS),
                submitted_at=now - datetime.timedelta(hours=rng.randint(1, 72)),
            )
        )
    for person_id, employer, _position in confirmed[7:60:9]:
        on_post.append(
            OnPostRegistration(
                practitioner_id=person_id,
                employer=employer or "南宁市某科技有限公司",
                post=rng.choice(POSTS),
                start_date=now.date() - datetime.timedelta(days=rng.randint(5, 60)),
                submitted_at=now - datetime.timedelta(hours=rng.randint(1, 72)),
            )
        )
    OnPostRegistration.objects.bulk_create(on_post, batch_size=1000)
    EducationRecord.objects.bulk_create(education, batch_size=1000)
    changes = _waiting_change(campaign)
    return {"on_post": len(on_post), "education": len(education), "changes": changes}


def _waiting_change(campaign: Campaign) -> int:
    """The second confirmed person of 青秀区 has a change of employer at the counter."""
    application = (
        Application.objects.filter(
            campaign=campaign, status=ApplicationStatus.CONFIRMED, bureau__code="450103"
        )
        .select_related("practitioner__account")
        .order_by("id")[1:2]
        .first()
    )
    if application is None or application.practitioner.account is None:
        return 0
    person = application.practitioner
    values = {f: diff.python_value(f, v) for f, v in diff.record_values(person).items()}
    values.update(employer="广西北部湾会计师事务所有限公司", position="审计助理")
    collection_services.submit_change(
        practitioner=person, actor=person.account, values=values, revision=0
    )
    return 1
