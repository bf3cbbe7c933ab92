"""The notice's gate: no business before the collection is confirmed, nor from the pending pool.

The list of gated actions is written out here: a new action must be added to it (and so to the
gate), and every public service that takes a practitioner must be either gated or named below
as part of the collection itself.
"""

import datetime
import inspect

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from business import services as business_services
from business.models import EducationRecord, OnPostRegistration
from collection import services as collection_services
from collection.models import Application
from practitioners import gate
from tests.helpers import confirm, submit

pytestmark = pytest.mark.django_db

GATED = {
    gate.CHANGE_REQUEST: ("collection", "submit_change"),
    gate.CONTACT_CHANGE: ("collection", "change_contact"),
    gate.ON_POST_REGISTRATION: ("business", "register_on_post"),
    gate.CONTINUING_EDUCATION: ("business", "register_education"),
}
# Public services that take a practitioner and are not "other business": collecting itself,
# staff acts on the record.
NOT_BUSINESS = {
    "save_draft",
    "submit_application",
    "set_application_photo",
    "move_practitioner",
    "issue_reset_code",
}
MODULES = {"collection": collection_services, "business": business_services}

# What each gated action is given when it is allowed to run.
VALUES = {
    gate.CHANGE_REQUEST: lambda p: {"values": _record(p, major="资产评估"), "revision": 0},
    gate.CONTACT_CHANGE: lambda p: {
        "values": {"mobile": "13907719999", "email": "", "address": "南宁市", "postcode": ""}
    },
    gate.ON_POST_REGISTRATION: lambda p: {
        "values": {
            "employer": "南宁市某公司",
            "employer_credit_code": "",
            "post": "会计",
            "start_date": datetime.date(2024, 3, 1),
        }
    },
    gate.CONTINUING_EDUCATION: lambda p: {
        "values": {"year": 2025, "hours": 24, "provider": "南宁市会计学会", "content": "准则"}
    },
}


def _record(practitioner, **changes):
    from collection import diff

    values = {f: diff.python_value(f, v) for f, v in diff.record_values(practitioner).items()}
    values.update(changes)
    return values


def test_the_gated_actions_are_these():
    assert set(gate.GATED_ACTIONS) == set(GATED)
    for action, (module, name) in GATED.items():
        assert getattr(MODULES[module], name).gated_action == action
    # The change request's draft goes through the gate too.
    assert collection_services.save_change_draft.gated_action == gate.CHANGE_REQUEST


def test_no_service_that_takes_a_practitioner_skips_the_gate():
    for module in MODULES.values():
        for name in getattr(module, "__all__", dir(module)):
            service = getattr(module, name)
            if name.startswith("_") or not inspect.isfunction(service):
                continue
            if not service.__module__.startswith(module.__name__):
                continue  # imported from elsewhere
            if "practitioner" not in inspect.signature(service).parameters:
                continue
            assert hasattr(service, "gated_action") or name in NOT_BUSINESS, (
                f"{module.__name__}.{name} takes a practitioner: gate it (practitioners.gate) "
                "or name it in NOT_BUSINESS"
            )


def _state(request, name):
    """practitioner_a (with account_a) in one collection state."""
    practitioner = request.getfixturevalue("practitioner_a")
    account = request.getfixturevalue("account_a")
    request.getfixturevalue("campaign")
    if name == "none":
        return practitioner, account
    request.getfixturevalue("with_photo")
    if name == "draft":
        return practitioner, account
    application = submit(practitioner, account)
    if name == "submitted":
        return practitioner, account
    clerk = request.getfixturevalue("clerk_a")
    if name == "returned":
        from confirmation import services

        services.return_at_counter(
            application=application, actor=clerk, reason="photo", revision=application.revision
        )
        return practitioner, account
    if name == "pending":
        practitioner.pending_since = timezone.now()
        practitioner.save(update_fields=["pending_since"])
        return practitioner, account
    confirm(application, clerk)
    practitioner.refresh_from_db()
    if name == "confirmed_then_pooled":
        practitioner.pending_since = timezone.now()
        practitioner.save(update_fields=["pending_since"])
    return practitioner, account


STATES = ("none", "draft", "submitted", "returned", "pending", "confirmed_then_pooled", "confirmed")


