"""Several servers, one truth: two gunicorn servers on different ports share one PostgreSQL, one
Redis and one S3 emulator (moto's server), with one background worker. A practitioner submits
through the first; the clerk confirms through the second; both then show the same state, the
same photo and the same printed form, and nothing was lost.

PostgreSQL only (the suite skips it on SQLite); it starts real processes (about 30 seconds).
The servers run the production settings, told that the proxy in front of them speaks HTTPS.
"""

import html
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Two-servers-2026"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEED = f"""
import datetime
from django.utils import timezone
from collection.models import Campaign
from practitioners.constants import Role
from practitioners.models import Bureau, Practitioner, User
from tests.factories import person_values
county = Bureau.objects.get(code="450103")
today = timezone.localdate()
Campaign.objects.create(name="两台服务器", start_date=today - datetime.timedelta(days=7),
    plan_due_date=today, collection_due_date=today + datetime.timedelta(days=30), is_active=True)
values = person_values(county)
values.pop("bureau_code")
person = Practitioner.objects.create(bureau=county, **values)
account = User.objects.create_user(username=person.id_number, password="{PASSWORD}",
    role=Role.PRACTITIONER, display_name=person.name)
person.account = account
person.save(update_fields=["account"])
User.objects.create_user(username="clerk_two", password="{PASSWORD}", role=Role.CLERK,
    bureau=county, display_name="两台受理员")
