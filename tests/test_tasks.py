"""The background worker (django-tasks-db's database backend, `manage.py worker`): submissions
queue their printed form, the worker renders it; a task that fails stays visible and is queued
again after a back-off; a task a stopped worker left running is put back and done."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from collection import pdf
from collection.models import Submission
from core import tasks as shared
from tests.helpers import submit

# The worker closes the database connection between tasks, as a long-running process must:
# the tests commit (transaction=True) so that a new connection sees their data.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings, committed_bureaus):
    """The production backend: tasks wait in the database for a worker."""
    params = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    settings.TASKS = {"default": params}
    task_backends["default"] = DatabaseBackend(alias="default", params=params)
    yield
    del task_backends["default"]


@pytest.fixture
def queued(
    database_tasks,
    practitioner_a,
    account_a,
    with_photo,
    django_capture_on_commit_callbacks,
    client,
):
    """A submission whose form waits for the worker, its practitioner logged in."""
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(practitioner_a, account_a)
    client.force_login(account_a)
    return application


def submitted_ago(application, **delta) -> None:
    Submission.objects.filter(application=application).update(
        submitted_at=timezone.now() - datetime.timedelta(**delta)
    )


def run_worker():
    call_command("worker", "--batch", "--interval", "0", stdout=StringIO(), verbosity=0)


def test_a_submission_queues_its_form_and_the_worker_renders_it(queued, client, city_staff):
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.task_path == "collection.tasks.render_application_form"
    storage = pdf.private_storage()
    name = pdf.form_path(queued.latest_submission)
    assert not storage.exists(name)
    staff = Client()
    staff.force_login(city_staff)  # the queue's size is for staff to see
    health = staff.get(reverse("health")).json()["tasks"]
    assert health["queued"] == 1 and health["backend"] == "DatabaseBackend"

    # A download meanwhile waits for the worker on a page that tries again by itself; the web
    # server does not render the form.
    waiting = client.get(reverse("collection:application_pdf"))
    assert waiting.status_code == 202 and "data-form-pending" in waiting.text
    assert '<meta http-equiv="refresh" content="5">' in waiting.text
    assert waiting["Retry-After"] == "5"
    assert 'href="/me/"' in waiting.text and "no-store" in waiting["Cache-Control"]
    assert not storage.exists(name)

    run_worker()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert storage.exists(name)
    ready = client.get(reverse("collection:application_pdf"))
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    with storage.open(name, "rb") as kept:
        assert b"".join(ready.streaming_content) == kept.read()


def test_the_waiting_page_asks_less_often_the_longer_the_queue(queued, client):
    waits = {}
    for minutes in (0, 2, 9):
        submitted_ago(queued, minutes=minutes)
        waits[minutes] = client.get(reverse("collection:application_pdf"))["Retry-After"]
    assert waits == {0: "5", 2: "30", 9: "60"}


def test_while_the_worker_works_through_a_long_queue_downloads_keep_waiting(queued, client):
    """At a peak the queue can be longer than ten minutes: while the worker is seen rendering
    forms, the web servers still do not; an hour after the submission they do."""
    pdf.note_worker_rendering()
    for minutes, status in ((11, 202), (59, 202), (61, 200)):
        submitted_ago(queued, minutes=minutes)
        assert client.get(reverse("collection:application_pdf")).status_code == status


def test_a_form_the_worker_has_not_rendered_in_ten_minutes_is_rendered_by_the_download(
    queued, client
):
    """The worker stopped, or its task failed for good: the download does the work itself."""
    submitted_ago(queued, seconds=pdf.WORKER_GRACE.total_seconds() + 1)
    submission = queued.latest_submission
    response = client.get(reverse("collection:application_pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert pdf.private_storage().exists(pdf.form_path(submission))


def test_a_failing_task_stays_visible_and_is_queued_again_until_it_gives_up(
    database_tasks,
    practitioner_a,
    account_a,
    with_photo,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    def broken(submission):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "store_application_form", broken)
    with django_capture_on_commit_callbacks(execute=True):
        submit(practitioner_a, account_a)
    run_worker()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "OSError" in failed.exception_class_path and "disk full" in failed.traceback
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs["kwargs"] == {"attempt": 2}
    assert again.run_after > timezone.now() + datetime.timedelta(seconds=50)

    # Each later attempt waits longer; after MAX_ATTEMPTS it is given up (and stays visible).
    for _ in range(shared.MAX_ATTEMPTS):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_worker()
    assert (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == shared.MAX_ATTEMPTS
    )
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_task_left_running_by_a_stopped_worker_is_done_by_the_next(
    database_tasks, practitioner_a, account_a, with_photo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(practitioner_a, account_a)
    # A worker claimed it and was killed: RUNNING, started long ago, never finished.
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        worker_ids=["killed"],
    )
    run_worker()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert pdf.private_storage().exists(pdf.form_path(application.latest_submission))


def test_a_recent_running_task_is_left_to_its_worker(database_tasks):
    from collection.tasks import render_application_form

    render_application_form.enqueue(0)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert shared.recover_stale() == 0


def test_notice_mail_goes_through_the_queue_and_is_retried(
    database_tasks,
    mailoutbox,
    monkeypatch,
    submitted_a,
    clerk_a,
    django_capture_on_commit_callbacks,
):
    from confirmation import services

    monkeypatch.setattr(
        "collection.tasks.send_mail",
        lambda *a, **k: (_ for _ in ()).throw(ConnectionRefusedError("smtp down")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.return_at_counter(
            application=submitted_a, actor=clerk_a, reason="photo", revision=submitted_a.revision
        )
    mail = DBTaskResult.objects.filter(task_path="collection.tasks.send_notice_mail")
    assert mail.count() == 1
    run_worker()
    assert mail.filter(status=TaskResultStatus.FAILED).count() == 1
    assert mail.filter(status=TaskResultStatus.READY).count() == 1  # again, after a back-off
    monkeypatch.undo()
    mail.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [submitted_a.practitioner.account.email]
