"""Logins limited and cheap, the client address read as configured, the record of who saw what,
nothing personal kept in caches, and production starting as the README says."""

import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from core import throttle
from core.clients import client_address, client_network
from practitioners.models import AuditEvent
from tests.factories import PractitionerFactory
from tests.helpers import PASSWORD, confirm, make_submitted

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LOGIN = reverse("login")


def log_in(client, username, password, address="198.51.100.7"):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def log_out(client):
    """As a browser does: the session ends, other cookies stay (the test client's logout()
    forgets them all)."""
    assert client.post(reverse("logout")).status_code == 302


# --- Login limits ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["account_a", "clerk_a"])
def test_fifty_wrong_passwords_are_not_all_answered(client, request, persona):
    user = request.getfixturevalue(persona)
    answers = [log_in(client, user.username, "wrong-password").status_code for _ in range(50)]
    assert answers.count(200) == 50  # the login page, with a message each time
    response = log_in(client, user.username, PASSWORD)  # the right one, at once after them
    assert response.status_code == 200
    (message,) = response.context["form"].non_field_errors()
    assert message.startswith("Too many failed attempts. Try again after ")


def test_the_person_at_another_address_still_logs_in(client, account_a):
    for _ in range(5):
        log_in(client, account_a.username, "wrong-password", address="203.0.113.9")
    assert log_in(client, account_a.username, PASSWORD).status_code == 302


def allowed(rate: str) -> int:
    return int(rate.split("/")[0])


def test_spraying_many_accounts_from_one_address_is_stopped(client, clerk_a):
    """88 wrong passwords over 22 predictable staff names from one address: the address is
    stopped after its allowance, whichever accounts it tries, and the right password of
    another account from there waits too; a client of another /24 is not affected."""
    names = [f"qingxiu-clerk-{index:02d}" for index in range(22)]
    answers = [
        log_in(client, name, "Spring-2026").context["form"].non_field_errors()[0]
        for name in names
        for _ in range(4)
    ]
    refused = [answer for answer in answers if answer.startswith("Too many failed attempts")]
    assert len(refused) == 88 - allowed(throttle.LOGIN.per_address)
    response = log_in(client, clerk_a.username, PASSWORD)
    assert response.status_code == 200
    (message,) = response.context["form"].non_field_errors()
    assert message.startswith("Too many failed attempts from your network. Try again after ")
    assert log_in(client, clerk_a.username, PASSWORD, address="203.0.113.50").status_code == 302


def test_spraying_from_many_addresses_of_one_24_is_stopped(client, clerk_a):
    for index in range(allowed(throttle.LOGIN.per_network)):
        log_in(client, f"staff-{index}", "Spring-2026", address=f"198.51.100.{index + 1}")
    assert log_in(client, clerk_a.username, PASSWORD, address="198.51.100.200").status_code == 200
    assert log_in(client, clerk_a.username, PASSWORD, address="203.0.113.50").status_code == 302


def test_spraying_from_one_ipv6_64_is_stopped(client, clerk_a):
    for index in range(allowed(throttle.LOGIN.per_network)):
        log_in(client, f"staff-{index}", "Spring-2026", address=f"2001:db8:1:2::{index + 1:x}")
    assert (
        log_in(client, clerk_a.username, PASSWORD, address="2001:db8:1:2::ffff").status_code == 200
    )
    assert log_in(client, clerk_a.username, PASSWORD, address="2001:db8:1:3::1").status_code == 302


def test_failures_from_many_addresses_do_not_stop_the_owner_at_a_known_device(client, account_a):
    owner = Client()
    assert log_in(owner, account_a.username, PASSWORD).status_code == 302
    log_out(owner)
    for index in range(30):
        log_in(client, account_a.username, "wrong-password", address=f"203.0.{index}.9")
    assert log_in(owner, account_a.username, PASSWORD).status_code == 302


def test_failures_from_many_addresses_make_a_new_device_wait_minutes_not_an_hour(client, account_a):
    for index in range(30):
        log_in(client, account_a.username, "wrong-password", address=f"203.0.{index}.9")
    before = timezone.now()
    response = log_in(Client(), account_a.username, PASSWORD)
    assert response.status_code == 200
    (message,) = response.context["form"].non_field_errors()
    assert message.startswith("Too many failed attempts. Try again after ")
    wait = response.wsgi_request.throttled.until - before
    assert wait <= datetime.timedelta(minutes=5, seconds=1)