def _written(practitioner):
    """What the gated actions write: change requests, on-post registrations, education
    records, and the record's mobile (the contact change goes straight into the record)."""
    practitioner.refresh_from_db()
    return {
        gate.CHANGE_REQUEST: Application.objects.filter(kind="change").count(),
        gate.ON_POST_REGISTRATION: OnPostRegistration.objects.count(),
        gate.CONTINUING_EDUCATION: EducationRecord.objects.count(),
        gate.CONTACT_CHANGE: practitioner.mobile,
    }


# What each action, once allowed, leaves in `_written`'s entry of its own.
WRITES = {
    gate.CHANGE_REQUEST: lambda before: before + 1,
    gate.ON_POST_REGISTRATION: lambda before: before + 1,
    gate.CONTINUING_EDUCATION: lambda before: before + 1,
    gate.CONTACT_CHANGE: lambda before: VALUES[gate.CONTACT_CHANGE](None)["values"]["mobile"],
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(GATED))
def test_the_gate_for_every_action_in_every_state(request, state, action):
    practitioner, account = _state(request, state)
    module, name = GATED[action]
    service = getattr(MODULES[module], name)
    before = _written(practitioner)
    kwargs = VALUES[action](practitioner)
    if state == "confirmed":
        service(practitioner=practitioner, actor=account, **kwargs)
        # The action did its one thing, and nothing else gated.
        assert _written(practitioner) == {**before, action: WRITES[action](before[action])}
        return
    with pytest.raises(gate.NotCollected) as refused:
        service(practitioner=practitioner, actor=account, **kwargs)
    assert refused.value.action == action
    assert refused.value.pending == (state in ("pending", "confirmed_then_pooled"))
    assert _written(practitioner) == before  # nothing written


PAGES = {
    gate.CHANGE_REQUEST: "collection:change",
    gate.CONTACT_CHANGE: "collection:contact",
    gate.ON_POST_REGISTRATION: "business:on_post",
    gate.CONTINUING_EDUCATION: "business:education",
}


@pytest.mark.parametrize("action", sorted(PAGES))
def test_an_unconfirmed_practitioner_is_told_why_with_the_way_to_the_application(
    client, submitted_a, account_a, action
):
    client.force_login(account_a)
    for method in ("get", "post"):
        response = getattr(client, method)(reverse(PAGES[action]))
        assert response.status_code == 403
        assert _(PREFIX + REFUSED_ON_PAGE[action]) in response.text
        assert reverse("collection:application") in response.text


# What the refusal says on each page: the action the person tried, not business in general.
REFUSED_ON_PAGE = {
    gate.CHANGE_REQUEST: "only then can you change your information.",
    gate.CONTACT_CHANGE: "only then can you change your contact details.",
    gate.ON_POST_REGISTRATION: "only then can you register on a post.",
    gate.CONTINUING_EDUCATION: "only then can you register continuing education.",
}
PREFIX = "First complete the information collection and have it confirmed at the counter: "


def test_the_contact_details_page_speaks_of_contact_details(client, submitted_a, account_a):
    client.force_login(account_a)
    response = client.get(reverse("collection:contact"))
    assert response.status_code == 403
    assert _(PREFIX + REFUSED_ON_PAGE[gate.CONTACT_CHANGE]) in response.text
    # Not the list of every other business (上岗注册、继续教育登记或信息变更).
    general = _(
        "First complete the information collection and have it confirmed at the "
        "counter: only then can you register on a post, register continuing education "
        "or change your information."
    )
    assert general not in response.text


def test_the_pending_pool_refusal_names_the_action_too(client, practitioner_a, account_a):
    practitioner_a.pending_since = timezone.now()
    practitioner_a.save(update_fields=["pending_since"])
    client.force_login(account_a)
    response = client.get(reverse("collection:contact"))
    assert response.status_code == 403
    assert (
        _(
            "Your record is in the pending pool because your information was not confirmed "
            "by the collection deadline. Complete the information collection and have it "
            "confirmed at the counter; then you can change your contact details at once."
        )
        in response.text
    )


def test_the_home_page_says_so_too(client, submitted_a, account_a):
    client.force_login(account_a)
    page = client.get(reverse("collection:home"))
    assert 'id="business-refused"' in page.text
