"""No decision on nothing: an information change and an on-post registration of the same person
that change the same fields. Both review screens say so; whichever is decided first, the other
then changes only what still differs, and a change request left with nothing to change is
closed without an archive number or a print."""

import datetime

import pytest
from django.urls import reverse

from business import services as business_services
from collection.constants import ApplicationStatus
from collection.models import Notice
from confirmation import services as counter_services
from confirmation.models import Confirmation
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from tests.helpers import confirm, submit_change, ticks_for

pytestmark = pytest.mark.django_db

EMPLOYER = "广西北部湾会计师事务所有限公司"


def register(practitioner, account, **values):
    return business_services.register_on_post(
        practitioner=practitioner,
        actor=account,
        values={"employer": EMPLOYER, "post": "会计主管", "start_date": datetime.date(2026, 3, 1)}
        | values,
    )


def test_both_review_screens_say_the_two_change_the_same_fields(
    client, confirmed_a, account_a, clerk_a
):
    change = submit_change(confirmed_a, account_a, employer=EMPLOYER)
    register(confirmed_a, account_a)
    client.force_login(clerk_a)
    review = client.get(reverse("confirmation:review", args=[change.pk]))
    assert 'id="overlap"' in review.text
    assert review.context["overlap"].labels == ["工作单位"]
    decisions = client.get(reverse("business:decisions"))
    assert "registry-overlap" in decisions.text
    assert [o.labels for o in decisions.context["overlaps"].values()] == [["工作单位"]]


def test_a_change_the_registration_already_made_is_closed_without_an_archive_number(
    client, confirmed_a, account_a, clerk_a
):
    change = submit_change(confirmed_a, account_a, employer=EMPLOYER, position="会计主管")
    registration = register(confirmed_a, account_a)
    business_services.approve_registration(registration=registration, actor=clerk_a)

    client.force_login(clerk_a)
    review = client.get(reverse("confirmation:review", args=[change.pk]))
    assert review.context["nothing_to_change"] and 'id="close-form"' in review.text
    assert 'id="confirm-form"' not in review.text
    assert not [row for row in review.context["rows"] if row[4]]  # nothing marked changed

    change.refresh_from_db()
    with pytest.raises(counter_services.NothingToChange):
        counter_services.confirm_at_counter(
            application=change, actor=clerk_a, checklist=set(), revision=change.revision
        )
    response = client.post(
        reverse("confirmation:close", args=[change.pk]), {"revision": change.revision}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ApplicationStatus.CLOSED
    assert not Confirmation.objects.filter(application=change).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE_CLOSED, practitioner=confirmed_a)
    (notice,) = Notice.objects.filter(application=change)
    assert "无需变更" in notice.subject  # the clerk's page was in Chinese
    # The practitioner may start a new change at once: the closed one is no longer open.
    again = submit_change(confirmed_a, account_a, major="审计学（第二学位）")
    assert again.pk != change.pk


def test_what_still_differs_is_all_the_counter_checks_and_writes(confirmed_a, account_a, clerk_a):
    change = submit_change(confirmed_a, account_a, employer=EMPLOYER, school="桂林理工大学（函授）")
    needed_before = ticks_for(change)
    registration = register(confirmed_a, account_a)
    business_services.approve_registration(registration=registration, actor=clerk_a)
    change.refresh_from_db()
    needed_after = ticks_for(change)
    assert "sealed_change_form" in needed_before and "sealed_change_form" not in needed_after
    confirmation = confirm(change, clerk_a)
    assert [c["field"] for c in confirmation.changes] == ["school"]
    confirmed_a.refresh_from_db()
    assert (confirmed_a.employer, confirmed_a.school) == (EMPLOYER, "桂林理工大学（函授）")


def test_a_change_that_still_changes_something_cannot_be_closed(confirmed_a, account_a, clerk_a):
    change = submit_change(confirmed_a, account_a, school="桂林理工大学（函授）")
    with pytest.raises(counter_services.StillChanges):
        counter_services.close_change_request(
            application=change, actor=clerk_a, revision=change.revision
        )
    change.refresh_from_db()
    assert change.status == ApplicationStatus.SUBMITTED
