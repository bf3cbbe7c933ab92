"""A part of the service away for a moment (docs/resilience.md): Redis away (the database cache
stands in), the database restarting (a 503 page that keeps the form), the object store refusing
writes (the photo page says so by the field; the printed form is retried), a worker killed
mid-task (its task put back at once), and no half-written file."""

import datetime
import logging
import os
import socket
import subprocess
import sys
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile, File
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus, task_backends
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from collection import pdf
from collection.models import Application, Photo
from core import cache as fail_soft
from core import tasks as shared
from core.storage import PrivateStorage, is_store_unavailable, private_storage
from tests.helpers import PASSWORD, jpeg_bytes, submit

LOGIN = reverse("login")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once closed


def redis_running() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


def fail_soft_settings(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "OPTIONS": {"FALLBACK_TABLE": "registry_cache"},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    fail_soft.reset_breakers()
    call_command("createcachetable", verbosity=0)  # the stand-in's table, made for it


@pytest.fixture
def redis_away(settings, db):
    """The cache is Redis at a port where nothing listens."""
    fail_soft_settings(settings, f"redis://127.0.0.1:{closed_port()}/0")
    yield caches["default"]
    fail_soft.reset_breakers()


def slow_down() -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."},
            "ResponseMetadata": {"HTTPStatusCode": 503},
        },
        "PutObject",
    )


# --- Redis away ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_away_the_database_cache_stands_in_and_warns_once(redis_away, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    redis_away.set("k", 1, 60)
    assert redis_away.get("k") == 1
    assert redis_away.incr("k") == 2
    redis_away.delete("k")
    assert redis_away.get("k") is None
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1 and "database cache" in warnings[0].getMessage()


@pytest.mark.django_db
def test_with_redis_away_the_server_stays_healthy_and_tells_staff(redis_away, city_staff):
    staff = Client()
    staff.force_login(city_staff)
    health = staff.get(reverse("health"))
    assert health.status_code == 200
    assert health.json()["cache"]["redis_away"] is True


@pytest.mark.django_db
def test_with_redis_away_logins_work_and_their_limits_count(redis_away, account_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        page = client.post(LOGIN, {"username": account_a.username, "password": "wrong"})
        assert page.status_code == 200
    refused = client.post(LOGIN, {"username": account_a.username, "password": PASSWORD})
    assert refused.status_code == 200  # the fifth failure at this address: wait, even if right
    assert "Too many failed attempts" in refused.content.decode()

    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    done = other.post(LOGIN, {"username": account_a.username, "password": PASSWORD})
    assert done.status_code == 302
    assert other.get(reverse("collection:home")).status_code == 200  # the session holds


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not redis_running(), reason="Redis on 127.0.0.1:6379")
def test_when_redis_returns_what_changed_meanwhile_is_not_served_from_it(
    settings, committed_bureaus
):
    """A key set or deleted while Redis was away (a session logged out) is deleted from Redis
    when it answers again, so that Redis never serves its older value."""
    import redis

    fail_soft_settings(settings, "redis://127.0.0.1:6379/9")
    redis.Redis(db=9).flushdb()
    cache = caches["default"]
    cache.set("session", "logged in", 600)
    cache.set("counter", 1, 600)
    cache.breaker.trip(60, ConnectionError("test"), cache.location)  # Redis away now
    cache.delete("session")
    cache.set("counter", 5, 600)
    assert redis.Redis(db=9).get(cache.make_key("session")) is not None  # Redis still has it
    assert cache.get("session") is None and cache.get("counter") == 5

    cache.breaker.away_until = 0  # the breaker's time is over: Redis is asked again
    assert cache.get("session") is None
    assert redis.Redis(db=9).get(cache.make_key("session")) is None
    assert cache.get("counter") is None  # starts afresh in Redis: the stand-in's count is gone
    assert cache.fallback.get("counter") is None
    redis.Redis(db=9).flushdb()
    fail_soft.reset_breakers()