print(person.id_number)
"""

STATE = """
import json
from collection.models import Application, Submission
from confirmation.models import Confirmation
from django_tasks_db.models import DBTaskResult
a = Application.objects.get()
print(json.dumps({
    "status": a.status,
    "practitioner": a.practitioner_id,
    "photo": a.photo_id,
    "submissions": Submission.objects.count(),
    "confirmations": Confirmation.objects.count(),
    "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies (the production cookies are Secure; the proxy the
    servers are told of would speak HTTPS), CSRF tokens, forms and file uploads."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def _request(self, path: str, data: bytes | None = None, content_type: str | None = None):
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Referer", "https://" + self.base.split("//")[1] + path)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if content_type:
            request.add_header("Content-Type", content_type)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read()

    def get(self, path: str):
        return self._request(path)

    def token(self, path: str) -> str:
        status, _headers, body = self.get(path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()

    def post(
        self, path: str, fields: dict, files: dict | None = None, form_path: str | None = None
    ):
        fields = {"csrfmiddlewaretoken": self.token(form_path or path), **fields}
        if not files:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            return self._request(path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, data) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self._request(path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def log_in(self, username: str) -> None:
        status, headers, _ = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        assert status == 302, status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def shared_parts(settings, tmp_path):
    """An empty PostgreSQL database, Redis database 7 (flushed) and a moto S3 bucket; the
    environment of every process that uses them."""
    if connection.vendor != "postgresql":
        pytest.skip("several servers share PostgreSQL")
    import boto3
    import redis
    from moto.server import ThreadedMotoServer

    db = settings.DATABASES["default"]
    host, user, port = db["HOST"] or "127.0.0.1", db["USER"] or "postgres", db["PORT"] or 5432
    name = f"registry_two_{uuid.uuid4().hex[:8]}"
    psql = ["psql", "-h", host, "-U", user, "postgres", "-c"]
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    redis_url = "redis://127.0.0.1:6379/7"
    redis.Redis.from_url(redis_url).flushdb()
    s3_port = _free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    endpoint = f"http://127.0.0.1:{s3_port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="registry-two")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{name}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "REGISTRY_PROXY_COUNT": "0",
        "TASKS_BACKEND": "database",
        "REGISTRY_S3_BUCKET": "registry-two",
        "REGISTRY_S3_ENDPOINT_URL": endpoint,
        "REGISTRY_S3_REGION": "us-east-1",
        "REGISTRY_S3_ACCESS_KEY": "test",
        "REGISTRY_S3_SECRET_KEY": "test",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media-unused"),
    }
    yield env
    s3.stop()
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


def manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _wait_for(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/health/", timeout=10)
            return
        except OSError:  # not listening yet, or still starting
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


def test_a_practitioner_submits_on_one_server_and_the_clerk_confirms_on_the_other(
    shared_parts, tmp_path
):
    from tests.helpers import jpeg_bytes

    env = shared_parts
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    id_number = manage(env, "shell", "-c", SEED)
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "accounting_registry.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{p}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for p in ports
    ]
    processes.append(
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.2", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
        )
    )
    try:
        first, second = (f"http://127.0.0.1:{p}" for p in ports)
        for url in (first, second):
            _wait_for(url)
        health = json.loads(urllib.request.urlopen(second + "/health/").read())
        assert health["ok"] and health["cache"]["backend"] == "RedisCache"
        assert health["storage"]["backend"] == "PrivateObjectStorage"

        # The practitioner, on the first server: photo, form, submit.
        practitioner = Browser(first)
        practitioner.log_in(id_number)
        photo = jpeg_bytes((900, 1200))
        status, _, _ = practitioner.post("/me/photo/", {}, files={"photo": ("me.jpg", photo)})
        assert status == 302
        _, _, page = practitioner.get("/me/application/")
        fields = _form_fields(page)
        fields["action"] = "submit"
        status, _, body = practitioner.post("/me/application/", fields)
        assert status == 302, body[:2000]

        # The worker renders the form; the clerk, on the second server, finds and confirms it.
        for _ in range(100):
            state = json.loads(manage(env, "shell", "-c", STATE))
            if state["tasks"] == ["SUCCESSFUL"]:
                break
            time.sleep(0.3)
        assert state["tasks"] == ["SUCCESSFUL"] and state["submissions"] == 1
        clerk = Browser(second)
        clerk.log_in("clerk_two")
        status, headers, _ = clerk.get("/counter/?q=" + id_number)
        assert status == 302
        review = headers["Location"]
        _, _, page = clerk.get(review)
        ticks = {name: "on" for name in set(re.findall(rb'name="(tick_[a-z_]+)"', page))}
        revision = re.search(rb'name="revision" value="(\d+)"', page)[1].decode()
        status, _, _ = clerk.post(
            review + "confirm/",
            {**{k.decode(): v for k, v in ticks.items()}, "revision": revision},
            form_path=review,
        )
        assert status == 302

        # One truth: both servers show it confirmed, the same photo and the same form.
        state = json.loads(manage(env, "shell", "-c", STATE))
        assert state["status"] == "confirmed" and state["confirmations"] == 1
        assert state["submissions"] == 1
        for browser in (practitioner, Browser(second)):
            if browser is not practitioner:
                browser.cookies = dict(practitioner.cookies)  # the same session, other server
            _, _, home = browser.get("/me/")
            assert b'data-status="confirmed"' in home
        photo = f"/photos/{state['photo']}/"
        _, _, through_clerk = clerk.get(photo)
        _, _, through_practitioner = practitioner.get(photo)
        assert through_clerk == through_practitioner and through_clerk[:3] == b"\xff\xd8\xff"
        _, _, form_first = practitioner.get("/me/application.pdf")
        _, _, form_second = clerk.get(f"/register/{state['practitioner']}/application.pdf")
        assert form_first[:5] == b"%PDF-" and form_second == form_first
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _form_fields(page: bytes) -> dict:
    """The application form's fields as the browser would post them."""
    fields = {}
    form = page.split(b'id="application-form"', 1)[1].split(b"</form>", 1)[0].decode()
    for match in re.finditer(r"<input[^>]*>", form):
        tag = match[0]
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag or name[1] == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind[1] == "checkbox":
            if "checked" in tag:
                fields[name[1]] = "on"
            continue
        fields[name[1]] = html.unescape(value[1]) if value else ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[match[1]] = html.unescape(match[2]).strip("\n")
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', match[2])
        fields[match[1]] = html.unescape(chosen[1]) if chosen else ""
    return fields
