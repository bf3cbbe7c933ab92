"""A practitioner's pages, which a deadline day's crowd opens several times each, run a fixed,
small number of queries: the register record comes with the user (the login backend), the
rules check the record's constraints in Python, the service reuses what it has loaded."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.collection.test_application import form_data
from tests.helpers import jpeg_bytes, submit

pytestmark = pytest.mark.django_db


def queries(client, method, url, **data):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data)
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def logged_in(client, account_a, with_photo):
    client.force_login(account_a)
    return client


@pytest.mark.parametrize(
    "name, expected",
    [
        # session, user with the record, campaign, application
        ("collection:application", 4),
        ("collection:photo_upload", 4),
        # ... and the change request (the open one, or else the last decided), notices,
        # business done before collecting, the record's history, the versions
        ("collection:home", 9),
    ],
)
def test_a_practitioners_page_runs_a_fixed_number_of_queries(logged_in, name, expected):
    response, sql = queries(logged_in, "get", reverse(name))
    assert response.status_code == 200
    assert len(sql) <= expected, "\n".join(sql)
    assert not [q for q in sql if q.startswith('SELECT "practitioners_practitioner"."id"')]


def test_submitting_reads_each_thing_once(logged_in, practitioner_a, with_photo):
    response, sql = queries(
        logged_in,
        "post",
        reverse("collection:application"),
        **form_data(
            practitioner_a, revision=practitioner_a.applications.get().revision, action="submit"
        ),
    )
    assert response.status_code == 302
    assert not [q for q in sql if "_check" in q], "constraints are checked in Python"
    assert sum(q.startswith('SELECT "collection_campaign"') for q in sql) == 2  # view, service
    assert not [q for q in sql if q.startswith('SELECT "practitioners_practitioner"."id"')]
    # The application is locked in one query (SELECT ... FOR UPDATE), not looked up, then locked.
    assert sum(q.startswith('SELECT "collection_application"."id"') for q in sql) == 2  # view, lock
    # The service's transaction (a savepoint in the test's) and no other: no get_or_create's.
    assert sum(q.startswith("SAVEPOINT") for q in sql) == 1, "\n".join(q[:90] for q in sql)
    assert len(sql) <= 20, "\n".join(sql)


def test_the_status_page_after_submitting(logged_in, practitioner_a, account_a):
    submit(practitioner_a, account_a)
    response, sql = queries(logged_in, "get", reverse("collection:home"))
    assert response.status_code == 200 and b'data-status="submitted"' in response.content
    assert len(sql) <= 9, "\n".join(sql)


def test_uploading_a_photo_reads_each_thing_once(logged_in):
    photo = io.BytesIO(jpeg_bytes((900, 1200)))
    photo.name = "me.jpg"
    response, sql = queries(logged_in, "post", reverse("collection:photo_upload"), photo=photo)
    assert response.status_code == 302
    # The service reads the campaign and locks the application; the view reads neither when the
    # upload succeeds (it redirects to the page, which reads them).
    assert sum(q.startswith('SELECT "collection_campaign"') for q in sql) == 1
    assert sum(q.startswith('SELECT "collection_application"."id"') for q in sql) == 1
    assert len(sql) <= 9, "\n".join(q[:100] for q in sql)