# --- The database restarting -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_losing_the_database_answers_503_and_keeps_the_form(
    client, account_a, campaign, monkeypatch
):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def away(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("collection.views.application.selectors.application_of", away)
    sent = {"name": "冯鹏凯", "mobile": "13800000000", "action": "save"}
    response = client.post(reverse("collection:application"), sent)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "The service is busy" in page and "Back button" in page
    assert 'name="mobile" value="13800000000"' in page  # "send it again" resends the form
    assert 'action="/me/application/"' in page


@pytest.mark.django_db
def test_losing_the_database_outside_a_view_is_503_and_no_password_is_echoed(
    account_a, monkeypatch
):
    from django.contrib.sessions.backends import cached_db, db

    def away(self):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(db.SessionStore, "load", away)
    monkeypatch.setattr(cached_db.SessionStore, "load", away)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["sessionid"] = "x" * 32
    response = client.post(LOGIN, {"username": account_a.username, "password": PASSWORD})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert account_a.username in page and PASSWORD not in page
    assert client.get(reverse("home")).status_code == 503


@pytest.mark.django_db
def test_other_errors_are_still_the_500_page(account_a, monkeypatch):
    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("accounting_registry.views.permissions.is_city_staff", bug)
    client = Client(raise_request_exception=False)
    client.force_login(account_a)
    assert client.get(reverse("home")).status_code == 500
    assert not is_store_unavailable(ValueError("a bug")) and is_store_unavailable(slow_down())


# --- The object store refusing writes --------------------------------------------------------


@pytest.mark.django_db
def test_the_photo_page_says_the_store_is_busy_by_the_field(
    client, account_a, practitioner_a, campaign, monkeypatch
):
    def refuse(self, name, content):
        raise slow_down()

    monkeypatch.setattr(PrivateStorage, "_save", refuse)
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    photo = ContentFile(jpeg_bytes((900, 1200)), name="me.jpg")
    response = client.post(reverse("collection:photo_upload"), {"photo": photo, "crop_x": 3})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "The file store is busy" in response.content.decode()
    assert response.context["form"]["crop_x"].value() == "3"  # what else was sent, kept
    assert not Photo.objects.exists()
    assert not Application.objects.filter(practitioner=practitioner_a, photo__isnull=False)


# --- The worker ------------------------------------------------------------------------------


@pytest.fixture
def database_tasks(settings, committed_bureaus):
    params = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    settings.TASKS = {"default": params}
    from django_tasks_db import DatabaseBackend

    task_backends["default"] = DatabaseBackend(alias="default", params=params)
    yield
    del task_backends["default"]


def run_worker():
    call_command("worker", "--batch", "--interval", "0", stdout=StringIO(), verbosity=0)


@pytest.fixture
def submitted(
    database_tasks, practitioner_a, account_a, with_photo, django_capture_on_commit_callbacks
):
    """practitioner_a's application, submitted: its form's task waits in the database queue."""
    with django_capture_on_commit_callbacks(execute=True):
        return submit(practitioner_a, account_a)


@pytest.mark.django_db(transaction=True)
def test_a_form_the_store_refused_is_rendered_again_later(submitted, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    application = submitted
    save = PrivateStorage._save

    def refuse(self, name, content):
        raise slow_down()

    monkeypatch.setattr(PrivateStorage, "_save", refuse)
    run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    monkeypatch.setattr(PrivateStorage, "_save", save)  # the store takes writes again
    DBTaskResult.objects.filter(pk=again.pk).update(run_after=timezone.now())
    run_worker()
    again.refresh_from_db()
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert private_storage().exists(pdf.form_path(application.latest_submission))


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_of_this_machine_is_put_back_at_once(submitted):
    from django_tasks_db.models import DBTaskResult

    application = submitted
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()[:40]
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),  # a second ago: long before STALE_AFTER
        worker_ids=[f"{host}:{dead.pid}:killed"],
    )
    run_worker()
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert private_storage().exists(pdf.form_path(application.latest_submission))


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_running_worker_is_left_to_it(database_tasks):
    from django_tasks_db.models import DBTaskResult

    from collection.tasks import render_application_form

    render_application_form.enqueue(0)
    host = socket.gethostname()[:40]
    for worker in (f"{host}:{os.getpid()}:alive", f"elsewhere:{os.getpid()}:x", "unknown"):
        DBTaskResult.objects.update(
            status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker]
        )
        assert shared.recover_stale() == 0
    DBTaskResult.objects.update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert shared.recover_stale() == 1  # another machine's, after STALE_AFTER


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_losing_the_database_mid_task(submitted, monkeypatch):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from accounting_registry.management.commands import worker as command

    application = submitted
    run_task = Worker.run_task
    lost = []

    def database_lost_once(self, result):
        if not lost:
            lost.append(result.id)
            raise OperationalError("terminating connection due to administrator command")
        return run_task(self, result)

    monkeypatch.setattr(Worker, "run_task", database_lost_once)
    monkeypatch.setattr(command.time, "sleep", lambda seconds: None)
    run_worker()
    assert lost and DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert private_storage().exists(pdf.form_path(application.latest_submission))


# --- No half-written file --------------------------------------------------------------------


def test_a_file_is_whole_under_its_name_or_absent(settings, tmp_path):
    storage = PrivateStorage()
    final = tmp_path / "media" / "private" / "forms" / "1.pdf"

    class Interrupted(File):
        def chunks(self, chunk_size=None):
            yield b"%PDF-1.7 first half"
            assert not final.exists()  # written under a part name until complete
            raise OSError("killed")

    with pytest.raises(OSError, match="killed"):
        storage.save("forms/1.pdf", Interrupted(None, name="1.pdf"))
    assert not final.exists()
    assert list(final.parent.iterdir()) == []  # no part file left either
    assert storage.save("forms/1.pdf", ContentFile(b"%PDF-1.7 whole")) == "forms/1.pdf"
    assert final.read_bytes() == b"%PDF-1.7 whole"
    assert storage.save("forms/1.pdf", ContentFile(b"again")) != "forms/1.pdf"  # never replaced
    assert final.read_bytes() == b"%PDF-1.7 whole"
    assert not [p for p in final.parent.iterdir() if p.name.startswith(".")]
