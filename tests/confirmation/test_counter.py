"""The counter: finding, reviewing, confirming, returning, correcting, printing."""

import pytest
from django.urls import reverse

from collection.constants import ApplicationStatus
from confirmation import services
from confirmation.constants import IDENTITY_CHECKED
from confirmation.models import Confirmation, CounterEdit, PrintLog
from practitioners.constants import TitleLevel
from practitioners.models import AuditEvent
from tests.helpers import all_ticks, confirm, submit, ticks_for

pytestmark = pytest.mark.django_db


# --- Finding ---------------------------------------------------------------------------------


def test_a_scanned_reference_opens_the_review_in_one_step(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    response = client.get(reverse("confirmation:counter"), {"q": submitted_a.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse("confirmation:review", args=[submitted_a.pk])


@pytest.mark.parametrize("field", ["id_number", "cert_number"])
def test_id_or_certificate_number_finds_the_application(client, clerk_a, submitted_a, field):
    client.force_login(clerk_a)
    value = getattr(submitted_a.practitioner, field).lower()
    response = client.get(reverse("confirmation:counter"), {"q": value})
    assert response["Location"] == reverse("confirmation:review", args=[submitted_a.pk])


def test_a_name_lists_matching_applications(client, clerk_a, submitted_a, practitioner_a):
    from tests.helpers import make_submitted

    other = make_submitted(practitioner_a.bureau, submitted_a.campaign, 1)[0]
    other.practitioner.name = practitioner_a.name[:1] + "小明"
    other.practitioner.save(update_fields=["name"])
    client.force_login(clerk_a)
    response = client.get(reverse("confirmation:counter"), {"q": practitioner_a.name[:1]})
    assert response.status_code == 200
    assert {a.pk for a in response.context["found"].applications} == {submitted_a.pk, other.pk}
    html = response.content.decode()
    assert reverse("confirmation:review", args=[other.pk]) in html
    assert other.practitioner.id_number not in html  # masked in the list


def test_another_bureaus_person_gets_directions_and_nothing_else(client, clerk_b, submitted_a):
    client.force_login(clerk_b)
    response = client.get(reverse("confirmation:counter"), {"q": submitted_a.reference})
    html = response.content.decode()
    assert response.context["found"].elsewhere == submitted_a.bureau
    assert submitted_a.bureau.hall_address in html and submitted_a.bureau.hall_phone in html
    p = submitted_a.practitioner
    assert p.name not in html and p.masked_id_number not in html and p.id_number not in html


def test_queue_lists_waiting_applications_oldest_first_and_filters(
    client, clerk_a, submitted_a, practitioner_a
):
    client.force_login(clerk_a)
    response = client.get(reverse("confirmation:queue"))
    assert [a.pk for a in response.context["page"].object_list] == [submitted_a.pk]
    assert (
        f'href="{reverse("confirmation:review", args=[submitted_a.pk])}"'
        in response.content.decode()
    )
    page = client.get(reverse("confirmation:queue"), {"identity": "on"}).context["page"]
    assert list(page.object_list) == []


# --- Checklist -------------------------------------------------------------------------------


def test_each_declared_item_makes_its_tick_required(practitioner_a, account_a, with_photo):
    application = submit(
        practitioner_a,
        account_a,
        employer="",
        in_accounting_post=False,
        title_level=TitleLevel.INTERMEDIATE,
        title_cert_number="GX2010001",
        title_date="2010-05-01",
        abacus_level="3",
        has_computing_cert=True,
        education="bachelor",
    )
    assert ticks_for(application) == {
        "form",
        "certificate",
        "id_card",
        "graduation",
        "title",
        "abacus",
        "computing",
    }


def test_no_title_abacus_or_computing_certificate_means_no_such_ticks(
    practitioner_a, account_a, with_photo
):
    application = submit(
        practitioner_a,
        account_a,
        employer="南宁某公司",
        title_level=TitleLevel.NONE,
        abacus_level="",
        has_computing_cert=False,
    )
    assert ticks_for(application) == {"sealed_form", "certificate", "id_card", "graduation"}


def test_identity_changes_need_the_explicit_id_card_tick(practitioner_a, account_a, with_photo):
    application = submit(practitioner_a, account_a, name="韦丽华")
    assert IDENTITY_CHECKED in ticks_for(application)
    assert application.has_identity_changes


def test_confirm_requires_every_original(submitted_a, clerk_a):
    ticks = ticks_for(submitted_a) - {"id_card"}
    with pytest.raises(services.MissingOriginals, match="ID card"):
        services.confirm_at_counter(
            application=submitted_a, actor=clerk_a, checklist=ticks, revision=submitted_a.revision
        )
    submitted_a.refresh_from_db()
    assert submitted_a.status == ApplicationStatus.SUBMITTED


# --- Confirm, return, correct ------------------------------------------------------------------


def test_confirm_issues_an_archive_number_and_records_everything(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:confirm", args=[submitted_a.pk])
    response = client.post(url, {"revision": submitted_a.revision, **all_ticks(submitted_a)})
    assert response.status_code == 302
    confirmation = Confirmation.objects.get()
    year = confirmation.confirmed_at.astimezone().year
    assert confirmation.archive_number == f"450103{year}000001"
    assert confirmation.clerk == clerk_a and set(confirmation.checklist) == ticks_for(submitted_a)
    submitted_a.refresh_from_db()
    assert submitted_a.status == ApplicationStatus.CONFIRMED
    event = AuditEvent.objects.get(action="application_confirmed")
    assert event.actor == clerk_a and event.detail["archive_number"] == confirmation.archive_number
    assert set(event.detail["checklist"]) == ticks_for(submitted_a) and "changes" in event.detail


def test_return_with_a_standard_reason_and_note(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:return", args=[submitted_a.pk])
    response = client.post(
        url,
        {
            "revision": submitted_a.revision,
            "reason": "seal",
            "note": "请补盖公章",
        },
    )
    assert response.status_code == 302
    submitted_a.refresh_from_db()
    assert (
        submitted_a.status == ApplicationStatus.RETURNED
        and "请补盖公章" in submitted_a.return_reason
    )


def test_the_returned_message_names_the_person(client, clerk_a, submitted_a):
    from django.utils.translation import gettext as _

    client.force_login(clerk_a)
    url = reverse("confirmation:return", args=[submitted_a.pk])
    data = {"revision": submitted_a.revision, "reason": "seal", "note": ""}
    page = client.post(url, data, follow=True).content.decode()
    person = submitted_a.practitioner
    masked = person.id_number[:6] + "********" + person.id_number[-4:]
    assert (
        _(
            "Returned: the application of %(name)s (%(id)s). The practitioner sees the reason "
            "on their page and by email."
        )
        % {"name": person.name, "id": masked}
        in page
    )
    assert person.id_number not in page  # the whole number is not shown


def test_return_other_needs_a_note(submitted_a, clerk_a):
    with pytest.raises(services.CounterError, match="note"):
        services.return_at_counter(
            application=submitted_a,
            actor=clerk_a,
            reason="other",
            note="",
            revision=submitted_a.revision,
        )


def test_returning_with_nothing_chosen_asks_for_a_reason_or_a_note(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("confirmation:return", args=[submitted_a.pk]),
        {"revision": submitted_a.revision, "reason": "", "note": ""},
    )
    assert response.status_code == 400
    assert response.context["return_form"].errors["reason"] == [
        "Choose a reason or write a note for the practitioner."
    ]
    submitted_a.refresh_from_db()
    assert submitted_a.status == ApplicationStatus.SUBMITTED


def test_a_note_alone_is_the_reason(submitted_a, clerk_a):
    services.return_at_counter(
        application=submitted_a,
        actor=clerk_a,
        reason="",
        note="请带原件",
        revision=submitted_a.revision,
    )
    submitted_a.refresh_from_db()
    assert submitted_a.return_reason == "请带原件"


def test_second_decision_sees_the_first_and_changes_nothing(
    client, clerk_a, city_staff, submitted_a
):
    services.return_at_counter(
        application=submitted_a,
        actor=clerk_a,
        reason="photo",
        note="",
        revision=submitted_a.revision,
    )
    with pytest.raises(services.AlreadyDecided, match="returned"):
        confirm(submitted_a, clerk_a)
    submitted_a.refresh_from_db()
    assert submitted_a.status == ApplicationStatus.RETURNED and submitted_a.return_reason
    assert not Confirmation.objects.exists()


def test_a_stale_review_cannot_confirm(submitted_a, clerk_a):
    with pytest.raises(services.ChangedMeanwhile, match="changed"):
        services.confirm_at_counter(
            application=submitted_a,
            actor=clerk_a,
            checklist=ticks_for(submitted_a),
            revision=submitted_a.revision - 1,
        )


def test_a_decision_without_a_revision_is_refused(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    response = client.post(
        reverse("confirmation:confirm", args=[submitted_a.pk]), all_ticks(submitted_a)
    )
    assert response.status_code == 400
    assert "revision" in response.context["confirm_form"].errors
    with pytest.raises(services.ChangedMeanwhile):
        services.confirm_at_counter(
            application=submitted_a, actor=clerk_a, checklist=ticks_for(submitted_a), revision=None
        )
    submitted_a.refresh_from_db()
    assert submitted_a.status == ApplicationStatus.SUBMITTED


def test_clerk_corrects_a_slip_as_a_new_version_with_reason(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:correct", args=[submitted_a.pk])
    response = client.post(
        url,
        {
            "revision": submitted_a.revision,
            "field": "major",
            "value": "会计学",
            "reason": "录入错字",
        },
    )
    assert response.status_code == 302
    edit = CounterEdit.objects.get()
    assert edit.clerk == clerk_a and edit.reason == "录入错字" and edit.new_value == "会计学"
    submitted_a.refresh_from_db()
    assert submitted_a.submissions.count() == 2 and submitted_a.data["major"] == "会计学"
    assert submitted_a.submissions.get(number=2).submitted_by == clerk_a


def test_a_bad_correction_is_refused_with_the_reason(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("confirmation:correct", args=[submitted_a.pk])
    response = client.post(
        url,
        {
            "revision": submitted_a.revision,
            "field": "mobile",
            "value": "123",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert response.context["correction_form"].errors["value"] == [
        "Enter a mainland mobile number: 11 digits starting with 1."
    ]
    assert submitted_a.submissions.count() == 1


def test_a_yes_or_no_is_corrected_as_the_clerk_types_it(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    client.post(
        reverse("confirmation:correct", args=[submitted_a.pk]),
        {
            "revision": submitted_a.revision,
            "field": "has_computing_cert",
            "value": "是" if not submitted_a.data["has_computing_cert"] else "否",
            "reason": "原件有电算化证",
        },
    )
    submitted_a.refresh_from_db()
    assert submitted_a.submissions.count() == 2
    assert (
        submitted_a.data["has_computing_cert"]
        is not submitted_a.submissions.get(number=1).data["has_computing_cert"]
    )


@pytest.mark.parametrize("status_action", ["draft", "confirmed"])
def test_only_submitted_applications_can_be_decided(
    practitioner_a, account_a, with_photo, clerk_a, status_action
):
    from collection import services as collection_services

    application = submit(practitioner_a, account_a)
    if status_action == "draft":
        collection_services.save_draft(
            practitioner=practitioner_a, actor=account_a, data={}, revision=application.revision
        )
    else:
        confirm(application, clerk_a)
    application.refresh_from_db()
    with pytest.raises(services.AlreadyDecided):
        services.return_at_counter(
            application=application, actor=clerk_a, reason="photo", revision=application.revision
        )


def test_city_staff_act_for_city_level_practitioners_only(city_staff, submitted_city, submitted_a):
    confirm(submitted_city, city_staff)
    with pytest.raises(services.CounterError, match="Only the counter of"):
        confirm(submitted_a, city_staff)


def test_practitioner_sees_the_outcome_but_not_the_checklist(
    client, clerk_a, account_a, submitted_a
):
    confirm(submitted_a, clerk_a)
    client.force_login(account_a)
    html = client.get(reverse("collection:home")).content.decode()
    assert "confirmed" in html.lower() or "已确认" in html
    assert "tick_" not in html and "identity_checked" not in html


# --- Printing ------------------------------------------------------------------------------------


@pytest.fixture
def confirmed_a(submitted_a, clerk_a):
    return confirm(submitted_a, clerk_a)


def test_first_print_and_reprint_with_reason_are_logged(client, clerk_a, confirmed_a):
    client.force_login(clerk_a)
    url = reverse("confirmation:certificate", args=[confirmed_a.pk])
    response = client.post(url)
    assert response["Content-Type"] == "application/pdf"
    response = client.post(url)  # a reprint without a reason: said in the print tab
    assert response.status_code == 400
    assert (
        b"print-refused" in response.content
        and not PrintLog.objects.filter(kind="reprint").exists()
    )
    response = client.post(url, {"reason": "打印错位"})
    assert response["Content-Type"] == "application/pdf"
    assert list(PrintLog.objects.order_by("printed_at").values_list("kind", "reason")) == [
        ("first", ""),
        ("reprint", "打印错位"),
    ]


def test_missing_ticks_are_marked_in_the_checklist(client, clerk_a, submitted_a):
    client.force_login(clerk_a)
    ticks = all_ticks(submitted_a)
    del ticks["tick_id_card"]
    url = reverse("confirmation:confirm", args=[submitted_a.pk])
    response = client.post(url, {"revision": submitted_a.revision, **ticks})
    assert response.status_code == 400
    assert response.context["missing_ticks"] == {"tick_id_card"}
    html = response.content.decode()
    assert 'id="confirm-error"' in html and 'is-invalid" name="tick_id_card"' in html


def test_after_confirmation_the_review_still_shows_what_changed(
    client, clerk_a, practitioner_a, account_a, with_photo
):
    old_major = practitioner_a.major
    new_major = "审计学" if old_major != "审计学" else "财务管理"  # the factory's is random
    application = submit(practitioner_a, account_a, major=new_major)
    confirm(application, clerk_a)
    client.force_login(clerk_a)
    rows = {
        r[0]: r
        for r in client.get(reverse("confirmation:review", args=[application.pk])).context["rows"]
    }
    assert rows["major"][2:] == (old_major, new_major, True)
    assert not rows["name"][4]


def test_a_clerk_who_decides_second_is_sent_back_to_the_review_and_told(
    client, clerk_a, submitted_a
):
    revision = submitted_a.revision
    services.return_at_counter(
        application=submitted_a, actor=clerk_a, reason="photo", revision=revision
    )
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("confirmation:confirm", args=[submitted_a.pk]),
        {"revision": revision, **all_ticks(submitted_a)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("confirmation:review", args=[submitted_a.pk])
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith("Already returned by")
    assert not Confirmation.objects.exists()


def test_a_decision_on_a_review_that_changed_meanwhile_shows_the_review_again(
    client, clerk_a, submitted_a
):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("confirmation:confirm", args=[submitted_a.pk]),
        {"revision": submitted_a.revision - 1, **all_ticks(submitted_a)},
    )
    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [
        "The application changed after you opened it. Review it again."
    ]
    assert response.context["application"].revision == submitted_a.revision
    assert not Confirmation.objects.exists()
