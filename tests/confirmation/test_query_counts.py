"""The counter's pages run a fixed number of queries, however long the queue or history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confirmation import services
from tests.helpers import all_ticks, make_submitted

pytestmark = pytest.mark.django_db
REVIEW_QUERIES = 7
CONFIRM_QUERIES = 23


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_is_fixed(client, clerk_a, county_a, campaign):
    client.force_login(clerk_a)
    make_submitted(county_a, campaign, 2)
    few = count(client, reverse("confirmation:queue"))
    make_submitted(county_a, campaign, 8)
    assert (
        count(client, reverse("confirmation:queue")) == few == 5
    )  # session, user, campaign, count, rows


def test_review_query_count_does_not_grow_with_history(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:review", args=[submitted_a.pk])
    before = count(client, url)
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
    # session, user, application (with its people and bureaus), the audit event of the view,
    # latest version, confirmation, edits: pinned, so that a change is seen.
    assert count(client, url) == before == REVIEW_QUERIES


def test_confirming_reads_each_thing_once(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    submitted_a.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            reverse("confirmation:confirm", args=[submitted_a.pk]),
            {"revision": submitted_a.revision, **all_ticks(submitted_a)},
        )
    assert response.status_code == 302
    sql = [q["sql"] for q in ctx.captured_queries]
    # The archive number's row is locked in one query; the record is locked with its account
    # and bureau (the notice and the audit need them), not read again after.
    assert sum(q.startswith('SELECT "confirmation_archivesequence"') for q in sql) == 1
    assert not [q for q in sql if q.startswith('SELECT "practitioners_bureau"')]
    assert sum(q.startswith('SELECT "practitioners_user"') for q in sql) == 1  # the clerk
    assert len(sql) <= CONFIRM_QUERIES, "\n".join(q[:100] for q in sql)
