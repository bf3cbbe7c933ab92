"""Information changes after confirmation (信息变更): the change request through the same form,
its printed form, the counter's review and decision; contact details changed at once; the
history of confirmed versions."""

import pytest
from django.urls import reverse

from collection import selectors
from collection import services as collection_services
from collection.constants import ApplicationKind, ApplicationStatus
from collection.models import Application, Notice
from confirmation import services as counter_services
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent
from practitioners.selectors import record_history
from tests.helpers import confirm, submit_change, ticks_for

pytestmark = pytest.mark.django_db

NEW_EMPLOYER = "广西北部湾会计师事务所有限公司"


def _form_post(practitioner, revision=0, action="submit", **changes):
    """What the change form posts: the record's values (contact fields are disabled, so a
    browser does not send them), with some changed."""
    from collection import diff
    from practitioners.constants import CONTACT_FIELDS

    values = diff.record_values(practitioner)
    data = {
        name: ("on" if value is True else "" if value is False else value)
        for name, value in values.items()
        if name not in CONTACT_FIELDS and name != "cert_number"
    }
    data = {k: v for k, v in data.items() if v != ""}
    data.update(changes)
    data.update(revision=revision, action=action)
    return data


def test_a_confirmed_practitioner_changes_employer_and_the_counter_confirms_it(
    client, confirmed_a, account_a, clerk_a
):
    client.force_login(account_a)
    page = client.get(reverse("collection:change"))
    assert page.status_code == 200
    assert "信息变更" in page.text
    # The contact fields are shown but not editable here.
    assert 'name="mobile"' in page.text and "disabled" in page.text

    response = client.post(
        reverse("collection:change"), _form_post(confirmed_a, employer=NEW_EMPLOYER)
    )
    assert response.status_code == 302
    change = Application.objects.get(kind=ApplicationKind.CHANGE)
    assert change.status == ApplicationStatus.SUBMITTED and change.campaign_id is None
    assert change.reference and change.data["employer"] == NEW_EMPLOYER
    assert change.photo_id == confirmed_a.applications.get(kind="collection").photo_id

    home = client.get(reverse("collection:home"))
    assert "打印变更表" in home.text
    # Only the originals this change needs: the change form sealed by the new employer.
    assert ticks_for(change) == {"sealed_change_form"}
    pdf = client.get(reverse("collection:change_pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    # The counter finds it by the person's ID number, and in the queue of changes.
    client.force_login(clerk_a)
    found = client.get(reverse("confirmation:counter"), {"q": confirmed_a.id_number})
    assert found.status_code == 302 and found.url == reverse(
        "confirmation:review", args=[change.pk]
    )
    queue = client.get(reverse("confirmation:queue"), {"kind": "change"})
    assert confirmed_a.name in queue.text
    review = client.get(found.url)
    assert "信息变更" in review.text and NEW_EMPLOYER in review.text
    decided = client.post(
        reverse("confirmation:confirm", args=[change.pk]),
        {"revision": change.revision, "tick_sealed_change_form": "on"},
    )
    assert decided.status_code == 302

    confirmed_a.refresh_from_db()
    assert confirmed_a.employer == NEW_EMPLOYER
    change.refresh_from_db()
    assert change.status == ApplicationStatus.CONFIRMED
    event = AuditEvent.objects.get(action=AuditAction.CHANGE_CONFIRMED)
    assert event.actor == clerk_a and event.detail["changes"][0]["field"] == "employer"
    assert Notice.objects.filter(user=account_a, subject__contains="信息变更申请").exists()

    # Both pages show every confirmed version with who confirmed it.
    history = record_history(practitioner=confirmed_a)
    assert [v.action for v in history] == [AuditAction.CHANGE_CONFIRMED, AuditAction.CONFIRMED]
    assert history[0].actor == clerk_a
    staff_page = client.get(reverse("practitioners:detail", args=[confirmed_a.pk]))
    assert "信息变更已确认" in staff_page.text and NEW_EMPLOYER in staff_page.text
    client.force_login(account_a)
    assert "信息变更已确认" in client.get(reverse("collection:home")).text


def test_an_identity_change_asks_for_the_id_card_and_the_certificate(confirmed_a, account_a):
    change = submit_change(confirmed_a, account_a, name="韦丽芬")
    assert change.has_identity_changes
    assert ticks_for(change) == {"change_form", "id_card", "certificate", "identity_checked"}


def test_a_change_that_changes_nothing_is_refused(confirmed_a, account_a):
    with pytest.raises(collection_services.CollectionError, match="没有不同|differs"):
        submit_change(confirmed_a, account_a)
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE, status="submitted").exists()


def test_a_returned_change_is_corrected_and_submitted_again(confirmed_a, account_a, clerk_a):
    change = submit_change(confirmed_a, account_a, major="会计")
    counter_services.return_at_counter(
        application=change,
        actor=clerk_a,
        reason="other",
        note="请附学位证",
        revision=change.revision,
    )
    change.refresh_from_db()
    assert change.status == ApplicationStatus.RETURNED
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE_RETURNED).exists()
    again = submit_change(confirmed_a, account_a, major="财务管理（第二学位）")
    assert again.pk == change.pk and again.status == ApplicationStatus.SUBMITTED
    assert again.submissions.count() == 2


