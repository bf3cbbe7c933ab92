"""Two counters at once, on real PostgreSQL row locks: one decision wins, numbers never repeat."""

import pytest

from confirmation import services
from confirmation.models import Confirmation
from tests.factories import UserFactory
from tests.helpers import make_submitted, run_together, ticks_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(postgres_only):
    pass


def test_confirm_and_return_at_the_same_moment_exactly_one_wins(county_a, clerk_a, campaign):
    other_clerk = UserFactory(role=clerk_a.role, bureau=county_a)
    for application in make_submitted(county_a, campaign, 4):
        ticks = ticks_for(application)
        results, errors = run_together(
            lambda a=application, t=ticks: services.confirm_at_counter(
                application=a, actor=clerk_a, checklist=t, revision=a.revision
            ),
            lambda a=application: services.return_at_counter(
                application=a, actor=other_clerk, reason="photo", revision=a.revision
            ),
        )
        winners = [r for r in results if r is not None]
        assert len(winners) == 1, errors
        loser = next(e for e in errors if e is not None)
        assert isinstance(loser, services.AlreadyDecided)
        application.refresh_from_db()
        confirmed = Confirmation.objects.filter(application=application).count()
        assert (application.status, confirmed) in {("confirmed", 1), ("returned", 0)}
        if application.status == "returned":
            assert application.return_reason  # the return reason is never lost


def test_two_confirms_of_one_application_give_one_confirmation(county_a, clerk_a, campaign):
    other_clerk = UserFactory(role=clerk_a.role, bureau=county_a)
    (application,) = make_submitted(county_a, campaign, 1)
    ticks = ticks_for(application)
    results, errors = run_together(
        lambda: services.confirm_at_counter(
            application=application, actor=clerk_a, checklist=ticks, revision=application.revision
        ),
        lambda: services.confirm_at_counter(
            application=application,
            actor=other_clerk,
            checklist=ticks,
            revision=application.revision,
        ),
    )
    assert sum(r is not None for r in results) == 1
    assert Confirmation.objects.count() == 1


def test_archive_numbers_stay_unique_under_concurrent_confirms(county_a, clerk_a, campaign):
    other_clerk = UserFactory(role=clerk_a.role, bureau=county_a)
    applications = make_submitted(county_a, campaign, 12)
    halves = applications[::2], applications[1::2]

    def confirm_all(clerk, items):
        return [
            services.confirm_at_counter(
                application=a, actor=clerk, checklist=ticks_for(a), revision=a.revision
            ).archive_number
            for a in items
        ]

    results, errors = run_together(
        lambda: confirm_all(clerk_a, halves[0]), lambda: confirm_all(other_clerk, halves[1])
    )
    assert errors == [None, None]
    numbers = results[0] + results[1]
    assert len(set(numbers)) == 12
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 13))
