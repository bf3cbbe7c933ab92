"""Collection personas: an active campaign, an activated practitioner of county A with a photo."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from collection.models import Campaign
from practitioners.constants import Role
from tests.factories import UserFactory

PASSWORD = "Pass-word-2026"


def jpeg_bytes(size=(600, 800), color=(200, 180, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
def account_a(practitioner_a):
    """practitioner_a with an activated login (user name = ID number)."""
    user = UserFactory(
        username=practitioner_a.id_number,
        role=Role.PRACTITIONER,
        bureau=None,
        display_name=practitioner_a.name,
        email="a@example.com",
    )
    practitioner_a.account = user
    practitioner_a.save(update_fields=["account"])
    return user


@pytest.fixture
def account_b(practitioner_b):
    user = UserFactory(username=practitioner_b.id_number, role=Role.PRACTITIONER, bureau=None)
    practitioner_b.account = user
    practitioner_b.save(update_fields=["account"])
    return user


@pytest.fixture
def with_photo(practitioner_a, account_a, campaign):
    from collection import services

    return services.set_application_photo(
        practitioner=practitioner_a, actor=account_a, data=jpeg_bytes()
    )
