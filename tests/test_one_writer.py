"""One truth: the register record and an application each have one writer, which keeps the
weekly tallies in the same transaction, so that the figures never drift from the rows.

Each service that writes a record or an application is run here, and the tallies are then
compared with a count of the rows (`differences()`, which must be empty)."""

import ast
import datetime
from pathlib import Path

import pytest

from business import services as business_services
from collection import services as collection_services
from collection import tallies as application_tallies
from collection.constants import TallyFigure
from confirmation import services as counter_services
from practitioners import imports as register_imports
from practitioners import services as register_services
from practitioners import tallies as register_tallies
from practitioners.models import Practitioner
from reporting import selectors as reporting_selectors
from reporting.figures import Figures, progress
from tests.helpers import (
    confirm,
    csv_bytes,
    jpeg_bytes,
    make_submitted,
    submit,
    submit_change,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def assert_no_drift(campaign) -> None:
    assert register_tallies.differences() == {}
    assert application_tallies.differences(campaign=campaign) == {}


def figures_of(campaign, bureau):
    return progress(campaign=campaign).bureaus.get(bureau.pk, Figures())


def import_rows(actor, records):
    result = register_imports.import_register(actor=actor, data=csv_bytes(records))
    assert result.ok and result.written, list(result.problems)
    return result


def row_of(practitioner) -> dict:
    record = {f.name: getattr(practitioner, f.name) for f in Practitioner._meta.concrete_fields}
    record["bureau_code"] = practitioner.bureau.code
    return record


def test_a_reimport_that_changes_in_post_keeps_the_number_of_holders(
    admin_a, county_a, campaign, practitioner_a
):
    """Putting a person into a post, then out of it, by re-import: holders stay; in a post
    follows; "not started" agrees with the list of names it opens."""
    practitioner_a.refresh_from_db()
    was = practitioner_a.in_accounting_post
    before = figures_of(campaign, county_a)
    import_rows(admin_a, [row_of(practitioner_a) | {"in_accounting_post": not was}])
    toggled = figures_of(campaign, county_a)
    step = -1 if was else 1
    assert (toggled.holders, toggled.in_post) == (before.holders, before.in_post + step)
    import_rows(admin_a, [row_of(practitioner_a) | {"in_accounting_post": was}])
    back = figures_of(campaign, county_a)
    assert (back.holders, back.in_post) == (before.holders, before.in_post)
    out_again = back
    not_started = reporting_selectors.people(
        campaign=campaign, bureau=county_a, figure="not_started"
    )
    assert not_started.count() == out_again.not_started
    assert_no_drift(campaign)


def test_every_state_change_of_an_application_keeps_the_figures_true(
    campaign, county_a, clerk_a, practitioner_a, account_a, with_photo
):
    application = practitioner_a.applications.get()
    assert application.counted_as == TallyFigure.DRAFT
    submitted = submit(practitioner_a, account_a, major="财务管理")
    assert submitted.counted_as == TallyFigure.WAITING
    counter_services.return_at_counter(
        application=submitted, actor=clerk_a, reason="photo", revision=submitted.revision
    )
    submitted.refresh_from_db()
    assert submitted.counted_as == TallyFigure.RETURNED
    # Edited after the return, it still counts as returned until it is submitted again.
    collection_services.save_draft(
        practitioner=practitioner_a,
        actor=account_a,
        data=submitted.data,
        revision=submitted.revision,
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.counted_as) == ("draft", TallyFigure.RETURNED)
    assert_no_drift(campaign)
    again = submit(practitioner_a, account_a, major="财务管理")
    assert again.counted_as == TallyFigure.WAITING
    confirm(again, clerk_a)
    again.refresh_from_db()
    assert again.counted_as == TallyFigure.CONFIRMED
    assert figures_of(campaign, county_a).confirmed_week == 1
    assert_no_drift(campaign)


def test_the_counters_correction_keeps_the_figures_true(campaign, clerk_a, submitted_a):
    counter_services.correct_at_counter(
        application=submitted_a,
        actor=clerk_a,
        field="major",
        value="会计学（更正）",
        reason="录入错字",
        revision=submitted_a.revision,
    )
    submitted_a.refresh_from_db()
    confirm(submitted_a, clerk_a)
    assert_no_drift(campaign)


def test_moves_imports_additions_and_activations_keep_the_figures_true(
    campaign, county_a, county_b, city_staff, admin_a, clerk_a
):
    waiting, confirmed = make_submitted(county_a, campaign, 2)
    confirm(confirmed, clerk_a)
    for application in (waiting, confirmed):
        collection_services.move_practitioner(
            practitioner=application.practitioner, bureau=county_b, actor=city_staff, reason="转入"
        )
    import_rows(admin_a, [row for row in _new_rows(county_a, 3)])
    person = _new_rows(county_a, 1)[0]
    person.pop("bureau_code")
    register_services.create_practitioner(actor=admin_a, values={**person, "bureau": county_a})
    assert_no_drift(campaign)


def test_moving_a_confirmed_person_shows_as_moved_out_and_in(
    campaign, county_a, county_b, city_staff, clerk_a
):
    (application,) = make_submitted(county_a, campaign, 1)
    confirm(application, clerk_a)
    a_before, b_before = figures_of(campaign, county_a), figures_of(campaign, county_b)
    collection_services.move_practitioner(
        practitioner=application.practitioner, bureau=county_b, actor=city_staff, reason="调入"
    )
    a_now, b_now = figures_of(campaign, county_a), figures_of(campaign, county_b)
    assert (a_now.moved_out, b_now.moved_in) == (1, 1)
    # The week's confirmations and moves add up to the change of the confirmed total.
    for before, now in ((a_before, a_now), (b_before, b_now)):
        assert now.confirmed == (
            before.confirmed
            + (now.confirmed_week - before.confirmed_week)
            + (now.moved_in - before.moved_in)
            - (now.moved_out - before.moved_out)
        )
    assert_no_drift(campaign)


def test_business_after_confirmation_keeps_the_figures_true(
    campaign, county_a, clerk_a, confirmed_person
):
    account = confirmed_person.account
    contact = {f: getattr(confirmed_person, f) for f in ("email", "address", "postcode")}
    collection_services.change_contact(
        practitioner=confirmed_person, actor=account, values={**contact, "mobile": "13900001111"}
    )
    registration = business_services.register_on_post(
        practitioner=confirmed_person,
        actor=account,
        values={
            "employer": "南宁市新单位有限公司",
            "post": "会计",
            "start_date": datetime.date(2026, 1, 5),
        },
    )
    was_in_post = confirmed_person.in_accounting_post
    before = figures_of(campaign, county_a)
    business_services.approve_registration(registration=registration, actor=clerk_a)
    after = figures_of(campaign, county_a)
    assert after.holders == before.holders
    assert after.in_post == before.in_post + (0 if was_in_post else 1)
    change = submit_change(confirmed_person, account, major="审计学（第二学位）")
    confirm(change, clerk_a)
    assert_no_drift(campaign)


def test_the_pending_pool_and_leaving_it_keep_the_figures_true(
    county_a, clerk_a, city_staff, practitioner_a, account_a, campaign
):
    import time_machine

    collection_services.set_application_photo(
        practitioner=practitioner_a, actor=account_a, data=jpeg_bytes()
    )
    application = submit(practitioner_a, account_a)
    opens = collection_services.pool_opens_at(campaign)
    with time_machine.travel(opens + datetime.timedelta(hours=1), tick=False):
        moved = collection_services.move_unconfirmed_to_pending(campaign=campaign, actor=city_staff)
        assert moved.counts.get(county_a, 0) >= 1
        assert_no_drift(campaign)
        pooled = figures_of(campaign, county_a).pending
        confirm(application, clerk_a)  # a confirmation takes the record out of the pool
        assert figures_of(campaign, county_a).pending == pooled - 1
        assert_no_drift(campaign)


def _new_rows(county, count):
    from tests.helpers import make_records

    return make_records(county, count)


# --- Nothing else writes ----------------------------------------------------------------------

PRODUCT = [
    "practitioners",
    "collection",
    "confirmation",
    "business",
    "reporting",
    "accounting_registry",
    "core",
]
TALLY_WRITERS = {
    "practitioners/records.py",  # the record's one writer
    "collection/services/states.py",  # the application's one writer
}
RECORD_WRITERS = {"practitioners/records.py", "practitioners/bulk.py"}


def _product_files():
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative and not relative.endswith("/demo.py"):
                yield relative, ast.parse(path.read_text())


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_only_the_two_writers_count_in_the_tallies():
    found = set()
    for relative, tree in _product_files():
        for call in _calls(tree):
            owner = call.func.value
            if (
                call.func.attr in ("count", "add")
                and isinstance(owner, ast.Name)
                and owner.id in ("tallies", "register_tallies", "application_tallies")
                and not relative.endswith("tallies.py")
            ):
                found.add(relative)
    assert found <= TALLY_WRITERS, found - TALLY_WRITERS


def test_only_the_records_writer_saves_a_practitioner():
    """No `Practitioner.objects….update(…)`/`bulk_update`, and no `.save(…)` of a record,
    outside practitioners.records."""
    found = set()
    for relative, tree in _product_files():
        source = ast.unparse(tree)
        if relative in RECORD_WRITERS:
            continue
        for call in _calls(tree):
            text = ast.unparse(call)
            if call.func.attr in ("update", "bulk_update") and text.startswith(
                "Practitioner.objects"
            ):
                found.add(relative)
        if "Practitioner(" in source and "records" not in relative:
            for call in ast.walk(tree):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "Practitioner"
                ):
                    found.add(relative)
    assert not found, found


