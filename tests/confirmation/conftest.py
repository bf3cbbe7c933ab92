import pytest

from collection import diff
from collection import services as collection_services
from tests.collection.conftest import (  # noqa: F401  (fixtures shared with the collection tests)
    account_a,
    account_b,
    campaign,
    jpeg_bytes,
    private_media,
    with_photo,
)


def submit(practitioner, account, **changes):
    """Submit the practitioner's application (photo already uploaded) with some changes."""
    values = diff.record_values(practitioner) | changes
    collection_services.submit_application(
        practitioner=practitioner, actor=account, values=values, revision=None
    )
    return practitioner.applications.get()


@pytest.fixture
def submitted_a(practitioner_a, account_a, with_photo):
    return submit(practitioner_a, account_a)


@pytest.fixture
def submitted_city(practitioner_city, campaign):
    from practitioners.constants import Role
    from tests.factories import UserFactory

    account = UserFactory(username=practitioner_city.id_number, role=Role.PRACTITIONER, bureau=None)
    practitioner_city.account = account
    practitioner_city.save(update_fields=["account"])
    collection_services.set_application_photo(
        practitioner=practitioner_city, actor=account, data=jpeg_bytes()
    )
    return submit(practitioner_city, account)