def test_contact_details_change_at_once_and_a_later_change_does_not_undo_them(
    client, confirmed_a, account_a, clerk_a
):
    change = submit_change(confirmed_a, account_a, position="财务总监")
    client.force_login(account_a)
    response = client.post(
        reverse("collection:contact"),
        {
            "mobile": "13907710000",
            "email": "new@example.com",
            "address": "南宁市新地址1号",
            "postcode": "530099",
        },
    )
    assert response.status_code == 302
    confirmed_a.refresh_from_db()
    account_a.refresh_from_db()
    assert confirmed_a.mobile == "13907710000" and account_a.email == "new@example.com"
    event = AuditEvent.objects.get(action=AuditAction.CONTACT_CHANGED)
    assert {c["field"] for c in event.detail["changes"]} == {
        "mobile",
        "email",
        "address",
        "postcode",
    }

    confirm(change, clerk_a)
    confirmed_a.refresh_from_db()
    assert confirmed_a.position == "财务总监"
    assert confirmed_a.mobile == "13907710000" and confirmed_a.address == "南宁市新地址1号"


def test_bad_contact_details_are_refused_next_to_the_field_and_kept(client, confirmed_a, account_a):
    client.force_login(account_a)
    response = client.post(
        reverse("collection:contact"),
        {"mobile": "1234", "email": "not-an-email", "address": "南宁市", "postcode": "53"},
    )
    assert response.status_code == 400
    assert 'value="1234"' in response.text and 'value="not-an-email"' in response.text
    assert response.text.count("invalid-feedback") >= 3
    confirmed_a.refresh_from_db()
    assert confirmed_a.mobile != "1234"
    assert not AuditEvent.objects.filter(action=AuditAction.CONTACT_CHANGED).exists()


def test_bad_input_in_the_change_form_is_shown_next_to_the_field_and_kept(
    client, confirmed_a, account_a
):
    client.force_login(account_a)
    response = client.post(
        reverse("collection:change"),
        _form_post(confirmed_a, employer="单位" * 60, graduation_date="2099-13-40"),
    )
    assert response.status_code == 400
    assert "单位" * 60 in response.text
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE, status="submitted").exists()


def test_a_change_draft_too_long_for_its_field_is_not_saved_but_kept(
    client, confirmed_a, account_a
):
    """The draft's length rule holds for a change request too; the contact details it does
    not take (disabled, the record's) are not what it judges."""
    client.force_login(account_a)
    response = client.post(
        reverse("collection:change"),
        _form_post(confirmed_a, action="save", employer="单位" * 60, mobile="1" * 1000),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"employer"}
    assert "单位" * 60 in response.text
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