def test_an_applications_counted_state_is_stored_and_the_people_lists_read_it(
    campaign, county_a, clerk_a
):
    waiting, returned = make_submitted(county_a, campaign, 2)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    for figure, expected in (("waiting", waiting), ("returned", returned)):
        listed = reporting_selectors.people(campaign=campaign, bureau=county_a, figure=figure)
        assert list(listed) == [expected.practitioner]
    live = figures_of(campaign, county_a)
    assert (live.waiting, live.returned) == (1, 1)


def test_drift_is_loud_in_the_command_and_on_the_health_page_for_staff(
    client, campaign, county_a, practitioner_a, clerk_a
):
    from django.core.management import CommandError, call_command

    call_command("check_figures")  # nothing drifted
    client.force_login(clerk_a)
    assert client.get("/health/").json()["figures"]["ok"]
    # Written around the one writer: the figures no longer agree with the rows.
    Practitioner.objects.filter(pk=practitioner_a.pk).update(
        in_accounting_post=not practitioner_a.in_accounting_post
    )
    with pytest.raises(CommandError, match="drifted"):
        call_command("check_figures")
    assert not client.get("/health/").json()["figures"]["ok"]
    client.logout()
    assert "figures" not in client.get("/health/").json()  # nobody else is told


def test_a_service_stores_values_as_the_rulebook_reads_them(
    campaign, practitioner_a, account_a, with_photo, confirmed_person
):
    """Not only the forms: a value given to a service directly is normalised the same way."""
    application = submit(
        practitioner_a, account_a, mobile="+86 139 7712 3456", postcode="５３００２２"
    )
    assert (application.data["mobile"], application.data["postcode"]) == ("13977123456", "530022")
    contact = {f: getattr(confirmed_person, f) for f in ("email", "address")}
    collection_services.change_contact(
        practitioner=confirmed_person,
        actor=confirmed_person.account,
        values={**contact, "mobile": "139 0000 1111", "postcode": "５３００２２"},
    )
    confirmed_person.refresh_from_db()
    assert (confirmed_person.mobile, confirmed_person.postcode) == ("13900001111", "530022")
