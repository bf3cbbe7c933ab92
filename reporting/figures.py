"""The weekly progress figures of each bureau, from the tallies, and the completion forecast.

Every figure a sheet, the dashboard or a bulletin shows is computed here, from two grouped sums
over the tallies (collection.tallies, practitioners.tallies): a fixed, small cost however many
people the register holds. FIGURES says what each one means; the definitions page shows it.
"""

import datetime
import math
from dataclasses import asdict, dataclass, fields

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collection import tallies as application_tallies
from collection.constants import TallyFigure
from practitioners import tallies as register_tallies
from practitioners.constants import RegisterFigure, Standing
from reporting import weeks


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    meaning: str
    people: bool = False  # whether the figure opens as a list of the people behind it


FIGURES: tuple[Definition, ...] = (
    Definition(
        "holders",
        _("Certificate holders"),
        _(
            "People in the bureau's register: every holder of a certificate the bureau issued, "
            "in an accounting post or not. A person moved to another bureau counts there."
        ),
    ),
    Definition(
        "in_post",
        pgettext_lazy("figure", "In an accounting post"),
        _("Of the holders, those whose record says they work in an accounting post."),
    ),
    Definition(
        "not_started",
        Standing.NOT_STARTED.label,
        _("Holders who have not opened an application in this campaign."),
        people=True,
    ),
    Definition(
        "draft",
        TallyFigure.DRAFT.label,
        _(
            "Applications opened but not submitted, including submitted ones the practitioner "
            "took back to change."
        ),
    ),
    Definition(
        "waiting",
        TallyFigure.WAITING.label,
        _(
            "Applications submitted and not yet confirmed or returned by the counter: people "
            "expected at the service hall with their originals."
        ),
        people=True,
    ),
    Definition(
        "returned",
        TallyFigure.RETURNED.label,
        _(
            "Applications the counter returned with a reason that the practitioner has not "
            "submitted again (even if they are editing them)."
        ),
        people=True,
    ),
    Definition(
        "confirmed_week",
        _("Confirmed this week"),
        _(
            "Confirmations at the bureau's counter in the week's window: after the previous "
            "week's cut-off, up to and at this week's."
        ),
    ),
    Definition(
        "moved_in",
        _("Confirmed people moved in"),
        _(
            "People with a confirmed collection whom city staff moved to this bureau from "
            "another during the week. They count in this bureau's confirmed total from then on."
        ),
    ),
    Definition(
        "moved_out",
        _("Confirmed people moved out"),
        _(
            "People with a confirmed collection whom city staff moved from this bureau to "
            "another during the week. Confirmed in total = last week's confirmed in total + "
            "confirmed this week + moved in − moved out."
        ),
    ),
    Definition(
        "confirmed",
        _("Confirmed in total"),
        _("Holders whose collected information the counter has confirmed in this campaign."),
    ),
    Definition(
        "pending",
        RegisterFigure.PENDING.label,
        _(
            "Holders whose records were moved to the pending pool after the collection deadline "
            "and its grace period without a confirmed collection. They can do no other business "
            "until the counter confirms their collection, which takes them out of the pool."
        ),
    ),
    Definition(
        "rate",
        _("Confirmation rate"),
        _(
            "Confirmed in total divided by certificate holders. Holders = not started + in "
            "progress + waiting + returned + confirmed."
        ),
    ),
)
DEFINITIONS = {d.key: d for d in FIGURES}
PEOPLE_FIGURES = tuple(d.key for d in FIGURES if d.people)


@dataclass(frozen=True)
class Figures:
    """One bureau's (or the city's) figures as of a moment."""

    holders: int = 0
    in_post: int = 0
    draft: int = 0
    waiting: int = 0
    returned: int = 0
    confirmed: int = 0
    confirmed_week: int = 0
    moved_in: int = 0
    moved_out: int = 0
    pending: int = 0

    @property
    def not_started(self) -> int:
        return self.holders - self.draft - self.waiting - self.returned - self.confirmed

    @property
    def rate(self) -> float:
        return self.confirmed / self.holders if self.holders else 0.0

    @property
    def remaining(self) -> int:
        return max(self.holders - self.confirmed, 0)

    def as_dict(self) -> dict:
        """The stored form (a frozen sheet, a bulletin row), with the derived figures."""
        return {**asdict(self), "not_started": self.not_started, "rate": round(self.rate, 6)}

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        return cls(**{f.name: int(data.get(f.name, 0)) for f in fields(cls)})

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class Progress:
    """Every bureau's figures as of a moment, with each bureau's pace (confirmations in the
    last two weeks before it)."""

    as_of: datetime.datetime
    bureaus: dict[int, Figures]
    pace: dict[int, int]

    def total(self) -> Figures:
        return sum(self.bureaus.values(), Figures())


