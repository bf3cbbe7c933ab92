"""Files that have outlived their purpose are deleted by `apply_retention` (collection.retention),
each period a setting, audited; the dry run changes nothing; what is still the record stays."""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from collection import pdf, retention, services
from collection.models import Application, Photo
from core.storage import private_storage
from practitioners import reports
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from practitioners.registerfile import Problem, Problems
from tests.helpers import confirm, jpeg_bytes, submit

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def replaced_photo(practitioner_a, account_a, with_photo):
    """practitioner_a's first photo, replaced by a second upload long after."""
    services.set_application_photo(practitioner=practitioner_a, actor=account_a, data=jpeg_bytes())
    Photo.objects.filter(pk=with_photo.pk).update(uploaded_at=LONG_AGO)
    return with_photo


def test_the_dry_run_lists_and_changes_nothing(replaced_photo):
    out = run("--dry-run")
    assert "photos: 2 file(s) would be deleted" in out
    assert Photo.objects.filter(pk=replaced_photo.pk).exists()
    assert private_storage().exists(replaced_photo.image.name)
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_DELETED).exists()


def test_a_photo_nothing_refers_to_goes_and_the_others_stay(
    replaced_photo, practitioner_a, django_capture_on_commit_callbacks
):
    current = Application.objects.get(practitioner=practitioner_a).photo
    Photo.objects.filter(pk=current.pk).update(uploaded_at=LONG_AGO)  # in use: stays
    with django_capture_on_commit_callbacks(execute=True):
        assert "photos: 2 file(s) deleted" in run()
    assert not Photo.objects.filter(pk=replaced_photo.pk).exists()
    storage = private_storage()
    assert not storage.exists(replaced_photo.image.name)
    assert not storage.exists(replaced_photo.national_image.name)
    assert Photo.objects.filter(pk=current.pk).exists() and storage.exists(current.image.name)
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_DELETED)
    assert event.practitioner == practitioner_a and event.detail["kind"] == "photo"


def test_a_submitted_photo_stays_with_its_version(practitioner_a, account_a, with_photo):
    application = submit(practitioner_a, account_a)
    Photo.objects.filter(pk=with_photo.pk).update(uploaded_at=LONG_AGO)
    run()
    assert Photo.objects.filter(pk=with_photo.pk).exists()
    assert application.submissions.get().photo_id == with_photo.pk


def _problems() -> Problems:
    problems = Problems()
    problems.append(Problem(2, "证件号码", "x", "reason"))
    return problems


def test_import_reports_go_after_their_day(admin_a):
    token = reports.keep_report(user=admin_a, problems=_problems())
    storage = private_storage()
    path = f"{retention.IMPORT_REPORTS}/{admin_a.pk}/{token}.csv"
    fresh = reports.keep_report(user=admin_a, problems=_problems())
    old = (LONG_AGO).timestamp()
    os.utime(storage.path(path), (old, old))
    assert "import_reports: 1 file(s) deleted" in run()
    assert not storage.exists(path)
    assert storage.exists(f"{retention.IMPORT_REPORTS}/{admin_a.pk}/{fresh}.csv")


def test_an_old_confirmed_form_goes_and_is_drawn_again_when_asked_for(
    client, practitioner_a, account_a, with_photo, clerk_a
):
    application = submit(practitioner_a, account_a)
    submission = application.submissions.get()
    pdf.store_application_form(submission)
    confirm(application, clerk_a)
    Application.objects.filter(pk=application.pk).update(confirmed_at=LONG_AGO)
    assert "printed_forms: 1 file(s) deleted" in run()
    assert pdf.kept_application_form(submission) is None
    client.force_login(account_a)
    again = client.get(reverse("collection:application_pdf"))
    assert again.status_code == 200 and b"".join(again.streaming_content)[:5] == b"%PDF-"
