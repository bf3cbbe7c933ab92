"""Several servers, one truth: two gunicorn servers on different ports share one PostgreSQL, one
Redis and one S3 emulator (moto's server), with one background worker. A practitioner submits
through the first; the clerk confirms through the second; both then show the same state, the
same photo and the same printed form, and nothing was lost.

PostgreSQL only (the suite skips it on SQLite); it starts real processes (about 30 seconds).
The servers run the production settings, told that the proxy in front of them speaks HTTPS.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.db import connection

from tests import servers
from tests.servers import application_form_fields, confirm_fields, csrf_token, manage, multipart

PASSWORD = "Two-servers-2026"

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db]

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
        return csrf_token(body)

    def post(
        self, path: str, fields: dict, files: dict | None = None, form_path: str | None = None
    ):
        fields = {"csrfmiddlewaretoken": self.token(form_path or path), **fields}
        if not files:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            return self._request(path, body, "application/x-www-form-urlencoded")
        body, content_type = multipart(fields, files)
        return self._request(path, body, content_type)

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
    database_url = f"postgres://{user}@{host}:{port}/registry_two_{uuid.uuid4().hex[:8]}"
    servers.create_database(database_url)
    redis_url = "redis://127.0.0.1:6379/7"
    redis.Redis.from_url(redis_url).flushdb()
    s3_port = servers.free_port()
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
    env = servers.production_env(
        database_url=database_url,
        redis_url=redis_url,
        static_root=tmp_path / "static",
        media_root=tmp_path / "media-unused",
        REGISTRY_S3_BUCKET="registry-two",
        REGISTRY_S3_ENDPOINT_URL=endpoint,
        REGISTRY_S3_REGION="us-east-1",
        REGISTRY_S3_ACCESS_KEY="test",
        REGISTRY_S3_SECRET_KEY="test",
    )
    yield env
    s3.stop()
    servers.drop_database(database_url)


def test_a_practitioner_submits_on_one_server_and_the_clerk_confirms_on_the_other(
    shared_parts, tmp_path
):
    from tests.helpers import jpeg_bytes

    env = shared_parts
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    id_number = manage(env, "shell", "-c", SEED)
    with servers.deployment(env, servers=2, workers=2) as running:
        first, second = running.urls
        health = json.loads(urllib.request.urlopen(second + "/health/").read())
        assert health == {"status": "ok"}  # the backends are for staff to see (below)

        # The practitioner, on the first server: photo, form, submit.
        practitioner = Browser(first)
        practitioner.log_in(id_number)
        photo = jpeg_bytes((900, 1200))
        status, _, _ = practitioner.post("/me/photo/", {}, files={"photo": ("me.jpg", photo)})
        assert status == 302
        _, _, page = practitioner.get("/me/application/")
        fields = application_form_fields(page)
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
        _, _, body = clerk.get("/health/")
        health = json.loads(body)
        assert health["ok"] and health["cache"]["backend"] == "FailSoftRedisCache"
        assert health["storage"]["backend"] == "PrivateObjectStorage"
        status, headers, _ = clerk.get("/counter/?q=" + id_number)
        assert status == 302
        review = headers["Location"]
        _, _, page = clerk.get(review)
        status, _, _ = clerk.post(review + "confirm/", confirm_fields(page), form_path=review)
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
