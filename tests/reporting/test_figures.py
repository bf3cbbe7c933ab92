"""The weekly figures against hand-built data: every path an application can take, moves,
counter corrections, and confirmations on the cut-off minute."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from collection import services as collection_services
from collection import tallies as application_tallies
from confirmation import services as counter_services
from practitioners import tallies as register_tallies
from reporting import weeks
from reporting.figures import Figures, progress, week_progress
from tests.factories import PractitionerFactory
from tests.helpers import confirm, make_submitted, submit

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def figures_of(campaign, bureau, **kwargs) -> Figures:
    return progress(campaign=campaign, **kwargs).bureaus.get(bureau.pk, Figures())


def assert_tallies_agree(campaign):
    assert register_tallies.differences() == {}
    assert application_tallies.differences(campaign=campaign) == {}


def test_each_state_is_counted_once_and_holders_add_up(campaign, county_a, clerk_a):
    before = figures_of(campaign, county_a)
    waiting, returned, confirmed = make_submitted(county_a, campaign, 3)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    confirm(confirmed, clerk_a)
    PractitionerFactory(bureau=county_a)  # not started
    now = figures_of(campaign, county_a)
    assert now.holders == before.holders + 4
    assert (now.waiting, now.returned, now.confirmed, now.draft) == (1, 1, 1, 0)
    assert now.not_started == before.not_started + 1
    assert now.confirmed_week == 1
    assert now.not_started + now.draft + now.waiting + now.returned + now.confirmed == now.holders
    assert_tallies_agree(campaign)


def test_a_returned_application_stays_returned_while_edited_until_resubmitted(
    campaign, county_a, clerk_a
):
    (application,) = make_submitted(county_a, campaign, 1)
    counter_services.return_at_counter(
        application=application, actor=clerk_a, reason="photo", revision=application.revision
    )
    application.refresh_from_db()
    practitioner = application.practitioner
    collection_services.save_draft(
        practitioner=practitioner,
        actor=practitioner.account,
        data=application.data,
        revision=application.revision,
    )
    assert figures_of(campaign, county_a).returned == 1
    assert figures_of(campaign, county_a).draft == 0
    submit(practitioner, practitioner.account)
    now = figures_of(campaign, county_a)
    assert (now.returned, now.waiting) == (0, 1)
    confirm(application, clerk_a)
    now = figures_of(campaign, county_a)
    assert (now.returned, now.waiting, now.confirmed) == (0, 0, 1)
    assert_tallies_agree(campaign)


def test_a_submitted_application_taken_back_is_in_progress(campaign, county_a):
    (application,) = make_submitted(county_a, campaign, 1)
    practitioner = application.practitioner
    collection_services.save_draft(
        practitioner=practitioner,
        actor=practitioner.account,
        data=application.data,
        revision=application.revision,
    )
    now = figures_of(campaign, county_a)
    assert (now.draft, now.waiting) == (1, 0)
    assert_tallies_agree(campaign)


def test_a_correction_at_the_counter_changes_no_figure(campaign, county_a, clerk_a):
    (application,) = make_submitted(county_a, campaign, 1)
    before = figures_of(campaign, county_a)
    counter_services.correct_at_counter(
        application=application,
        actor=clerk_a,
        field="major",
        value="会计学（更正）",
        reason="录入错字",
        revision=application.revision,
    )
    assert figures_of(campaign, county_a) == before
    confirm(application, clerk_a)
    assert figures_of(campaign, county_a).confirmed == before.confirmed + 1
    assert_tallies_agree(campaign)


def test_a_moved_person_counts_for_the_new_bureau_only(
    campaign, county_a, county_b, clerk_a, city_staff
):
    waiting, confirmed = make_submitted(county_a, campaign, 2)
    confirm(confirmed, clerk_a)
    a_before, b_before = figures_of(campaign, county_a), figures_of(campaign, county_b)
    for application in (waiting, confirmed):
        collection_services.move_practitioner(
            practitioner=application.practitioner, bureau=county_b, actor=city_staff, reason="转入"
        )
    a_now, b_now = figures_of(campaign, county_a), figures_of(campaign, county_b)
    assert a_now.holders == a_before.holders - 2 and b_now.holders == b_before.holders + 2
    assert (a_now.waiting, a_now.confirmed) == (a_before.waiting - 1, a_before.confirmed - 1)
    assert (b_now.waiting, b_now.confirmed) == (b_before.waiting + 1, b_before.confirmed + 1)
    # The week's confirmations stay with the counter that made them.
    assert a_now.confirmed_week == a_before.confirmed_week
    assert b_now.confirmed_week == b_before.confirmed_week
    assert a_now.not_started == a_before.not_started
    assert_tallies_agree(campaign)


def test_a_confirmation_on_the_cut_off_minute_counts_in_the_right_week(
    campaign, county_a, clerk_a, clock
):
    campaign.report_weekday, campaign.report_hour = 7, 18
    campaign.save()
    week = weeks.Week.of(campaign.start_date).next()
    cut = weeks.cutoff(campaign, week)
    assert cut == datetime.datetime.combine(week.sunday, datetime.time(18), tzinfo=SHANGHAI)
    early, on_the_dot, late = make_submitted(county_a, campaign, 3)
    with clock(cut - datetime.timedelta(minutes=1)):  # 17:59
        confirm(early, clerk_a)
    with clock(cut):  # 18:00:00: still this week's (a week is (previous cut-off, cut-off])
        confirm(on_the_dot, clerk_a)
    with clock(cut + datetime.timedelta(minutes=1)):  # 18:01: next week's
        confirm(late, clerk_a)
    this = progress(campaign=campaign, as_of=cut, week=week).bureaus[county_a.pk]
    following = progress(
        campaign=campaign, as_of=weeks.cutoff(campaign, week.next()), week=week.next()
    ).bureaus[county_a.pk]
    assert (this.confirmed, this.confirmed_week) == (2, 2)
    assert (following.confirmed, following.confirmed_week) == (3, 1)
    assert_tallies_agree(campaign)


def test_a_weeks_figures_are_those_at_its_cut_off_once_it_has_passed(campaign, county_a, clerk_a):
    (application,) = make_submitted(county_a, campaign, 1)
    week = weeks.current_week(campaign).previous()
    confirm(application, clerk_a)  # after last week's cut-off
    last = week_progress(campaign=campaign, week=week).bureaus.get(county_a.pk, Figures())
    assert last.confirmed == 0 and last.waiting == 0  # submitted now, not before the cut-off
    assert figures_of(campaign, county_a).confirmed == 1


def test_importing_and_adding_people_counts_them(admin_a, county_a, campaign):
    from practitioners import imports as register_imports
    from tests.helpers import csv_bytes, make_records

    before = figures_of(campaign, county_a)
    records = make_records(county_a, 3, in_accounting_post=True)
    result = register_imports.import_register(
        actor=admin_a, data=csv_bytes(records), filename="r.csv"
    )
    assert result.created == 3
    now = figures_of(campaign, county_a)
    assert (now.holders, now.in_post) == (before.holders + 3, before.in_post + 3)
    assert_tallies_agree(campaign)


def test_rebuilding_gives_the_same_figures_now(campaign, county_a, clerk_a):
    waiting, returned, confirmed = make_submitted(county_a, campaign, 3)
    counter_services.return_at_counter(
        application=returned, actor=clerk_a, reason="photo", revision=returned.revision
    )
    confirm(confirmed, clerk_a)
    kept = progress(campaign=campaign).bureaus
    register_tallies.rebuild()
    application_tallies.rebuild()
    assert progress(campaign=campaign).bureaus == kept
