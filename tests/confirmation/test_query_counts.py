"""The counter's pages keep to a budget of queries, however long the queue or history: each
budget is what the page needs today, and the count must not grow with the rows."""

import pytest
from django.urls import reverse

from confirmation import services
from tests.helpers import all_ticks, make_submitted, within_budget

pytestmark = pytest.mark.django_db
# Session, user, campaign, count, rows.
QUEUE_BUDGET = 5
# Session, user, application (with its people and bureaus), the audit event of the view, latest
# version, confirmation, edits.
REVIEW_BUDGET = 7
# The archive number's row locked in one query; the record locked with its account and bureau
# (the notice and the audit need them), not read again after.
CONFIRM_BUDGET = 21


def count(client, url, budget):
    response, queries = within_budget(budget, client, url)
    assert response.status_code == 200
    return queries


def test_the_queue_keeps_to_its_budget_however_long(client, clerk_a, county_a, campaign):
    client.force_login(clerk_a)
    url = reverse("confirmation:queue")
    make_submitted(county_a, campaign, 2)
    few = count(client, url, QUEUE_BUDGET)
    make_submitted(county_a, campaign, 8)
    assert count(client, url, QUEUE_BUDGET) <= few  # no query per row


def test_the_review_keeps_to_its_budget_however_long_the_history(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:review", args=[submitted_a.pk])
    before = count(client, url, REVIEW_BUDGET)
    for value in ("审计学（一）", "审计学（二）", "审计学（三）"):
        submitted_a.refresh_from_db()
        services.correct_at_counter(
            application=submitted_a,
            actor=clerk_a,
            field="major",
            value=value,
            reason="录入错误",
            revision=submitted_a.revision,
        )
    assert count(client, url, REVIEW_BUDGET) <= before  # no query per edit


def test_confirming_keeps_to_its_budget(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    submitted_a.refresh_from_db()
    response, _count = within_budget(
        CONFIRM_BUDGET,
        client,
        reverse("confirmation:confirm", args=[submitted_a.pk]),
        {"revision": submitted_a.revision, **all_ticks(submitted_a)},
        method="post",
    )
    assert response.status_code == 302
    submitted_a.refresh_from_db()
    assert submitted_a.status == "confirmed"
