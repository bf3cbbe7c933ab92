"""The practitioner's application: draft, submit, revise, bad input, state machine, notices."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from collection import diff, services
from collection.constants import ApplicationStatus
from collection.models import Application, Notice, Submission
from confirmation import services as counter_services
from practitioners.models import AuditEvent
from tests.helpers import confirm, submit

pytestmark = pytest.mark.django_db
FORM = reverse("collection:application")


def form_data(practitioner, revision=0, **changes) -> dict:
    """The application form as the browser posts it, pre-filled from the record."""
    values = diff.record_values(practitioner)
    data = {k: v for k, v in values.items() if not isinstance(v, bool)}
    for name in ("has_computing_cert", "in_accounting_post"):
        if values[name]:
            data[name] = "on"
    data["revision"] = revision
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def current(practitioner):
    return Application.objects.get(practitioner=practitioner)


@pytest.fixture
def logged_in(client, account_a, campaign):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # assert on English messages
    return client


def test_home_says_not_started_and_where_to_go(logged_in, practitioner_a):
    html = logged_in.get(reverse("collection:home")).content.decode()
    assert 'id="status"' in html
    assert practitioner_a.bureau.hall_address in html
    assert "Not started" in html or "未开始" in html


def test_form_is_prefilled_from_the_stored_record(logged_in, practitioner_a):
    form = logged_in.get(FORM).context["form"]
    assert form["name"].value() == practitioner_a.name
    assert form["id_number"].value() == practitioner_a.id_number
    assert form["cert_number"].field.disabled


def test_save_draft_keeps_whatever_was_typed_even_invalid(logged_in, practitioner_a):
    data = form_data(practitioner_a, id_number="12345", mobile="abc", action="save")
    response = logged_in.post(FORM, data)
    assert response.status_code == 302
    application = current(practitioner_a)
    assert application.status == ApplicationStatus.DRAFT
    assert application.data["id_number"] == "12345" and application.data["mobile"] == "abc"
    form = logged_in.get(FORM).context["form"]
    assert form["id_number"].value() == "12345"


def test_an_invalid_date_in_a_draft_is_kept_as_typed_and_marked(logged_in, practitioner_a):
    """A date picker sent nothing for a date it could not read, so the draft silently lost it:
    the date is typed text, kept as typed, and shown again with the message beside it."""
    data = form_data(practitioner_a, graduation_date="2011-13-45", action="save")
    assert logged_in.post(FORM, data).status_code == 302
    assert current(practitioner_a).data["graduation_date"] == "2011-13-45"
    response = logged_in.get(FORM)
    form = response.context["form"]
    assert form["graduation_date"].value() == "2011-13-45"
    assert form.errors["graduation_date"] == [
        "Not a real date.",
        "Your draft keeps it as typed; correct it before you submit.",
    ]
    assert set(form.errors) == {"graduation_date"}  # what reads as a date is not marked
    html = response.content.decode()
    field = html[
        html.index('name="graduation_date"') - 200 : html.index('name="graduation_date"') + 200
    ]
    assert 'value="2011-13-45"' in field and 'type="text"' in field
    assert 'aria-invalid="true"' in field
    assert "Your draft keeps it as typed" in html


def test_a_nul_character_in_a_draft_is_left_out_and_the_rest_kept(logged_in, practitioner_a):
    # PostgreSQL refuses NUL in text: the draft was a server error there (step 11).
    data = form_data(practitioner_a, employer="南宁\x00新单位", mobile="\x00", action="save")
    response = logged_in.post(FORM, data)
    assert response.status_code == 302
    application = current(practitioner_a)
    assert application.data["employer"] == "南宁新单位" and application.data["mobile"] == ""


def test_a_nul_character_on_submit_is_refused_beside_its_field(
    logged_in, practitioner_a, with_photo
):
    data = form_data(practitioner_a, employer="南宁\x00新单位", action="submit")
    response = logged_in.post(FORM, data)
    assert response.status_code == 400
    assert response.context["form"].errors["employer"]
    assert response.context["form"]["employer"].value() == "南宁\x00新单位"  # kept as typed
    assert not Submission.objects.exists()


def test_submit_without_photo_is_refused_with_a_message(logged_in, practitioner_a):
    response = logged_in.post(FORM, form_data(practitioner_a, action="submit"))
    assert response.status_code == 400
    assert not Submission.objects.exists()
    assert "photo" in " ".join(str(m) for m in response.context["messages"]).lower()


def test_submit_freezes_a_version_with_a_reference(logged_in, practitioner_a, with_photo):
    revision = current(practitioner_a).revision
    response = logged_in.post(
        FORM, form_data(practitioner_a, revision, action="submit", employer="南宁新单位有限公司")
    )
    assert response.status_code == 302
    application = current(practitioner_a)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference.startswith(practitioner_a.bureau.code)
    submission = application.submissions.get()
    assert submission.number == 1 and submission.photo_id == with_photo.pk
    assert submission.data["employer"] == "南宁新单位有限公司"
    practitioner_a.refresh_from_db()
    assert practitioner_a.employer != "南宁新单位有限公司"  # the record changes only at the counter


def test_revising_and_resubmitting_keeps_every_version(logged_in, practitioner_a, with_photo):
    logged_in.post(
        FORM, form_data(practitioner_a, current(practitioner_a).revision, action="submit")
    )
    reference = current(practitioner_a).reference
    logged_in.post(
        FORM,
        form_data(
            practitioner_a, current(practitioner_a).revision, action="save", major="资产评估"
        ),
    )
    assert current(practitioner_a).status == ApplicationStatus.DRAFT
    logged_in.post(
        FORM,
        form_data(
            practitioner_a, current(practitioner_a).revision, action="submit", major="资产评估"
        ),
    )
    application = current(practitioner_a)
    assert application.reference == reference
    assert list(application.submissions.values_list("number", flat=True)) == [1, 2]
    assert application.submissions.get(number=2).data["major"] == "资产评估"


def test_corrections_are_marked_and_identity_ones_need_the_id_card(logged_in, practitioner_a):
    logged_in.post(FORM, form_data(practitioner_a, action="save", name="韦丽华", major="税务学"))
    response = logged_in.get(FORM)
    corrections = response.context["corrections"]
    assert set(corrections) == {"name", "major"}
    html = response.content.decode()
    assert html.count('class="small registry-correction"') == 2
    assert html.count("text-bg-danger ms-1") == 1  # only the name needs the ID card


def test_the_own_id_number_retyped_full_width_is_no_correction(logged_in, practitioner_a):
    # Typed on a Chinese phone keyboard in full-width digits, with a lower-case x or spaces, the
    # person's own ID number is the same number: no correction, no ID card at the counter.
    full_width = practitioner_a.id_number.translate(
        str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
    )
    logged_in.post(FORM, form_data(practitioner_a, action="save", id_number=f" {full_width} "))
    response = logged_in.get(FORM)
    assert "id_number" not in response.context["corrections"]
    assert "text-bg-danger ms-1" not in response.content.decode()


def test_diff_service_lists_labels_old_new_and_identity_flag(practitioner_a):
    values = diff.record_values(practitioner_a) | {
        "name": "韦丽华",
        "has_computing_cert": not practitioner_a.has_computing_cert,
    }
    changes = {c.field: c for c in diff.compute_changes(practitioner_a, values)}
    assert set(changes) == {"name", "has_computing_cert"}
    assert changes["name"].old == practitioner_a.name and changes["name"].new == "韦丽华"
    assert changes["name"].identity and not changes["has_computing_cert"].identity


# --- Bad input (each shows a message next to the field and keeps what was typed) -------------


def submit_errors(client, practitioner, **changes):
    response = client.post(
        FORM, form_data(practitioner, current_revision(practitioner), action="submit", **changes)
    )
    assert response.status_code == 400
    return response.context["form"]


def current_revision(practitioner) -> int:
    application = Application.objects.filter(practitioner=practitioner).first()
    return application.revision if application else 0


def test_every_required_field_missing(logged_in, practitioner_a, with_photo):
    blanks = {
        name: ""
        for name in (
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_type",
            "id_number",
            "education",
            "mobile",
            "address",
        )
    }
    form = submit_errors(logged_in, practitioner_a, **blanks)
    assert set(blanks) <= set(form.errors)
    assert current(practitioner_a).status == ApplicationStatus.DRAFT


def test_wrong_check_digit_is_explained_next_to_the_id_field(logged_in, practitioner_a, with_photo):
    number = practitioner_a.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    form = submit_errors(logged_in, practitioner_a, id_number=wrong)
    assert "check digit" in form.errors["id_number"][0]
    assert form["id_number"].value() == wrong


def test_birth_date_disagreeing_with_the_id_number(logged_in, practitioner_a, with_photo):
    form = submit_errors(logged_in, practitioner_a, birth_date="1901-01-01")
    assert "birth_date" in form.errors


def test_ten_thousand_character_fields_are_refused_but_kept(logged_in, practitioner_a, with_photo):
    long = "会" * 10_000
    form = submit_errors(logged_in, practitioner_a, employer=long, address=long)
    assert {"employer", "address"} <= set(form.errors)
    assert form["employer"].value() == long


def test_a_draft_with_a_value_longer_than_its_field_is_not_saved_but_kept(
    logged_in, practitioner_a
):
    """A 4 MB field was once stored as a draft: the length rules apply to drafts too. Nothing
    of such a draft is kept; the form comes back with the typed text and the message beside
    the field."""
    logged_in.post(FORM, form_data(practitioner_a, action="save", major="第一次"))
    saved = current(practitioner_a)
    huge = "x" * 4_000_000  # 4 MB: under DATA_UPLOAD_MAX_MEMORY_SIZE, so the view sees it
    response = logged_in.post(
        FORM,
        form_data(practitioner_a, saved.revision, action="save", major="第二次", employer=huge),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"employer": ["At most 100 characters (this has 4000000)."]}
    assert form["employer"].value() == huge and form["major"].value() == "第二次"
    assert "The draft was not saved" in " ".join(str(m) for m in response.context["messages"])
    after = current(practitioner_a)
    assert after.revision == saved.revision and after.data["major"] == "第一次"
    assert after.data["employer"] != huge


def test_a_draft_is_still_kept_as_typed_within_the_lengths(logged_in, practitioner_a):
    """Incomplete, invalid or typed with spaces, a draft within the lengths is saved: the
    mobile typed with spaces and +86 counts 11 digits once read; a date as typed."""
    data = form_data(
        practitioner_a,
        action="save",
        mobile="+86 139 7712 3456",
        name="",
        birth_date="2011年06月30日",
        major="会" * 64,
    )
    assert logged_in.post(FORM, data).status_code == 302
    kept = current(practitioner_a).data
    assert kept["mobile"] == "+86 139 7712 3456" and kept["major"] == "会" * 64


@pytest.mark.parametrize(
    "field, value, limit, count",
    [
        ("major", "会" * 65, 64, 65),
        ("mobile", "1" * 12, 11, 12),
        ("mobile", "1" + " " * 30, 11, 31),  # reads as one digit, but a draft keeps the spaces
        ("birth_date", "2" * 21, 20, 21),
        ("gender", "X" * 2, 1, 2),
    ],
    ids=["text", "code", "code-typed-with-spaces", "date", "choice"],
)
def test_every_kind_of_field_has_its_length_in_a_draft(
    logged_in, practitioner_a, field, value, limit, count
):
    response = logged_in.post(FORM, form_data(practitioner_a, action="save", **{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [
        f"At most {limit} characters (this has {count})."
    ]
    assert not Application.objects.filter(practitioner=practitioner_a).exists()


def test_the_draft_service_refuses_a_value_longer_than_its_field(
    practitioner_a, account_a, campaign
):
    with pytest.raises(services.InvalidApplication) as refused:
        services.save_draft(
            practitioner=practitioner_a, actor=account_a, data={"address": "路" * 201}, revision=0
        )
    assert set(refused.value.errors) == {"address"}
    assert not Application.objects.filter(practitioner=practitioner_a).exists()


def test_too_long_a_value_is_said_in_the_users_words(logged_in, practitioner_a, with_photo):
    form = submit_errors(logged_in, practitioner_a, major="会" * 70)
    assert form.errors["major"] == ["At most 64 characters (this has 70)."]


def test_too_long_a_value_reads_naturally_in_chinese(client, account_a, practitioner_a, with_photo):
    client.force_login(account_a)
    response = client.post(
        FORM,
        form_data(
            practitioner_a, current_revision(practitioner_a), action="submit", major="会" * 70
        ),
    )
    assert response.context["form"].errors["major"] == ["最多 64 个字（现有 70 个）。"]


def test_emoji_and_control_characters_are_refused(logged_in, practitioner_a, with_photo):
    form = submit_errors(
        logged_in, practitioner_a, employer="南宁😀公司", address="民族大道\x07100号"
    )
    assert {"employer", "address"} <= set(form.errors)


def test_a_second_tab_with_an_older_copy_cannot_overwrite_newer_data(logged_in, practitioner_a):
    logged_in.post(FORM, form_data(practitioner_a, 0, action="save", major="第一次"))
    # The second tab was opened before the first saved: it still carries revision 0.
    response = logged_in.post(FORM, form_data(practitioner_a, 0, action="save", major="旧标签页"))
    assert response.status_code == 409
    assert current(practitioner_a).data["major"] == "第一次"
    assert response.context["form"]["major"].value() == "旧标签页"  # what was typed is kept
    assert "another window" in " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_form_without_its_revision_is_refused(logged_in, practitioner_a, with_photo, action):
    submit(practitioner_a, practitioner_a.account)
    before = current(practitioner_a)
    data = form_data(practitioner_a, action=action, major="无版本号")
    del data["revision"]
    response = logged_in.post(FORM, data)
    assert response.status_code in (400, 409)
    after = current(practitioner_a)
    assert after.status == ApplicationStatus.SUBMITTED and after.revision == before.revision
    assert after.data["major"] != "无版本号"
    assert response.context["form"]["major"].value() == "无版本号"  # kept for the next try


def test_staff_cannot_use_the_practitioner_form(client, clerk_a, campaign):
    client.force_login(clerk_a)
    assert client.get(FORM).status_code == 403


# --- State machine and notices -------------------------------------------------------------


@pytest.fixture
def submitted(practitioner_a, account_a, with_photo):
    # 资产评估 is none of the demo majors the factory draws from: the submission changes it.
    return submit(practitioner_a, account_a, major="资产评估")


def return_at_counter(application, clerk, note):
    application.refresh_from_db()
    return counter_services.return_at_counter(
        application=application, actor=clerk, reason="", note=note, revision=application.revision
    )


def test_return_needs_a_reason_and_tells_the_practitioner(
    submitted, clerk_a, account_a, django_capture_on_commit_callbacks
):
    with pytest.raises(counter_services.CounterError, match="reason or write a note"):
        return_at_counter(submitted, clerk_a, "  ")
    with django_capture_on_commit_callbacks(execute=True):
        return_at_counter(submitted, clerk_a, "照片不清晰")
    application = current(submitted.practitioner)
    assert (
        application.status == ApplicationStatus.RETURNED
        and application.return_reason == "照片不清晰"
    )
    notice = Notice.objects.get(user=account_a)
    assert "照片不清晰" in notice.body
    assert mail.outbox[0].to == ["a@example.com"] and "照片不清晰" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="application_returned", actor=clerk_a).exists()


def test_confirm_makes_the_submission_the_record(
    submitted, clerk_a, account_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm(submitted, clerk_a)
    practitioner = submitted.practitioner
    practitioner.refresh_from_db()
    assert practitioner.major == "资产评估" and practitioner.confirmed_at is not None
    assert current(practitioner).status == ApplicationStatus.CONFIRMED
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="application_confirmed")
    assert event.detail["changes"][0]["field"] == "major"


@pytest.mark.parametrize("action", ["return", "confirm"])
def test_a_draft_cannot_be_returned_or_confirmed(
    practitioner_a, account_a, campaign, clerk_a, action
):
    services.save_draft(practitioner=practitioner_a, actor=account_a, data={}, revision=0)
    application = current(practitioner_a)
    with pytest.raises(counter_services.AlreadyDecided, match="no longer waiting"):
        if action == "return":
            return_at_counter(application, clerk_a, "x")
        else:
            counter_services.confirm_at_counter(
                application=application,
                actor=clerk_a,
                checklist=set(),
                revision=application.revision,
            )


def test_a_confirmed_application_cannot_change(submitted, clerk_a, account_a):
    confirm(submitted, clerk_a)
    submitted.refresh_from_db()
    with pytest.raises(services.TransitionNotAllowed):
        services.save_draft(
            practitioner=submitted.practitioner,
            actor=account_a,
            data={},
            revision=submitted.revision,
        )
    with pytest.raises(counter_services.AlreadyDecided, match="Already confirmed"):
        return_at_counter(submitted, clerk_a, "x")


def test_returned_application_can_be_corrected_and_resubmitted(submitted, clerk_a, account_a):
    return_at_counter(submitted, clerk_a, "学历有误")
    submit(submitted.practitioner, account_a)
    application = current(submitted.practitioner)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submissions.count() == 2


def test_home_shows_the_return_reason_and_the_notice(client, submitted, clerk_a, account_a):
    return_at_counter(submitted, clerk_a, "工作单位未盖章")
    client.force_login(account_a)
    html = client.get(reverse("collection:home")).content.decode()
    assert html.count("工作单位未盖章") >= 2  # in the status box and in the notice


def test_the_form_being_corrected_shows_the_return_reason(client, submitted, clerk_a, account_a):
    return_at_counter(submitted, clerk_a, "工作单位未盖章")
    client.force_login(account_a)
    html = client.get(FORM).content.decode()
    assert 'id="return-reason"' in html and "工作单位未盖章" in html


def test_resubmitting_answers_the_return_notice(client, submitted, clerk_a, account_a):
    return_at_counter(submitted, clerk_a, "工作单位未盖章")
    submit(submitted.practitioner, account_a)
    client.force_login(account_a)
    response = client.get(reverse("collection:home"))
    assert response.context["notices"] == []
    assert "工作单位未盖章" not in response.content.decode()


def test_each_version_shows_its_changes_against_the_record_then(
    client, practitioner_a, account_a, with_photo, clerk_a
):
    old_major, old_school = practitioner_a.major, practitioner_a.school
    submit(practitioner_a, account_a, major="资产评估", school="广西大学行健文理学院")
    application = current(practitioner_a)
    confirm(application, clerk_a)
    client.force_login(clerk_a)
    response = client.get(reverse("collection:staff_application", args=[practitioner_a.pk]))
    ((version, changes),) = response.context["versions"]
    assert {c.field: (c.old, c.new) for c in changes} == {
        "major": (old_major, "资产评估"),
        "school": (old_school, "广西大学行健文理学院"),
    }


def test_mobile_and_email_typed_at_activation_fill_the_new_form(client, practitioner_a, campaign):
    from tests.conftest import activate as activated

    user = activated(practitioner_a, mobile="13977188888", email="new@example.com")
    client.force_login(user)
    form = client.get(FORM).context["form"]
    assert form["mobile"].value() == "13977188888"
    assert form["email"].value() == "new@example.com"


def test_the_message_above_a_refused_form_names_the_fields_to_correct(
    logged_in, practitioner_a, with_photo
):
    response = logged_in.post(
        FORM,
        form_data(practitioner_a, current_revision(practitioner_a), action="submit", mobile="123"),
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == "Some entries need correcting: Mobile. See the message beside each."


def test_no_abacus_level_reads_as_none_not_as_a_dash():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert diff.display("abacus_level", "") == "无"
        assert diff.display("major", "") == "—"


def test_numbers_typed_with_spaces_and_a_country_code_fit_their_fields(
    logged_in, practitioner_a, with_photo
):
    form = logged_in.get(FORM).context["form"]
    for name in ("mobile", "id_number"):
        assert "maxlength" not in form[name].build_widget_attrs({}), name
    assert 'maxlength="11"' not in str(form["mobile"])
    grouped = " ".join(
        practitioner_a.id_number[i : i + 4] for i in range(0, len(practitioner_a.id_number), 4)
    )
    response = logged_in.post(
        FORM,
        form_data(
            practitioner_a,
            current_revision(practitioner_a),
            action="submit",
            mobile="+86 139 7712 3456",
            id_number=grouped,
        ),
    )
    assert response.status_code == 302
    assert current(practitioner_a).data["mobile"] == "13977123456"


def test_the_rules_check_the_records_constraints_without_asking_the_database(
    practitioner_a, django_assert_max_num_queries
):
    """collection.rules checks a copy of the record with full_clean but not its constraints
    (three round trips each): every check constraint of the record is a field's choices, which
    full_clean checks in Python. A constraint of another kind would need the rules again."""
    from django.db.models import CheckConstraint

    from collection import rules
    from practitioners.models import Practitioner

    checks = [c for c in Practitioner._meta.constraints if isinstance(c, CheckConstraint)]
    assert {c.name for c in checks} == {"practitioner_gender_valid", "practitioner_id_type_valid"}
    values = {**diff.record_values(practitioner_a), "gender": "X", "id_type": "badge"}
    with django_assert_max_num_queries(2):  # the ID number and the certificate number unique
        found = rules.record_errors(values, practitioner=practitioner_a)
    assert set(found) >= {"gender", "id_type"}


def test_the_print_page_shows_the_submitted_form_at_once_in_chinese(
    client, submitted, account_a, settings
):
    """The form to print, the moment it is submitted (no worker has rendered the PDF yet): the
    PDF's content, in Chinese even to a reader in English; its bar in the reader's language."""
    client.force_login(account_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("collection:application_print"))
    assert page.status_code == 200
    text = page.content.decode()
    application = current(submitted.practitioner)
    assert f"受理编号：{application.reference}" in text
    assert "南宁市会计从业人员基本信息采集表" in text and "身份信息" in text
    assert 'id="print-now"' in text and ">Print<" in text
    # The PDF's own stylesheet, linked with its version (kept by the browser until it changes)
    link = re.search(r'<link rel="stylesheet" href="([^"]+\?v=[0-9a-f]+)">', text)[1]
    css = client.get(link)
    assert css["Content-Type"].startswith("text/css") and "immutable" in css["Cache-Control"]
    assert "@page" in css.content.decode() and "size: A4" in css.content.decode()
    assert 'src="data:image/png;base64,' in text and 'src="data:image/jpeg;base64,' in text


def test_a_draft_has_no_print_page(client, account_a, with_photo):
    client.force_login(account_a)
    response = client.get(reverse("collection:application_print"))
    assert response.status_code == 302 and response.url == reverse("collection:home")
