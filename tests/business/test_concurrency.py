"""Two tabs at once, on real PostgreSQL: one change request, one waiting on-post registration."""

import datetime

import pytest

from business import services as business_services
from business.models import OnPostRegistration
from collection import diff
from collection import services as collection_services
from collection.constants import ApplicationKind
from collection.models import Application
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(postgres_only):
    pass


def test_two_tabs_submit_a_change_at_once_one_wins_and_the_other_is_told(confirmed_person):
    account = confirmed_person.account

    def tab(employer):
        values = {
            f: diff.python_value(f, v) for f, v in diff.record_values(confirmed_person).items()
        }
        values["employer"] = employer
        return lambda: collection_services.submit_change(
            practitioner=confirmed_person, actor=account, values=values, revision=0
        )

    results, errors = run_together(tab("甲公司"), tab("乙公司"))
    assert sum(r is not None for r in results) == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], collection_services.StaleApplication)
    changes = Application.objects.filter(practitioner=confirmed_person, kind=ApplicationKind.CHANGE)
    assert changes.count() == 1
    change = changes.get()
    assert change.submissions.count() == 1
    winner = results[0] or results[1]
    assert change.data["employer"] == winner.data["employer"]


def test_two_tabs_register_on_post_at_once_one_waits(confirmed_person):
    values = {
        "employer": "南宁市某公司",
        "employer_credit_code": "",
        "post": "会计",
        "start_date": datetime.date(2025, 1, 1),
    }

    def tab():
        return business_services.register_on_post(
            practitioner=confirmed_person, actor=confirmed_person.account, values=values
        )

    results, errors = run_together(tab, tab)
    assert sum(r is not None for r in results) == 1
    assert isinstance([e for e in errors if e][0], business_services.BusinessError)
    assert OnPostRegistration.objects.filter(practitioner=confirmed_person).count() == 1
