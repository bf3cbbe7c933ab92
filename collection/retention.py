"""What has outlived its purpose is deleted (PIPL art. 47, GB/T 35273 §6.1): a policy per kind of
file, each kind's period a setting (REGISTRY_RETENTION_DAYS), applied by `manage.py
apply_retention` (cron, nightly; --dry-run lists and changes nothing), every deletion audited.

- **photos**: an ID photo no application or submitted version refers to any more (replaced by
  a later upload, or left when its person changed their mind) uploaded more than the period ago.
  A photo that was submitted stays with the version that shows it.
- **import_reports**: the problem reports of register imports (practitioners.reports), kept
  for the importing user to download the same day.
- **printed_forms**: the stored PDF of a form whose application was confirmed more than the
  period ago: the confirmation and the version are the record, and the download draws the form
  again if anyone still asks for it.

On an object store with versioning, every version of a deleted file goes too (core.storage.
purge). Not here yet: drafts never submitted (their deletion must go through the applications'
one writer, which keeps the figures) and a policy per campaign.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from collection import pdf
from collection.constants import ApplicationStatus
from collection.models import Application, Photo, Submission
from core.storage import private_storage, purge
from practitioners.constants import AuditAction
from practitioners.services import record_event

KINDS = ("photos", "import_reports", "printed_forms")
IMPORT_REPORTS = "import-problems"


@dataclass
class Outcome:
    kind: str
    files: list[str] = field(default_factory=list)
    rows: int = 0


def apply(*, dry_run: bool, now: datetime.datetime | None = None) -> list[Outcome]:
    """Each kind's files past its period, deleted unless `dry_run`; what was (or would be)."""
    now = now or timezone.now()
    return [
        _photos(_cutoff("photos", now), dry_run),
        _import_reports(_cutoff("import_reports", now), dry_run),
        _printed_forms(_cutoff("printed_forms", now), dry_run),
    ]


def _cutoff(kind: str, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.REGISTRY_RETENTION_DAYS[kind])


def _photos(cutoff: datetime.datetime, dry_run: bool) -> Outcome:
    outcome = Outcome("photos")
    unreferenced = (
        Photo.objects.filter(uploaded_at__lt=cutoff)
        .exclude(pk__in=Application.objects.filter(photo__isnull=False).values("photo_id"))
        .exclude(pk__in=Submission.objects.values("photo_id"))
        .select_related("practitioner")
        .order_by("id")
    )
    for photo in unreferenced:
        names = [f.name for f in (photo.image, photo.national_image) if f]
        outcome.files += names
        outcome.rows += 1
        if dry_run:
            continue
        with transaction.atomic():
            Photo.objects.filter(pk=photo.pk).delete()
            record_event(
                actor=None,
                action=AuditAction.RETENTION_DELETED,
                practitioner=photo.practitioner,
                kind="photo",
                uploaded_at=photo.uploaded_at.isoformat(),
            )
            transaction.on_commit(lambda names=names: [purge(n) for n in names])
    return outcome


def _import_reports(cutoff: datetime.datetime, dry_run: bool) -> Outcome:
    outcome = Outcome("import_reports")
    storage = private_storage()
    if not storage.exists(IMPORT_REPORTS):
        return outcome
    for folder in storage.listdir(IMPORT_REPORTS)[0]:
        for name in storage.listdir(f"{IMPORT_REPORTS}/{folder}")[1]:
            path = f"{IMPORT_REPORTS}/{folder}/{name}"
            if storage.get_modified_time(path) < cutoff:
                outcome.files.append(path)
    if outcome.files and not dry_run:
        for path in outcome.files:
            purge(path)
        record_event(
            actor=None,
            action=AuditAction.RETENTION_DELETED,
            kind="import_reports",
            files=len(outcome.files),
        )
    return outcome


def _printed_forms(cutoff: datetime.datetime, dry_run: bool) -> Outcome:
    """From the forms kept (one folder an application), those whose application was confirmed
    before the cutoff: the work follows the files still kept, not every record ever confirmed."""
    outcome = Outcome("printed_forms")
    storage = private_storage()
    if not storage.exists(pdf.FOLDER):
        return outcome
    kept = [int(name) for name in storage.listdir(pdf.FOLDER)[0] if name.isdigit()]
    for start in range(0, len(kept), 1000):
        expired = Application.objects.filter(
            pk__in=kept[start : start + 1000],
            status=ApplicationStatus.CONFIRMED,
            confirmed_at__lt=cutoff,
        ).select_related("practitioner")
        for application in expired:
            folder = f"{pdf.FOLDER}/{application.pk}"
            names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
            if not names:
                continue
            outcome.files += names
            outcome.rows += 1
            if dry_run:
                continue
            for name in names:
                purge(name)
            record_event(
                actor=None,
                action=AuditAction.RETENTION_DELETED,
                practitioner=application.practitioner,
                kind="printed_forms",
                reference=application.reference,
                files=len(names),
            )
    return outcome
