"""Demo data of the counter: for the demo's confirmed and returned applications
(collection.demo), what the counter would have recorded: each confirmation with its clerk,
checklist, changes and archive number (numbered per bureau and year in the order confirmed),
first prints of most of them, and each return at the counter. Idempotent."""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from collection import diff
from collection.constants import ApplicationStatus
from collection.models import Application, Campaign, Submission
from confirmation.constants import PrintKind
from confirmation.models import ArchiveSequence, Confirmation, CounterReturn, PrintLog
from confirmation.services import required_ticks
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, User

PRINTED_SHARE = 0.9


def seed_counter(*, campaign: Campaign) -> dict[str, int]:
    """Confirmations and counter returns for the campaign's decided applications that lack them
    (the clerk of each bureau, `clerk_<code>`, decided)."""
    clerks = {u.bureau_id: u for u in User.objects.filter(username__startswith="clerk_")}
    confirmed = list(
        Application.objects.filter(campaign=campaign, status=ApplicationStatus.CONFIRMED)
        .exclude(confirmation__isnull=False)
        .select_related("practitioner", "bureau")
        .order_by("confirmed_at", "id")
    )
    returned = list(
        Application.objects.filter(campaign=campaign, status=ApplicationStatus.RETURNED)
        .exclude(pk__in=CounterReturn.objects.values("application_id"))
        .order_by("returned_at", "id")
    )
    latest = _latest_submissions([a.pk for a in confirmed])
    with transaction.atomic():
        last = defaultdict(int)
        for row in ArchiveSequence.objects.values("bureau_id", "year", "last_number"):
            last[row["bureau_id"], row["year"]] = row["last_number"]
        confirmations, prints = [], []
        for application in confirmed:
            submission = latest[application.pk]
            year = timezone.localtime(application.confirmed_at).year
            last[application.bureau_id, year] += 1
            changes = diff.changes_between(submission.record, submission.data)
            confirmation = Confirmation(
                application=application,
                submission=submission,
                practitioner=application.practitioner,
                bureau=application.bureau,
                clerk=clerks[application.bureau_id],
                confirmed_at=application.confirmed_at,
                archive_number=f"{application.bureau.code}{year}{last[application.bureau_id, year]:06d}",
                checklist=[
                    key for key, _label in required_ticks(data=submission.data, changes=changes)
                ],
                changes=[
                    {"field": c.field, "label": c.label, "old": c.old, "new": c.new}
                    for c in changes
                ],
            )
            confirmations.append(confirmation)
        Confirmation.objects.bulk_create(confirmations, batch_size=1000)
        # The audit event _confirm_application writes (the record's history reads it).
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    at=c.confirmed_at,
                    actor=c.clerk,
                    action=AuditAction.CONFIRMED,
                    bureau_id=c.bureau_id,
                    practitioner_id=c.practitioner_id,
                    detail={
                        "reference": c.application.reference,
                        "version": c.submission.number,
                        "changes": [
                            {"field": x["field"], "old": x["old"], "new": x["new"]}
                            for x in c.changes
                        ],
                        "archive_number": c.archive_number,
                        "checklist": c.checklist,
                    },
                )
                for c in confirmations
            ],
            batch_size=1000,
        )
        for confirmation in confirmations:
            if random.Random(confirmation.application_id).random() < PRINTED_SHARE:
                prints.append(
                    PrintLog(
                        bureau_id=confirmation.bureau_id,
                        confirmation=confirmation,
                        kind=PrintKind.FIRST,
                        printed_by=confirmation.clerk,
                        printed_at=confirmation.confirmed_at + datetime.timedelta(minutes=2),
                    )
                )
        PrintLog.objects.bulk_create(prints, batch_size=1000)
        for (bureau_id, year), number in last.items():
            ArchiveSequence.objects.update_or_create(
                bureau_id=bureau_id, year=year, defaults={"last_number": number}
            )
        CounterReturn.objects.bulk_create(
            [
                CounterReturn(
                    application=application,
                    bureau_id=application.bureau_id,
                    clerk=clerks[application.bureau_id],
                    returned_at=application.returned_at,
                    reason=application.return_reason,
                )
                for application in returned
            ],
            batch_size=1000,
        )
    return {"confirmations": len(confirmations), "returns": len(returned)}


def _latest_submissions(application_ids: list[int]) -> dict:
    """application id -> its latest submission (ordered by number: the last one wins)."""
    latest = {}
    for start in range(0, len(application_ids), 2000):
        for submission in Submission.objects.filter(
            application_id__in=application_ids[start : start + 2000]
        ).order_by("number"):
            latest[submission.application_id] = submission
    return latest
