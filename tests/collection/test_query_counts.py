"""A practitioner's pages, which a deadline day's crowd opens several times each, keep to a
small budget of queries: the register record comes with the user (the login backend), the
rules check the record's constraints in Python, the service reuses what it has loaded. Each
budget is what the page needs today: a query more (a lookup repeated, a constraint checked in
the database) fails, with the queries listed."""

import io

import pytest
from django.urls import reverse

from tests.collection.test_application import form_data
from tests.helpers import jpeg_bytes, submit, within_budget

pytestmark = pytest.mark.django_db

# Session, user with the record, campaign, application.
FORM_PAGE_BUDGET = 4
# ... and the change request (the open one, or else the last decided), notices, business done
# before collecting, the record's history, the versions.
HOME_PAGE_BUDGET = 9
# The view's reads, then the service's: the campaign, the application locked in one query,
# the record's checks in Python, the new version, the audit.
SUBMIT_BUDGET = 20
# The service reads the campaign and locks the application, stores the photo; the view reads
# neither when the upload succeeds (it redirects to the page, which reads them).
PHOTO_UPLOAD_BUDGET = 9


@pytest.fixture
def logged_in(client, account_a, with_photo):
    client.force_login(account_a)
    return client


@pytest.mark.parametrize(
    "name, budget",
    [
        ("collection:application", FORM_PAGE_BUDGET),
        ("collection:photo_upload", FORM_PAGE_BUDGET),
        ("collection:home", HOME_PAGE_BUDGET),
    ],
)
def test_a_practitioners_page_keeps_to_its_query_budget(logged_in, name, budget):
    response, _count = within_budget(budget, logged_in, reverse(name))
    assert response.status_code == 200


def test_submitting_keeps_to_its_query_budget(logged_in, practitioner_a, with_photo):
    data = form_data(
        practitioner_a, revision=practitioner_a.applications.get().revision, action="submit"
    )
    response, _count = within_budget(
        SUBMIT_BUDGET, logged_in, reverse("collection:application"), data, method="post"
    )
    assert response.status_code == 302
    assert practitioner_a.applications.get().status == "submitted"


def test_the_status_page_after_submitting(logged_in, practitioner_a, account_a):
    submit(practitioner_a, account_a)
    response, _count = within_budget(HOME_PAGE_BUDGET, logged_in, reverse("collection:home"))
    assert response.status_code == 200 and b'data-status="submitted"' in response.content


def test_uploading_a_photo_keeps_to_its_query_budget(logged_in):
    photo = io.BytesIO(jpeg_bytes((900, 1200)))
    photo.name = "me.jpg"
    response, _count = within_budget(
        PHOTO_UPLOAD_BUDGET,
        logged_in,
        reverse("collection:photo_upload"),
        {"photo": photo},
        method="post",
    )
    assert response.status_code == 302
