"""ISO weeks, cut-offs in Asia/Shanghai, and the completion forecast."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from reporting import weeks
from reporting.figures import Figures, Outlook, forecast

SHANGHAI = ZoneInfo("Asia/Shanghai")


def campaign(**overrides):
    values = {
        "start_date": datetime.date(2026, 11, 2),
        "plan_due_date": datetime.date(2026, 11, 16),
        "collection_due_date": datetime.date(2027, 1, 29),
        "report_weekday": 7,
        "report_hour": 18,
        "time_zone": "Asia/Shanghai",
        "pool_moved_at": None,
    }
    return SimpleNamespace(**(values | overrides))


def test_weeks_are_written_and_read_as_iso_8601():
    assert str(weeks.Week.parse("2026-W49")) == "2026-W49"
    assert weeks.Week.parse("2026-W49").monday == datetime.date(2026, 11, 30)
    assert weeks.Week.of(datetime.date(2026, 12, 1)) == weeks.Week(2026, 49)
    for bad in ("2026-49", "2026-W5", "W49", "2025-W53", "2026-W00", ""):
        with pytest.raises(ValueError):
            weeks.Week.parse(bad)


def test_week_53_and_the_week_across_new_year():
    w53 = weeks.Week.parse("2026-W53")
    assert (w53.monday, w53.sunday) == (datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))
    assert weeks.Week.of(datetime.date(2027, 1, 1)) == w53
    assert w53.next() == weeks.Week(2027, 1) and weeks.Week(2027, 1).previous() == w53
    assert weeks.Week.parse("2026-W52").next() == w53
    # 2020 had 53 weeks too; 2021-W01 begins on 4 January.
    assert weeks.Week.of(datetime.date(2021, 1, 3)) == weeks.Week(2020, 53)
    c = campaign()
    listed = [str(w) for w in weeks.campaign_weeks(c, until=weeks.Week(2027, 4))]
    assert listed[:2] == ["2026-W45", "2026-W46"]
    assert "2026-W53" in listed and listed[-1] == "2027-W04"
    assert len(listed) == len(set(listed))


def test_the_weeks_go_on_after_the_deadline_until_the_pools_week():
    c = campaign()  # deadline 2027-01-29, in 2027-W04
    assert weeks.in_campaign(c, weeks.Week(2027, 9)) and weeks.last_week(c) is None
    assert not weeks.is_closed(c, datetime.datetime(2027, 6, 1, tzinfo=SHANGHAI))
    # The pool moved on Wednesday 2027-03-03: that week (2027-W09) is the campaign's last.
    moved = campaign(pool_moved_at=datetime.datetime(2027, 3, 3, 10, tzinfo=SHANGHAI))
    assert weeks.last_week(moved) == weeks.Week(2027, 9)
    assert weeks.campaign_weeks(moved, until=weeks.Week(2027, 20))[-1] == weeks.Week(2027, 9)
    assert not weeks.in_campaign(moved, weeks.Week(2027, 10))
    cut = weeks.cutoff(moved, weeks.Week(2027, 9))
    assert not weeks.is_closed(moved, cut) and weeks.is_closed(
        moved, cut + datetime.timedelta(seconds=1)
    )
    assert weeks.current_week(moved, cut + datetime.timedelta(days=30)) == weeks.Week(2027, 9)


def test_a_week_is_named_with_its_window():
    from django.utils import translation

    with translation.override("zh-hans"):
        label = weeks.label(campaign(), weeks.Week(2026, 49))
    assert label == "第49周（11月29日18:00—12月6日18:00）"


def test_the_cut_off_is_the_report_day_and_hour_in_shanghai():
    c = campaign()
    cut = weeks.cutoff(c, weeks.Week.parse("2026-W53"))
    assert cut == datetime.datetime(2027, 1, 3, 18, tzinfo=SHANGHAI)
    assert cut.astimezone(datetime.UTC) == datetime.datetime(2027, 1, 3, 10, tzinfo=datetime.UTC)
    friday = campaign(report_weekday=5, report_hour=12)
    assert weeks.cutoff(friday, weeks.Week(2026, 49)) == datetime.datetime(
        2026, 12, 4, 12, tzinfo=SHANGHAI
    )


def test_the_current_week_turns_at_the_cut_off_not_at_midnight():
    c = campaign()
    cut = datetime.datetime(2026, 12, 6, 18, tzinfo=SHANGHAI)
    assert weeks.current_week(c, cut - datetime.timedelta(seconds=1)) == weeks.Week(2026, 49)
    # (previous cut-off, cut-off]: the cut-off itself is still the week's; a second later not.
    assert weeks.current_week(c, cut) == weeks.Week(2026, 49)
    assert weeks.current_week(c, cut + datetime.timedelta(seconds=1)) == weeks.Week(2026, 50)
    # Sunday 23:30 in Shanghai is still Sunday 15:30 UTC: the local date decides the week.
    late = datetime.datetime(2026, 12, 6, 15, 30, tzinfo=datetime.UTC)
    assert weeks.current_week(c, late) == weeks.Week(2026, 50)
    monday_early = datetime.datetime(2026, 12, 6, 17, 0, tzinfo=datetime.UTC)  # Mon 01:00 local
    assert weeks.current_week(c, monday_early) == weeks.Week(2026, 50)


def test_the_plan_is_overdue_from_the_day_after_its_due_date_local_time():
    c = campaign()
    assert weeks.plan_deadline(c) == datetime.datetime(2026, 11, 17, 0, tzinfo=SHANGHAI)
    assert weeks.deadline(c) == datetime.datetime(2027, 1, 30, 0, tzinfo=SHANGHAI)


TODAY = datetime.date(2026, 12, 1)
DEADLINE = datetime.date(2026, 12, 28)  # 28 days left, today included


def test_a_bureau_that_confirmed_everyone_is_finished():
    f = forecast(
        figures=Figures(holders=10, confirmed=10), recent=0, today=TODAY, deadline=DEADLINE
    )
    assert (f.outlook, f.remaining, f.needed_per_week, f.at_risk) == (Outlook.FINISHED, 0, 0, False)


def test_no_confirmations_in_two_weeks_is_at_risk_with_the_pace_needed():
    f = forecast(
        figures=Figures(holders=100, confirmed=20), recent=0, today=TODAY, deadline=DEADLINE
    )
    assert f.outlook == Outlook.STALLED and f.at_risk and f.finish is None
    assert f.needed_per_week == 20  # 80 left over four weeks


def test_a_bureau_ahead_finishes_before_the_deadline():
    f = forecast(
        figures=Figures(holders=100, confirmed=60), recent=40, today=TODAY, deadline=DEADLINE
    )
    assert f.per_week == 20 and f.outlook == Outlook.ON_TRACK and not f.at_risk
    assert f.finish == TODAY + datetime.timedelta(days=13)  # 40 left at 20 a week


def test_a_bureau_behind_is_at_risk_with_the_pace_needed():
    f = forecast(
        figures=Figures(holders=1000, confirmed=100), recent=100, today=TODAY, deadline=DEADLINE
    )
    assert f.outlook == Outlook.AT_RISK and f.at_risk
    assert f.finish > DEADLINE
    assert f.needed_per_week == 225  # 900 left over four weeks


def test_after_the_deadline_everything_left_is_needed_now():
    late = DEADLINE + datetime.timedelta(days=3)
    f = forecast(figures=Figures(holders=50, confirmed=40), recent=0, today=late, deadline=DEADLINE)
    assert f.at_risk and f.needed_per_week == 10


@pytest.mark.django_db
def test_the_cut_off_cannot_change_once_the_campaign_has_begun(client, city_staff, campaign):
    from django.urls import reverse

    from collection.models import Campaign

    client.force_login(city_staff)
    url = reverse("collection:campaign_edit", args=[campaign.pk])
    data = {
        "name": campaign.name,
        "start_date": campaign.start_date,
        "plan_due_date": campaign.plan_due_date,
        "collection_due_date": campaign.collection_due_date,
        "report_weekday": 5,
        "report_hour": 12,
        "pending_grace_days": campaign.pending_grace_days,
        "active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "report_weekday" in form.errors and "report_hour" in form.errors
    stored = Campaign.objects.get(pk=campaign.pk)
    assert (stored.report_weekday, stored.report_hour) == (7, 18)
    # Other fields still change.
    data.update(report_weekday=7, report_hour=18, name="测试采集（更名）")
    assert client.post(url, data).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).name == "测试采集（更名）"


@pytest.mark.django_db
def test_a_closed_campaign_asks_for_no_sheet(client, city_staff, campaign):
    import time_machine
    from django.urls import reverse

    from collection import services as collection_services

    opens = collection_services.pool_opens_at(campaign)
    with time_machine.travel(opens + datetime.timedelta(hours=2), tick=False):
        collection_services.move_unconfirmed_to_pending(campaign=campaign, actor=city_staff)
    campaign.refresh_from_db()
    last = weeks.last_week(campaign)
    assert last == weeks.week_of(campaign, opens + datetime.timedelta(hours=2))
    with time_machine.travel(weeks.cutoff(campaign, last) + datetime.timedelta(days=1)):
        client.force_login(city_staff)
        page = client.get(reverse("reporting:dashboard"))
        assert page.context["closed"] and not page.context["no_sheet"]
        assert 'id="campaign-closed"' in page.text
        after = client.get(reverse("reporting:sheet", args=["450103", str(last.next())]))
        assert after.status_code == 404
        assert client.get(reverse("reporting:sheet", args=["450103", str(last)])).status_code == 200
