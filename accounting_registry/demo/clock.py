"""The demo's clock: a story of acts at moments, told in time order with time-machine, and the
moments people and staff act at (office hours, the counters' opening hours)."""

import datetime
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine
from django.utils import timezone

# When the halls are open (周一至周五 8:00-12:00，15:00-18:00): the counters decide then.
COUNTER_HOURS = (8, 9, 10, 11, 15, 16, 17)


@dataclass(order=True)
class _Event:
    at: datetime.datetime
    order: int
    act: Callable[[], None] = field(compare=False)


class Story:
    """Acts at moments; `tell` runs them in time order, each with the clock at its moment. An
    act planned for now or later is left out (a sequence of acts then stops where the present
    is: its later steps are later still)."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self._events: list[_Event] = []
        self._order = itertools.count()

    def at(self, moment: datetime.datetime, act: Callable[[], None]) -> None:
        if moment < self.now:
            self._events.append(_Event(moment, next(self._order), act))

    def tell(self) -> None:
        for event in sorted(self._events):
            with time_machine.travel(event.at, tick=False):
                event.act()


def aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """`hour:minute` of `day` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def office_time(now: datetime.datetime, *, days_ago: int, hour: int) -> datetime.datetime:
    """A working day's `hour`, `days_ago` days before now (earlier still if that is a weekend
    or not yet past): when staff and most people are at their desks."""
    day = timezone.localtime(now).date() - datetime.timedelta(days=days_ago)
    moment = aware(day, hour)
    while day.weekday() >= 5 or moment >= now - datetime.timedelta(minutes=10):
        day -= datetime.timedelta(days=1)
        moment = aware(day, hour)
    return moment


def counter_time(after: datetime.datetime, rng: random.Random, now) -> datetime.datetime:
    """One to three working days later, in the hall's opening hours, and in the past."""
    day = timezone.localtime(after).date() + datetime.timedelta(days=rng.choice((1, 2, 3)))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    moment = aware(day, rng.choice(COUNTER_HOURS), rng.randint(0, 59))
    return min(moment, now - datetime.timedelta(minutes=30))
