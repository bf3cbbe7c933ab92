"""ISO weeks and the weekly sheets' cut-offs, in the campaign's time zone.

A week's sheet is due on the campaign's report weekday at its report hour, local time; that
moment is the week's cut-off. A week's figures count what happened from the previous week's
cut-off (inclusive) to its own (exclusive), so every moment belongs to exactly one week.
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

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


def current_week(campaign, now: datetime.datetime | None = None) -> Week:
    """The week whose sheet is due next: this ISO week, or the next one once its cut-off passed."""
    now = now or timezone.now()
    week = Week.of(local_today(campaign, now))
    return week if now < cutoff(campaign, week) else week.next()


def first_week(campaign) -> Week:
    return Week.of(campaign.start_date)


def last_week(campaign) -> Week:
    return Week.of(campaign.collection_due_date)


def campaign_weeks(campaign, *, until: Week | None = None) -> list[Week]:
    """The campaign's weeks, from the one it starts in to its deadline's (or `until`)."""
    weeks, week = [], first_week(campaign)
    end = min(last_week(campaign), until) if until else last_week(campaign)
    while week <= end:
        weeks.append(week)
        week = week.next()
    return weeks


def in_campaign(campaign, week: Week) -> bool:
    return first_week(campaign) <= week <= last_week(campaign)


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