PACE_DAYS = 14


def progress(
    *, campaign, as_of: datetime.datetime | None = None, week: weeks.Week | None = None
) -> Progress:
    """Every bureau's figures as of a moment (now by default). "Confirmed this week" counts
    from the cut-off before `week` (by default the week whose cut-off comes next). Two queries."""
    moment = as_of or timezone.now()
    week = week or weeks.current_week(campaign, moment)
    since = {
        "week": weeks.cutoff(campaign, week.previous()),
        "pace": moment - datetime.timedelta(days=PACE_DAYS),
    }
    register = register_tallies.figures(as_of=as_of)
    applications = application_tallies.figures(campaign=campaign, as_of=as_of, since=since)
    bureaus, pace = {}, {}
    for bureau_id in set(register) | set(applications):
        held = register.get(bureau_id, {})
        counts = applications.get(bureau_id, {})
        bureaus[bureau_id] = Figures(
            holders=held.get(RegisterFigure.HOLDERS, 0),
            in_post=held.get(RegisterFigure.IN_POST, 0),
            pending=held.get(RegisterFigure.PENDING, 0),
            draft=counts.get(TallyFigure.DRAFT, 0),
            waiting=counts.get(TallyFigure.WAITING, 0),
            returned=counts.get(TallyFigure.RETURNED, 0),
            confirmed=counts.get(TallyFigure.CONFIRMED, 0),
            confirmed_week=counts.get(("week", TallyFigure.CONFIRMATIONS), 0),
            moved_in=counts.get(("week", TallyFigure.MOVED_IN), 0),
            moved_out=counts.get(("week", TallyFigure.MOVED_OUT), 0),
        )
        pace[bureau_id] = counts.get(("pace", TallyFigure.CONFIRMATIONS), 0)
    return Progress(as_of=moment, bureaus=bureaus, pace=pace)


def week_progress(*, campaign, week: weeks.Week) -> Progress:
    """The figures of a week: as of its cut-off once that has passed (final), as of now while
    it is ahead (provisional)."""
    cut = weeks.cutoff(campaign, week)
    return progress(campaign=campaign, as_of=cut if cut < timezone.now() else None, week=week)


class Outlook:
    FINISHED = "finished"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    STALLED = "stalled"  # no confirmations in the last two weeks, people still to confirm


@dataclass(frozen=True)
class Forecast:
    """When a bureau would reach 100% at its pace of the last two weeks."""

    outlook: str
    remaining: int
    per_week: float  # the pace: confirmations a week over the last two weeks
    finish: datetime.date | None  # None when finished or stalled
    needed_per_week: int  # confirmations a week that would finish by the deadline (0 if done)
    deadline: datetime.date

    @property
    def at_risk(self) -> bool:
        return self.outlook in (Outlook.AT_RISK, Outlook.STALLED)


def forecast(
    *, figures: Figures, recent: int, today: datetime.date, deadline: datetime.date
) -> Forecast:
    """The forecast from a bureau's figures and its confirmations of the last two weeks."""
    remaining = figures.remaining
    per_week = recent * 7 / PACE_DAYS
    days_left = (deadline - today).days + 1  # the deadline's own day still counts
    if remaining == 0:
        return Forecast(Outlook.FINISHED, 0, per_week, None, 0, deadline)
    needed = remaining if days_left <= 0 else math.ceil(remaining * 7 / days_left)
    if per_week == 0:
        return Forecast(Outlook.STALLED, remaining, 0.0, None, needed, deadline)
    finish = today + datetime.timedelta(days=math.ceil(remaining * 7 / per_week) - 1)
    outlook = Outlook.AT_RISK if finish > deadline else Outlook.ON_TRACK
    return Forecast(outlook, remaining, per_week, finish, needed, deadline)