def test_the_account_delay_doubles_up_to_five_minutes():
    slowdown = throttle.LOGIN.account_slowdown
    assert [slowdown.wait(failures) for failures in (0, 9, 10, 11, 12, 14, 40)] == [
        0,
        0,
        15,
        30,
        60,
        240,
        300,
    ]


def test_the_growing_delay_ends(client, account_a, monkeypatch):
    import django_ratelimit.core

    for index in range(30):
        log_in(client, account_a.username, "wrong-password", address=f"203.0.{index}.9")
    now = django_ratelimit.core.time.time()
    monkeypatch.setattr(django_ratelimit.core.time, "time", lambda: now + 5 * 60 + 1)
    assert log_in(Client(), account_a.username, PASSWORD).status_code == 302


def test_a_known_device_has_its_own_few_attempts(client, account_a):
    assert log_in(client, account_a.username, PASSWORD).status_code == 302
    log_out(client)
    for _ in range(allowed(throttle.LOGIN.per_device)):
        log_in(client, account_a.username, "wrong-password", address="203.0.113.1")
    response = log_in(client, account_a.username, PASSWORD, address="198.51.100.1")
    assert response.status_code == 200  # a stolen laptop does not get unlimited tries


def test_a_device_cookie_counts_for_its_own_account_only(client, account_a, clerk_a):
    assert log_in(client, clerk_a.username, PASSWORD).status_code == 302
    (name,) = [key for key in client.cookies if key.startswith(throttle.DEVICE_COOKIE_PREFIX)]
    assert client.cookies[name]["httponly"] and client.cookies[name]["samesite"] == "Lax"
    request = RequestFactory().get("/")
    request.COOKIES[name] = client.cookies[name].value
    assert throttle.known_device(request, clerk_a.username) is not None
    assert throttle.known_device(request, account_a.username) is None  # not its cookie
    # Nor under the other account's cookie name: the value names the account it was made for.
    throttle.trust_device(request, account_a.username)
    other_name = request.registry_device_cookie[0]
    request.COOKIES[other_name] = client.cookies[name].value
    assert throttle.known_device(request, account_a.username) is None
    request.COOKIES[name] = client.cookies[name].value[:-2] + "xx"
    assert throttle.known_device(request, clerk_a.username) is None


def test_one_address_behind_a_nat_does_not_lock_everyone_out(client, account_a, clerk_a):
    for _ in range(10):
        log_in(client, "someone-else", "wrong-password")
    assert log_in(client, account_a.username, PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, clerk_a.username, PASSWORD).status_code == 302


