"""A submit posted twice (a double click on 提交, a request the browser sent again) answers the
second time with the submitted state, not with the conflict of a form from another window; a
stale form that differs is still refused."""

import pytest
from django.urls import reverse

from collection.constants import ApplicationKind, ApplicationStatus
from collection.models import Application, Submission
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from tests.collection.test_application import form_data

pytestmark = pytest.mark.django_db
FORM = reverse("collection:application")
CHANGE = reverse("collection:change")
HOME = reverse("collection:home")


@pytest.fixture
def logged_in(client, account_a, campaign):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # assert on English messages
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_same_submit_posted_twice_answers_with_the_submitted_state(
    logged_in, practitioner_a, with_photo
):
    revision = Application.objects.get(practitioner=practitioner_a).revision
    data = form_data(practitioner_a, revision, action="submit", employer="南宁新单位有限公司")

    first = logged_in.post(FORM, data)
    second = logged_in.post(FORM, data, follow=True)

    assert first.status_code == 302 and first.url == HOME
    assert second.redirect_chain == [(HOME, 302)]
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.revision == revision + 1  # the repeat wrote nothing
    assert Submission.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SUBMITTED).count() == 1
    page = second.content.decode()
    assert 'data-status="submitted"' in page
    assert "another window" not in _messages(second)
    assert "Submitted." in _messages(second)


def test_a_stale_submit_with_other_values_is_still_refused(logged_in, practitioner_a, with_photo):
    revision = Application.objects.get(practitioner=practitioner_a).revision
    logged_in.post(FORM, form_data(practitioner_a, revision, action="submit"))

    other = logged_in.post(
        FORM, form_data(practitioner_a, revision, action="submit", major="另一个专业")
    )

    assert other.status_code == 409
    assert "another window" in _messages(other)
    application = Application.objects.get(practitioner=practitioner_a)
    assert application.data["major"] != "另一个专业"
    assert Submission.objects.filter(application=application).count() == 1


def test_a_submit_repeated_after_another_write_is_refused(logged_in, practitioner_a, with_photo):
    """Only a repeat of the write that submitted it: once the application was taken back to a
    draft and submitted again, the first form's revision is two writes old."""
    revision = Application.objects.get(practitioner=practitioner_a).revision
    data = form_data(practitioner_a, revision, action="submit")
    logged_in.post(FORM, data)
    logged_in.post(FORM, form_data(practitioner_a, revision + 1, action="save"))
    logged_in.post(FORM, form_data(practitioner_a, revision + 2, action="submit"))

    again = logged_in.post(FORM, data)

    assert again.status_code == 409
    application = Application.objects.get(practitioner=practitioner_a)
    assert Submission.objects.filter(application=application).count() == 2


def test_a_change_request_submitted_twice_answers_with_the_submitted_state(
    client, confirmed_person
):
    client.force_login(confirmed_person.account)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = form_data(confirmed_person, 0, action="submit", employer="南宁新单位有限公司")

    first = client.post(CHANGE, data)
    second = client.post(CHANGE, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(HOME, 302)]
    change = Application.objects.get(practitioner=confirmed_person, kind=ApplicationKind.CHANGE)
    assert change.status == ApplicationStatus.SUBMITTED
    assert change.submissions.count() == 1
    assert "another window" not in _messages(second)
