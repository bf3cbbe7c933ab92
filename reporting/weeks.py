"""ISO weeks and the weekly sheets' cut-offs, in the campaign's time zone.

A week's sheet is due on the campaign's report weekday at its report hour, local time; that
moment is the week's cut-off. A week counts what happened after the previous week's cut-off
and up to its own, (previous cut-off, cut-off], so every moment belongs to exactly one week;
the cut-off cannot change once the campaign has begun (collection.services.save_campaign), so
the windows always adjoin.

The campaign's weeks run from the week it starts in until the week its pending pool is moved
(after the collection deadline and its grace period): confirmations after the deadline and the
pool itself reach a sheet and a bulletin. Once that week's cut-off has passed the campaign is
closed and asks for no more sheets.
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week, written as ISO 8601 does: 2026-W49."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        """The week written as YYYY-Www; ValueError when it is not one (e.g. 2025-W53)."""
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"not an ISO week: {text!r} (write e.g. 2026-W49)")
        year, number = int(match[1]), int(match[2])
        try:
            datetime.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no ISO week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: datetime.date) -> "Week":
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def day(self, weekday: int) -> datetime.date:
        """The date of an ISO weekday (1 = Monday … 7 = Sunday) in this week."""
        return datetime.date.fromisocalendar(self.year, self.number, weekday)

    @property
    def monday(self) -> datetime.date:
        return self.day(1)

    @property
    def sunday(self) -> datetime.date:
        return self.day(7)

    def previous(self) -> "Week":
        return Week.of(self.monday - datetime.timedelta(days=7))

    def next(self) -> "Week":
        return Week.of(self.monday + datetime.timedelta(days=7))


def zone(campaign) -> ZoneInfo:
    return ZoneInfo(campaign.time_zone)


def cutoff(campaign, week: Week) -> datetime.datetime:
    """When the week's sheet is due: its report weekday at the report hour, local time."""
    day = week.day(campaign.report_weekday)
    return datetime.datetime.combine(
        day, datetime.time(campaign.report_hour), tzinfo=zone(campaign)
    )


def local_today(campaign, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(zone(campaign)).date()


def week_of(campaign, moment: datetime.datetime) -> Week:
    """The week a moment counts in: this ISO week, or the next one after its cut-off."""
    week = Week.of(local_today(campaign, moment))
    return week if moment <= cutoff(campaign, week) else week.next()


def current_week(campaign, now: datetime.datetime | None = None) -> Week:
    """The week whose sheet is due next (the campaign's last, once it is closed)."""
    week = week_of(campaign, now or timezone.now())
    last = last_week(campaign)
    return min(week, last) if last is not None else week


def first_week(campaign) -> Week:
    return Week.of(campaign.start_date)


def last_week(campaign) -> Week | None:
    """The campaign's last reported week: the week its pending pool was moved in. None while
    the pool has not been moved: the weeks go on after the deadline."""
    if campaign.pool_moved_at is None:
        return None
    return week_of(campaign, campaign.pool_moved_at)


def is_closed(campaign, now: datetime.datetime | None = None) -> bool:
    """Whether the campaign's last week is over: no sheet is asked for any more."""
    last = last_week(campaign)
    return last is not None and (now or timezone.now()) > cutoff(campaign, last)


def campaign_weeks(campaign, *, until: Week | None = None) -> list[Week]:
    """The campaign's weeks, from the one it starts in to `until` (by default the current
    week), never past its last."""
    weeks, week = [], first_week(campaign)
    end = until or current_week(campaign)
    last = last_week(campaign)
    if last is not None:
        end = min(end, last)
    while week <= end:
        weeks.append(week)
        week = week.next()
    return weeks


def in_campaign(campaign, week: Week) -> bool:
    """Whether the week is one of the campaign's (weeks after the current one included, until
    the campaign is closed)."""
    last = last_week(campaign)
    return first_week(campaign) <= week and (last is None or week <= last)


def window(campaign, week: Week) -> tuple[datetime.datetime, datetime.datetime]:
    """What the week counts: (previous cut-off, this cut-off]."""
    return cutoff(campaign, week.previous()), cutoff(campaign, week)


def label(campaign, week: Week) -> str:
    """The week as its figures are named: 第49周（11月29日18:00—12月6日18:00）."""
    start, end = (timezone.localtime(m, zone(campaign)) for m in window(campaign, week))
    return _("Week %(number)s (%(start)s – %(end)s)") % {
        "number": week.number,
        "start": _moment(start),
        "end": _moment(end),
    }


def short_label(week: Week) -> str:
    """第49周, where the window is said nearby (a chart's axis)."""
    return _("Week %(number)s") % {"number": week.number}


def _moment(moment: datetime.datetime) -> str:
    return _("%(month)s/%(day)s %(time)s") % {
        "month": moment.month,
        "day": moment.day,
        "time": moment.strftime("%H:%M"),
    }


def days_left(campaign, now: datetime.datetime | None = None) -> int:
    """Days from today to the collection deadline (0 on its day, negative after it)."""
    return (campaign.collection_due_date - local_today(campaign, now)).days


def deadline(campaign) -> datetime.datetime:
    """The end of the collection deadline's day, local time."""
    day = campaign.collection_due_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone(campaign))


def plan_deadline(campaign) -> datetime.datetime:
    """The end of the work plan's due day, local time."""
    day = campaign.plan_due_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone(campaign))
