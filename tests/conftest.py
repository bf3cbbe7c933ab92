"""Personas reused by every test: county A (青秀区) staff, county B (兴宁区) staff, the city."""

import pytest
from django.utils import translation

from practitioners.constants import Role
from practitioners.models import Bureau
from tests.factories import PractitionerFactory, UserFactory


@pytest.fixture(autouse=True)
def english_messages():
    """Service and command messages in English, so assertions read the same everywhere.
    Pages still choose their language per request (Chinese by default; see test_i18n)."""
    with translation.override("en"):
        yield


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
    return UserFactory(username="accountant", role=Role.PRACTITIONER, bureau=None)


@pytest.fixture
def practitioner_a(county_a):
    return PractitionerFactory(bureau=county_a, name="韦丽芳")


@pytest.fixture
def practitioner_b(county_b):
    return PractitionerFactory(bureau=county_b, name="黄志坚")


@pytest.fixture
def practitioner_city(city):
    return PractitionerFactory(bureau=city, name="陈思雨")
