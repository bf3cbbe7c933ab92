import pytest

from tests.helpers import confirm


@pytest.fixture
def confirmed_a(submitted_a, clerk_a):
    """practitioner_a's collection, confirmed at county A's counter; the practitioner."""
    confirm(submitted_a, clerk_a)
    practitioner = submitted_a.practitioner
    practitioner.refresh_from_db()
    return practitioner
