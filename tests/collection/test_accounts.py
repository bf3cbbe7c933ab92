"""Activation, logging in with the ID number, and the two ways to reset a password."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from collection import services
from collection.services.accounts import RESET_CODE_MAX_FAILURES
from core import throttle
from practitioners.constants import Role
from practitioners.models import AuditEvent, User
from tests.factories import person_values

pytestmark = pytest.mark.django_db
ACTIVATE = reverse("collection:activate")
NEW_PASSWORD = "Lvcheng-Kuaiji-2026"


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def activation(practitioner, **changes) -> dict:
    data = {
        "name": practitioner.name,
        "id_number": practitioner.id_number,
        "cert_number": practitioner.cert_number,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "mobile": "13977123456",
        "email": "wei@example.com",
    }
    data.update(changes)
    return data


def test_matching_details_activate_the_account_and_log_in(en_client, practitioner_a, campaign):
    response = en_client.post(
        ACTIVATE, activation(practitioner_a, id_number=practitioner_a.id_number.lower())
    )
    assert response.status_code == 302 and response["Location"] == reverse("collection:home")
    practitioner_a.refresh_from_db()
    user = practitioner_a.account
    assert user.username == practitioner_a.id_number and user.role == Role.PRACTITIONER
    assert user.email == "wei@example.com" and user.mobile == "13977123456"
    assert en_client.get(reverse("collection:home")).status_code == 200


@pytest.mark.parametrize("field", ["name", "cert_number"])
def test_a_mismatch_gives_one_message_that_does_not_say_which_field(
    en_client, practitioner_a, field
):
    last = "8" if practitioner_a.cert_number.endswith("9") else "9"
    wrong = {"name": "韦丽华", "cert_number": practitioner_a.cert_number[:-1] + last}[field]
    response = en_client.post(ACTIVATE, activation(practitioner_a, **{field: wrong}))
    assert response.status_code == 400
    message = response.context["error"].message
    assert "do not match" in message
    assert (
        response.context["form"]["name"].value()
        == activation(practitioner_a, **{field: wrong})["name"]
    )
    assert not User.objects.filter(role=Role.PRACTITIONER).exists()


def test_repeated_failures_lock_activation_for_a_while(en_client, practitioner_a):
    for _ in range(5):
        en_client.post(ACTIVATE, activation(practitioner_a, name="别人"))
    response = en_client.post(
        ACTIVATE, activation(practitioner_a)
    )  # even the right details now wait
    assert "Too many failed attempts. Try again after" in response.context["error"].message
    assert response.context["error"].locked_until is not None
    practitioner_a.refresh_from_db()
    assert practitioner_a.account_id is None


def test_a_stranger_elsewhere_does_not_lock_the_person_out(client, en_client, practitioner_a):
    """Five failures from another address lock that address out, not the person's own."""
    for _ in range(5):
        client.post(ACTIVATE, activation(practitioner_a, name="别人"), REMOTE_ADDR="203.0.113.9")
    response = en_client.post(ACTIVATE, activation(practitioner_a), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    practitioner_a.refresh_from_db()
    assert practitioner_a.account_id is not None


def test_many_addresses_make_the_owner_wait_minutes_not_an_hour(en_client, practitioner_a):
    for index in range(20):
        en_client.post(
            ACTIVATE, activation(practitioner_a, name="别人"), REMOTE_ADDR=f"203.0.{index}.9"
        )
    before = timezone.now()
    response = en_client.post(ACTIVATE, activation(practitioner_a), REMOTE_ADDR="198.51.100.7")
    error = response.context["error"]
    assert "Too many failed attempts. Try again after" in error.message
    assert error.locked_until - before <= datetime.timedelta(minutes=5, seconds=1)


def test_one_address_trying_many_id_numbers_is_stopped(en_client, county_a, practitioner_a):
    """Each ID number is tried once only, so only the count across ID numbers can stop it."""
    for _ in range(int(throttle.ACTIVATION.per_address.split("/")[0])):
        person = person_values(county_a)
        response = en_client.post(ACTIVATE, activation(practitioner_a, **_typed(person)))
        assert "do not match" in response.context["error"].message
    person = person_values(county_a)
    response = en_client.post(ACTIVATE, activation(practitioner_a, **_typed(person)))
    assert "Too many failed attempts from your network" in response.context["error"].message
    # The genuine person at that address waits as well; one elsewhere does not.
    response = en_client.post(ACTIVATE, activation(practitioner_a))
    assert response.status_code == 400
    response = en_client.post(ACTIVATE, activation(practitioner_a), REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 302


def _typed(person: dict) -> dict:
    return {key: person[key] for key in ("name", "id_number", "cert_number")}


def test_an_unknown_id_number_gets_the_same_answer_as_a_mismatch(
    en_client, county_a, practitioner_a
):
    """The page must not tell whether an ID number is in the register."""
    unknown = person_values(county_a)["id_number"]
    typed = {"name": "韦丽华", "cert_number": practitioner_a.cert_number}
    answers = [
        en_client.post(ACTIVATE, activation(practitioner_a, **typed)),
        en_client.post(ACTIVATE, activation(practitioner_a, **typed, id_number=unknown)),
    ]
    assert [answer.status_code for answer in answers] == [400, 400]
    (alert,) = {_alert(answer) for answer in answers}
    assert "do not match a record in the register" in alert
    assert practitioner_a.bureau.hall_address in alert


def _alert(response) -> str:
    html = response.content.decode()
    return html[html.index('id="activation-error"') : html.index("<form")]


def test_a_check_digit_typo_gets_the_check_digit_hint(en_client, practitioner_a):
    number = practitioner_a.id_number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = en_client.post(ACTIVATE, activation(practitioner_a, id_number=wrong))
    assert response.status_code == 400
    assert "check digit" in " ".join(response.context["form"].errors["id_number"])
    assert response.context["error"] is None


def test_an_activated_account_cannot_be_activated_again(en_client, practitioner_a, account_a):
    response = en_client.post(ACTIVATE, activation(practitioner_a))
    assert "already activated" in response.context["error"].message


def test_no_matching_record_points_to_the_issuing_bureau(en_client, county_a):
    person = person_values(county_a)
    data = {
        "name": person["name"],
        "id_number": person["id_number"],
        "cert_number": person["cert_number"],
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "mobile": "13977123456",
    }
    response = en_client.post(ACTIVATE, data)
    html = response.content.decode()
    assert "do not match a record" in response.context["error"].message
    assert county_a.hall_address in html and county_a.hall_phone in html


def test_weak_or_different_passwords_are_refused_next_to_the_field(en_client, practitioner_a):
    response = en_client.post(
        ACTIVATE, activation(practitioner_a, password1="12345678", password2="12345678")
    )
    assert "password1" in response.context["form"].errors
    response = en_client.post(ACTIVATE, activation(practitioner_a, password2="Other-Pass-2026"))
    assert "password2" in response.context["form"].errors


def test_practitioner_logs_in_with_the_id_number_as_typed(client, practitioner_a, account_a):
    typed = " ".join(practitioner_a.id_number[:6]) + practitioner_a.id_number[6:].lower()
    response = client.post(reverse("login"), {"username": typed, "password": "Pass-word-2026"})
    assert response.status_code == 302


def test_password_reset_by_email_link(client, practitioner_a, account_a):
    client.post(reverse("password_reset"), {"email": "a@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    account_a.refresh_from_db()
    assert account_a.check_password(NEW_PASSWORD)


def test_clerk_issues_a_one_time_code_and_it_works_once(client, clerk_a, practitioner_a, account_a):
    client.force_login(clerk_a)
    response = client.post(reverse("collection:issue_reset_code", args=[practitioner_a.pk]))
    code = response.context["code"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="reset_code_issued")
    assert event.actor == clerk_a and event.practitioner == practitioner_a
    assert event.address == "127.0.0.1"
    assert re.fullmatch(r"\d{8}", code)
    client.logout()
    url = reverse("collection:reset_with_code")
    data = {
        "id_number": practitioner_a.id_number,
        "code": code,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    assert client.post(url, data).status_code == 302
    account_a.refresh_from_db()
    assert account_a.check_password(NEW_PASSWORD)
    assert client.post(url, data).status_code == 200  # used up


def test_wrong_codes_burn_the_code(client, clerk_a, practitioner_a, account_a):
    code = services.issue_reset_code(practitioner=practitioner_a, actor=clerk_a)
    url = reverse("collection:reset_with_code")
    for _ in range(RESET_CODE_MAX_FAILURES):
        client.post(
            url,
            {
                "id_number": practitioner_a.id_number,
                "code": "00000000",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    response = client.post(
        url,
        {
            "id_number": practitioner_a.id_number,
            "code": code,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["code"]


def test_clerk_of_another_bureau_cannot_issue_a_code(client, clerk_b, practitioner_a, account_a):
    client.force_login(clerk_b)
    assert (
        client.post(reverse("collection:issue_reset_code", args=[practitioner_a.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["admin_a", "city_staff", "clerk_b"])
def test_only_the_clerk_of_the_persons_bureau_may_issue_a_code(
    request, persona, practitioner_a, account_a
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.issue_reset_code(
            practitioner=practitioner_a, actor=request.getfixturevalue(persona)
        )
    assert not AuditEvent.objects.filter(action="reset_code_issued").exists()


def test_admin_and_city_staff_are_not_offered_the_code_button(
    client, admin_a, city_staff, practitioner_a, account_a
):
    url = reverse("collection:issue_reset_code", args=[practitioner_a.pk])
    for user in (admin_a, city_staff):
        client.force_login(user)
        page = client.get(reverse("collection:staff_application", args=[practitioner_a.pk]))
        assert url not in page.content.decode()
        assert client.post(url).status_code == 403


def test_guessing_codes_for_an_id_number_is_limited(en_client, clerk_a, practitioner_a, account_a):
    client = en_client
    url = reverse("collection:reset_with_code")
    wrong = {
        "id_number": practitioner_a.id_number,
        "code": "00000000",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    for _ in range(5):
        client.post(url, wrong)
    code = services.issue_reset_code(practitioner=practitioner_a, actor=clerk_a)
    response = client.post(url, wrong | {"code": code})
    assert "Try again after" in " ".join(response.context["form"].errors["code"])
    account_a.refresh_from_db()
    assert not account_a.check_password(NEW_PASSWORD)


def test_guessing_codes_for_many_id_numbers_from_one_address_is_limited(
    en_client, clerk_a, practitioner_a, account_a, county_a
):
    url = reverse("collection:reset_with_code")
    wrong = {"code": "00000000", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for _ in range(int(throttle.RESET_CODE.per_address.split("/")[0])):
        en_client.post(url, wrong | {"id_number": person_values(county_a)["id_number"]})
    code = services.issue_reset_code(practitioner=practitioner_a, actor=clerk_a)
    right = wrong | {"id_number": practitioner_a.id_number, "code": code}
    response = en_client.post(url, right)
    assert "from your network" in " ".join(response.context["form"].errors["code"])
    assert en_client.post(url, right, REMOTE_ADDR="203.0.113.50").status_code == 302
