"""Personas and data reused by every test: county A (青秀区) and county B (兴宁区) with their
staff, the city, practitioners of each, an active campaign, activated accounts, photos."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from collection.models import Campaign
from practitioners.constants import Role
from practitioners.models import Bureau
from tests.factories import PractitionerFactory, UserFactory
from tests.helpers import jpeg_bytes, submit


@pytest.fixture(autouse=True)
def english_messages():
    """Service and command messages in English, so assertions read the same everywhere.
    Pages still choose their language per request (Chinese by default; see test_i18n)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def still_limit_clock(monkeypatch):
    """django-ratelimit's windows are fixed stretches of the clock (core.throttle):
    a test's few attempts must not straddle a window's end, which forgets them (a test failed so,
    once). Its clock stands still in tests; a test that needs time to pass moves it."""
    import types

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def fresh_counters():
    """Login limits and other counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Photos, forms and reports go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Bureaus and staff -------------------------------------------------------------------


@pytest.fixture
def county_a(db) -> Bureau:
    return Bureau.objects.get(code="450103")


@pytest.fixture
def county_b(db) -> Bureau:
    return Bureau.objects.get(code="450102")


@pytest.fixture
def city(db) -> Bureau:
    return Bureau.objects.get(code="450100")


@pytest.fixture
def clerk_a(county_a):
    return UserFactory(
        username="clerk_a", role=Role.CLERK, bureau=county_a, display_name="青秀受理员"
    )


@pytest.fixture
def admin_a(county_a):
    return UserFactory(username="admin_a", role=Role.BUREAU_ADMIN, bureau=county_a)


@pytest.fixture
def clerk_b(county_b):
    return UserFactory(username="clerk_b", role=Role.CLERK, bureau=county_b)


@pytest.fixture
def admin_b(county_b):
    return UserFactory(username="admin_b", role=Role.BUREAU_ADMIN, bureau=county_b)


@pytest.fixture
def city_staff(city):
    return UserFactory(username="city_staff", role=Role.CITY_STAFF, bureau=city)


@pytest.fixture
def city_clerk(city):
    return UserFactory(username="city_clerk", role=Role.CLERK, bureau=city)


@pytest.fixture
def practitioner_user(db):
    """A practitioner login with no register record."""
    return UserFactory(username="accountant", role=Role.PRACTITIONER, bureau=None)


# --- Practitioners and their accounts ------------------------------------------------------


@pytest.fixture
def practitioner_a(county_a):
    return PractitionerFactory(bureau=county_a, name="韦丽芳")


@pytest.fixture
def practitioner_b(county_b):
    return PractitionerFactory(bureau=county_b, name="黄志坚")


@pytest.fixture
def practitioner_city(city):
    return PractitionerFactory(bureau=city, name="陈思雨")


def activate(practitioner, **fields):
    user = UserFactory(
        username=practitioner.id_number,
        role=Role.PRACTITIONER,
        bureau=None,
        display_name=practitioner.name,
        **fields,
    )
    practitioner.account = user
    practitioner.save(update_fields=["account"])
    return user


@pytest.fixture
def account_a(practitioner_a):
    """practitioner_a with an activated login (user name = ID number)."""
    return activate(practitioner_a, email="a@example.com")


@pytest.fixture
def account_b(practitioner_b):
    return activate(practitioner_b)


@pytest.fixture
def campaign(db) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name="测试采集",
        start_date=today - datetime.timedelta(weeks=3),
        plan_due_date=today - datetime.timedelta(weeks=1),
        collection_due_date=today + datetime.timedelta(weeks=4),
        is_active=True,
    )


@pytest.fixture
def with_photo(practitioner_a, account_a, campaign):
    """practitioner_a's application (a draft) with an ID photo; the photo."""
    from collection import services

    return services.set_application_photo(
        practitioner=practitioner_a, actor=account_a, data=jpeg_bytes()
    )


@pytest.fixture
def submitted_a(practitioner_a, account_a, with_photo):
    """practitioner_a's application, submitted unchanged."""
    return submit(practitioner_a, account_a)


@pytest.fixture
def submitted_b(practitioner_b, account_b, campaign):
    from collection import services

    services.set_application_photo(practitioner=practitioner_b, actor=account_b, data=jpeg_bytes())
    return submit(practitioner_b, account_b)


@pytest.fixture
def submitted_city(practitioner_city, campaign):
    from collection import services

    account = activate(practitioner_city)
    services.set_application_photo(practitioner=practitioner_city, actor=account, data=jpeg_bytes())
    return submit(practitioner_city, account)


@pytest.fixture
def confirmed_person(county_a, campaign, clerk_a):
    """Another of county A's people, activated, with a collection confirmed at A's counter."""
    from tests.helpers import confirm, make_submitted

    application = make_submitted(county_a, campaign, 1)[0]
    confirm(application, clerk_a)
    person = application.practitioner
    person.refresh_from_db()
    return person


@pytest.fixture
def committed_bureaus(transactional_db):
    """For tests whose data other processes or threads must see (transaction=True): the flush
    after each such test deletes the bureaus of migration 0002, so they are loaded again."""
    import importlib

    from django.apps import apps

    importlib.import_module("practitioners.migrations.0002_bureaus").load_bureaus(apps, None)


@pytest.fixture
def postgres_only(transactional_db):
    """Real PostgreSQL row locks and constraints between threads: skipped on SQLite (CI runs the
    suite on both). A transactional test flushes the tables: the bureaus are loaded again."""
    import importlib

    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (CI runs the suite there too)")
    importlib.import_module("practitioners.migrations.0002_bureaus").load_bureaus(apps, None)
