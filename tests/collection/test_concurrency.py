"""Two tabs at once, on real PostgreSQL: the first save of an application creates one row."""

import pytest

from collection import diff, services
from collection.constants import ApplicationStatus
from collection.models import Application, ApplicationTotal
from tests.helpers import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(postgres_only):
    pass


def test_two_tabs_save_the_first_draft_at_once_one_row_one_count(
    practitioner_a, account_a, campaign
):
    def tab(name):
        return lambda: services.save_draft(
            practitioner=practitioner_a, actor=account_a, data={"name": name}, revision=0
        )

    results, errors = run_together(tab("甲"), tab("乙"))
    # Both find no row; one inserts it, the other's insert waits on the unique key, fails, and
    # locks the row the first made: it then sees a newer revision than its form's and is told.
    assert sum(r is not None for r in results) == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], services.StaleApplication), errors
    application = Application.objects.get(practitioner=practitioner_a, campaign=campaign)
    assert application.status == ApplicationStatus.DRAFT
    assert application.data["name"] == (results[0] or results[1]).data["name"]
    drafts = ApplicationTotal.objects.filter(campaign=campaign, figure="draft")
    assert sum(t.count for t in drafts) == 1  # the new draft counted once


def test_a_double_click_on_submit_at_once_submits_once_and_both_answer_submitted(
    practitioner_a, account_a, with_photo
):
    """Both posts of a double click reach the server together: the second waits on the row
    lock, then finds the first one's submission of the same values and answers with it."""
    revision = Application.objects.get(practitioner=practitioner_a).revision
    values = {f: diff.python_value(f, v) for f, v in diff.record_values(practitioner_a).items()}

    def click():
        return services.submit_application(
            practitioner=practitioner_a, actor=account_a, values=values, revision=revision
        )

    results, errors = run_together(click, click)

    assert errors == [None, None]
    assert results[0].pk == results[1].pk  # one submission, both answered with it
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submissions.count() == 1
