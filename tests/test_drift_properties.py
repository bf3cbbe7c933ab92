"""Random sequences of the services that write a record or an application (Hypothesis): after
every step, the weekly figures' tallies agree with the rows they count.

A small world of four people in two bureaus, each with an account, an ID photo and a campaign
running; each example runs in a savepoint that is rolled back, so examples do not see each
other's writes. A step the product refuses (a transition not allowed, a decision already taken)
is fine: it must then have changed nothing the figures count.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from business import services as business_services
from collection import diff
from collection import services as collection_services
from collection import tallies as application_tallies
from collection.models import Application
from confirmation import services as counter_services
from practitioners import imports as register_imports
from practitioners import services as register_services
from practitioners import tallies as register_tallies
from practitioners.gate import NotCollected
from practitioners.models import Practitioner
from tests.conftest import activate
from tests.factories import PractitionerFactory, person_values
from tests.helpers import csv_bytes, jpeg_bytes, rolled_back, submit, submit_change, ticks_for

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFUSED = (
    NotCollected,
    collection_services.CollectionError,
    counter_services.CounterError,
    business_services.BusinessError,
)


@pytest.fixture
def world(campaign, county_a, county_b, clerk_a, clerk_b, city_staff):
    people = []
    for county in (county_a, county_a, county_b, county_b):
        person = PractitionerFactory(bureau=county)
        account = activate(person)
        collection_services.set_application_photo(
            practitioner=person, actor=account, data=jpeg_bytes()
        )
        people.append(person.pk)
    return {
        "campaign": campaign,
        "people": people,
        "clerks": {county_a.pk: clerk_a, county_b.pk: clerk_b},
        "city": city_staff,
        "bureaus": [county_a, county_b],
    }


def _person(pk) -> Practitioner:
    return Practitioner.objects.select_related("account", "bureau").get(pk=pk)


def _application(person, campaign) -> Application | None:
    return Application.objects.filter(practitioner=person, campaign=campaign).first()


def step(world, action: str, who: int) -> None:
    person = _person(world["people"][who])
    campaign = world["campaign"]
    clerk = world["clerks"][person.bureau_id]
    application = _application(person, campaign)
    if action == "draft":
        collection_services.save_draft(
            practitioner=person,
            actor=person.account,
            data=diff.record_values(person),
            revision=application.revision if application else 0,
        )
    elif action == "submit":
        submit(person, person.account, major="会计学（在职）")
    elif action in ("confirm", "return") and application is not None:
        if action == "confirm":
            counter_services.confirm_at_counter(
                application=application,
                actor=clerk,
                checklist=ticks_for(application) if application.latest_submission else set(),
                revision=application.revision,
            )
        else:
            counter_services.return_at_counter(
                application=application, actor=clerk, reason="photo", revision=application.revision
            )
    elif action == "move":
        others = [b for b in world["bureaus"] if b.pk != person.bureau_id]
        collection_services.move_practitioner(
            practitioner=person, bureau=others[0], actor=world["city"], reason="调动"
        )
    elif action == "reimport_in_post":
        row = {f.name: getattr(person, f.name) for f in Practitioner._meta.concrete_fields}
        row["bureau_code"] = person.bureau.code
        row["in_accounting_post"] = not person.in_accounting_post
        register_imports.import_register(actor=None, data=csv_bytes([row]))
    elif action == "on_post":
        registration = business_services.register_on_post(
            practitioner=person,
            actor=person.account,
            values={
                "employer": "南宁市新单位有限公司",
                "post": "会计",
                "start_date": datetime.date(2026, 1, 5),
            },
        )
        business_services.approve_registration(registration=registration, actor=clerk)
    elif action == "change":
        change = submit_change(person, person.account, employer="南宁市新单位有限公司")
        counter_services.confirm_at_counter(
            application=change, actor=clerk, checklist=ticks_for(change), revision=change.revision
        )
    elif action == "contact":
        collection_services.change_contact(
            practitioner=person,
            actor=person.account,
            values={
                "mobile": "13900001111",
                "email": person.email,
                "address": person.address,
                "postcode": person.postcode,
            },
        )
    elif action == "add_person":
        values = person_values(person.bureau)
        values.pop("bureau_code")
        register_services.create_practitioner(
            actor=world["city"], values={**values, "bureau": person.bureau}
        )


ACTIONS = st.sampled_from(
    [
        "draft",
        "submit",
        "confirm",
        "return",
        "move",
        "reimport_in_post",
        "on_post",
        "change",
        "contact",
        "add_person",
    ]
)


@EXAMPLES
@given(steps=st.lists(st.tuples(ACTIONS, st.integers(0, 3)), min_size=1, max_size=12))
def test_any_sequence_of_the_services_keeps_the_figures_true(world, steps):
    with rolled_back():
        for action, who in steps:
            try:
                with transaction.atomic():
                    step(world, action, who)
            except REFUSED:
                pass
            assert register_tallies.differences() == {}, (action, who)
            assert application_tallies.differences(campaign=world["campaign"]) == {}, (action, who)