def test_the_admin_login_is_limited_too(client, clerk_a):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": clerk_a.username, "password": "x"})
    response = client.post(
        url, {"username": clerk_a.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Too many failed attempts" in response.content.decode()


def test_password_reset_requests_are_limited(client, account_a):
    url = reverse("password_reset")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    answers = [client.post(url, {"email": "a@example.com"}).status_code for _ in range(5)]
    assert answers[:3] == [302, 302, 302] and answers[3:] == [200, 200]
    assert len(mail.outbox) == 3
    response = client.post(url, {"email": "a@example.com"})
    assert "Try again after" in response.context["form"].errors["email"][0]


def test_password_reset_requests_for_many_addresses_from_one_client_are_limited(client):
    url = reverse("password_reset")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    answers = [
        client.post(url, {"email": f"person{index}@example.com"}).status_code
        for index in range(allowed(throttle.PASSWORD_RESET_REQUEST.per_address) + 2)
    ]
    assert answers.count(302) == allowed(throttle.PASSWORD_RESET_REQUEST.per_address)
    response = client.post(url, {"email": "someone@example.com"})
    assert "from your network" in response.context["form"].errors["email"][0]
    other = client.post(url, {"email": "someone@example.com"}, REMOTE_ADDR="203.0.113.50")
    assert other.status_code == 302


def test_a_cool_off_ends(client, account_a, monkeypatch):
    import django_ratelimit.core

    for _ in range(5):
        log_in(client, account_a.username, "wrong-password")
    now = django_ratelimit.core.time.time()
    monkeypatch.setattr(django_ratelimit.core.time, "time", lambda: now + 16 * 60)
    assert log_in(client, account_a.username, PASSWORD).status_code == 302


# --- The client address ------------------------------------------------------------------


def test_the_forwarded_header_is_ignored_without_a_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_address(request) == "10.0.0.5"


@override_settings(REGISTRY_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts_not_what_the_client_sent():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1"
    )
    assert client_address(request) == "203.0.113.1"
    spoofed_only = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="junk")
    assert client_address(spoofed_only) == "10.0.0.5"


def test_the_network_counted_is_the_clients_24_or_64():
    def network(**meta):
        return client_network(RequestFactory().get("/", **meta))

    assert network(REMOTE_ADDR="203.0.113.77") == "203.0.113.0/24"
    assert network(REMOTE_ADDR="2001:db8:1:2:aa::1") == "2001:db8:1:2::/64"
    assert network(REMOTE_ADDR="::ffff:203.0.113.77") == "203.0.113.0/24"
    assert network(REMOTE_ADDR="") == ""
    with override_settings(REGISTRY_PROXY_COUNT=1):
        assert network(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.1") == (
            "203.0.113.0/24"
        )
        # Not through the proxy: the connection's address may be the proxy's own.
        assert network(REMOTE_ADDR="10.0.0.5") == ""


@override_settings(REGISTRY_PROXY_COUNT=1)
def test_limits_count_per_real_client_behind_the_proxy(client, account_a):
    for index in range(5):
        client.post(
            LOGIN,
            {"username": account_a.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{index}, 203.0.113.1",  # a forger varies the first
        )
    response = client.post(
        LOGIN,
        {"username": account_a.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.1",
    )
    assert response.status_code == 200  # still the same client: locked
    response = client.post(
        LOGIN,
        {"username": account_a.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302


# --- Password hashing ----------------------------------------------------------------------


PRODUCTION_HASHERS = [
    "core.hashers.RegistryArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_argon2id_at_owasp_parameters_is_the_first_hasher():
    from accounting_registry.settings import base

    assert base.PASSWORD_HASHERS == PRODUCTION_HASHERS
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        hasher = get_hasher()
        assert (hasher.algorithm, hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (
            "argon2",
            19 * 1024,
            2,
            1,
        )
        assert make_password("x").startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_is_upgraded_at_the_next_login(client, clerk_a):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    clerk_a.password = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt1234", iterations=1000)
    clerk_a.save(update_fields=["password"])
    assert log_in(client, clerk_a.username, PASSWORD).status_code == 302
    clerk_a.refresh_from_db()
    assert identify_hasher(clerk_a.password).algorithm == "argon2"


# --- The record of who saw what --------------------------------------------------------------


def viewed(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user, action="viewed").values_list(
            "detail__shown", flat=True
        )
    )


def test_every_staff_view_of_a_whole_id_number_or_photo_is_audited_with_the_address(
    client, clerk_a, submitted_a
):
    client.force_login(clerk_a)
    pk = submitted_a.practitioner_id
    for url in (
        reverse("confirmation:review", args=[submitted_a.pk]),
        reverse("collection:staff_application", args=[pk]),
        reverse("collection:staff_application_pdf", args=[pk]),
        reverse("collection:photo", args=[submitted_a.photo_id]),
        reverse("practitioners:detail", args=[pk]),
    ):
        assert client.get(url, REMOTE_ADDR="198.51.100.44").status_code == 200, url
    assert sorted(viewed(clerk_a)) == ["application", "form", "photo", "record", "review"]
    events = AuditEvent.objects.filter(actor=clerk_a, action="viewed")
    assert {(e.practitioner_id, e.address) for e in events} == {(pk, "198.51.100.44")}


def test_the_owner_looking_at_their_own_photo_is_not_a_staff_view(client, account_a, with_photo):
    client.force_login(account_a)
    client.get(reverse("collection:photo", args=[with_photo.pk]))
    assert not AuditEvent.objects.filter(action="viewed").exists()


def test_a_lookup_of_another_bureaus_person_is_audited_for_that_bureau(
    client, clerk_b, submitted_a
):
    client.force_login(clerk_b)
    client.get(reverse("confirmation:counter"), {"q": submitted_a.practitioner.id_number})
    event = AuditEvent.objects.get(action="looked_up_elsewhere")
    assert event.actor == clerk_b and event.practitioner_id == submitted_a.practitioner_id
    assert event.bureau_id == submitted_a.bureau_id  # the person's bureau sees who asked


def test_lookups_across_bureaus_are_limited_per_staff_account(
    client, clerk_b, county_a, clerk_a, campaign
):
    people = [PractitionerFactory(bureau=county_a) for _ in range(3)]
    limit = throttle.Limit("lookup-elsewhere", per_address=None, per_account="2/d")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(throttle, "LOOKUP_ELSEWHERE", limit)
        client.force_login(clerk_b)
        pages = [client.get(reverse("confirmation:counter"), {"q": p.id_number}) for p in people]
    assert [bool(p.context["found"].elsewhere) for p in pages] == [True, True, False]
    assert pages[2].context["throttled"] is not None
    assert county_a.hall_address not in pages[2].content.decode()
    client.force_login(clerk_a)  # another account: its own count
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(throttle, "LOOKUP_ELSEWHERE", limit)
        page = client.get(reverse("confirmation:counter"), {"q": people[0].id_number})
    assert page.context["throttled"] is None


# --- Nothing personal kept in caches ---------------------------------------------------------


def test_pages_and_files_with_whole_id_numbers_or_photos_are_never_stored(
    client, clerk_a, admin_a, account_a, submitted_a
):
    other = make_submitted(submitted_a.practitioner.bureau, submitted_a.campaign, 1)[0]
    confirmation = confirm(other, clerk_a)
    pk = submitted_a.practitioner_id
    staff_urls = [
        ("get", reverse("practitioners:detail", args=[pk])),
        ("get", reverse("confirmation:review", args=[submitted_a.pk])),
        ("get", reverse("collection:staff_application", args=[pk])),
        ("get", reverse("collection:staff_application_pdf", args=[pk])),
        ("get", reverse("collection:photo", args=[submitted_a.photo_id])),
        ("get", reverse("confirmation:day_sheet")),
        ("get", reverse("confirmation:day_sheet") + "?format=pdf"),
        ("post", reverse("confirmation:certificate", args=[confirmation.pk])),
    ]
    client.force_login(clerk_a)
    for method, url in staff_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url
    client.force_login(admin_a)
    for url in (
        reverse("practitioners:export") + "?format=csv",
        reverse("business:register_import"),
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.force_login(account_a)
    for url in (
        reverse("collection:home"),
        reverse("collection:application"),
        reverse("collection:application_pdf"),
        reverse("collection:photo", args=[submitted_a.photo_id]),
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url


# --- Production starts as the README says ----------------------------------------------------


def production(
    command: list[str], tmp_path, redis: str = "redis://127.0.0.1:6379/0"
) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # e2e's
        "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "ALLOWED_HOSTS": "registry.example.gov.cn",
        "REDIS_URL": redis,
        "STATIC_ROOT": str(tmp_path / "static-not-collected"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Warnings of `check --deploy` that the deployment leaves as a choice (README, Security).
# HSTS for every subdomain, and on the browsers' preload list: the bureau that owns the domain
# decides (SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD).
DOCUMENTED_WARNINGS = {"security.W005", "security.W021"}


@pytest.mark.slow  # manage.py in another process
def test_the_deploy_check_passes_before_collectstatic(tmp_path):
    checked = production(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    found = set(re.findall(r"^\S*: \((\w+\.\w+)\)", checked.stdout + checked.stderr, re.M))
    assert found <= DOCUMENTED_WARNINGS, checked.stdout + checked.stderr
    assert checked.returncode in (0, 1) and "Missing staticfiles manifest" not in checked.stderr


@pytest.mark.slow  # manage.py in another process
def test_migrate_runs_before_collectstatic(tmp_path):
    migrated = production(["migrate", "--noinput"], tmp_path)
    assert migrated.returncode == 0, migrated.stderr


def test_scripts_and_style_sheets_carry_the_responses_csp_nonce(client, clerk_a):
    client.force_login(clerk_a)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("practitioners:list"))
        policy = response["Content-Security-Policy"]
        (nonce,) = set(re.findall(r"'nonce-([^']+)'", policy))
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert f"'nonce-{nonce}'" in directives["script-src"]
        assert f"'nonce-{nonce}'" in directives["style-src"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        html = response.content.decode()
        tags = re.findall(r"<(?:script|link rel=\"stylesheet\")[^>]*>", html)
        assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)
        assert response["X-Frame-Options"] == "DENY"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.slow  # manage.py in another process
@pytest.mark.parametrize(
    ("redis", "cache", "sessions"),
    [
        ("redis://127.0.0.1:6379/0", "RedisCache", "cached_db"),
        ("", "DatabaseCache", "db"),
    ],
)
def test_cache_and_sessions_are_shared_between_servers(tmp_path, redis, cache, sessions):
    """Redis where REDIS_URL is set; the database otherwise: never one server's memory."""
    shown = production(
        [
            "shell",
            "-c",
            "from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)",
        ],
        tmp_path,
        redis=redis,
    )
    assert shown.returncode == 0, shown.stderr
    backend, engine = shown.stdout.strip().splitlines()[-1].split()
    assert backend.endswith(cache) and engine.endswith(sessions)