def test_a_second_tab_cannot_overwrite_the_first_tabs_change(confirmed_a, account_a):
    """Both tabs opened the form before either saved (revision 0): the second is refused with
    its typing kept by the view, and one change request exists."""
    values = {"practitioner": confirmed_a, "actor": account_a, "revision": 0}
    collection_services.save_change_draft(data={"employer": "甲单位"}, **values)
    with pytest.raises(collection_services.StaleApplication):
        collection_services.save_change_draft(data={"employer": "乙单位"}, **values)
    change = selectors.open_change(practitioner=confirmed_a)
    assert change.data["employer"] == "甲单位"
    assert Application.objects.filter(kind=ApplicationKind.CHANGE).count() == 1


def test_a_second_tab_gets_its_typing_back_with_the_reason(client, confirmed_a, account_a):
    client.force_login(account_a)
    client.post(
        reverse("collection:change"), _form_post(confirmed_a, action="save", employer="甲单位")
    )
    response = client.post(
        reverse("collection:change"), _form_post(confirmed_a, action="save", employer="乙单位")
    )
    assert response.status_code == 409
    assert "乙单位" in response.text and "其他窗口" in response.text


def test_other_counties_cannot_see_or_decide_a_change(client, confirmed_a, account_a, clerk_b):
    change = submit_change(confirmed_a, account_a, major="资产评估")
    client.force_login(clerk_b)
    assert client.get(reverse("confirmation:review", args=[change.pk])).status_code == 404
    response = client.post(
        reverse("confirmation:confirm", args=[change.pk]),
        {"revision": change.revision, "tick_change_form": "on"},
    )
    assert response.status_code == 404
    change.refresh_from_db()
    assert change.status == ApplicationStatus.SUBMITTED


def test_change_requests_are_not_counted_in_the_weekly_figures(confirmed_a, account_a, campaign):
    from collection import tallies

    submit_change(confirmed_a, account_a, major="资产评估")
    assert tallies.differences(campaign=campaign) == {}
    counts = tallies.figures(campaign=campaign)[confirmed_a.bureau_id]
    assert counts["waiting"] == 0 and counts["confirmed"] == 1


# Session, user, count, those past the day to answer them by, rows: no campaign to read.
CHANGE_QUEUE_BUDGET = 5


def test_the_queue_of_changes_keeps_to_its_budget_however_long(client, county_a, campaign, clerk_a):
    from tests.helpers import make_submitted, within_budget

    def add(n):
        for application in make_submitted(county_a, campaign, n):
            confirm(application, clerk_a)
            submit_change(application.practitioner, application.practitioner.account, major="审计")

    def count():
        response, queries = within_budget(
            CHANGE_QUEUE_BUDGET, client, reverse("confirmation:queue"), {"kind": "change"}
        )
        assert response.status_code == 200
        return queries, response.context["page"].paginator.count

    client.force_login(clerk_a)
    add(1)
    few, listed = count()
    assert listed == 1
    add(3)
    many, listed = count()
    assert listed == 4 and many <= few  # no query per change


def test_a_change_of_every_field_to_its_longest_value_prints_on_one_page(confirmed_a, account_a):
    import io

    from pypdf import PdfReader

    from collection import pdf
    from tests.helpers import longest_values

    values = longest_values(confirmed_a.bureau)
    for name in ("email", "address", "postcode", "employer_credit_code"):
        values.pop(name)  # contact details are not part of a change; the code must be valid
    change = submit_change(confirmed_a, account_a, **values)
    data = pdf.render_application_form(change.latest_submission)
    document = PdfReader(io.BytesIO(data))
    assert len(document.pages) == 1
    text = document.pages[0].extract_text()
    assert "基本信息变更表" in text and "（变更）" in text
