"""The demo's second chapter: the campaign's applicants. Each person's path (a draft, waiting
at the counter, returned, confirmed) is drawn from their own dice; they activate their account,
save a draft, upload a photo and submit, at moments of the story.

`ApplicantActs` is mixed into the demo (campaign.Demo), which gives it the story, the clock's
`now`, the campaign and the staff users; the counter's acts it plans are in counter.py.
"""

import datetime
import functools
import itertools
import random
from dataclasses import dataclass

from collection import diff
from collection import services as collection_services
from collection.demo import demo_photo
from collection.models import Application
from practitioners.demo import DEMO_PASSWORD
from practitioners.models import Practitioner

from .clock import counter_time

# Share of the register per outcome: draft, waiting at the counter, returned, confirmed (some of
# these returned once and resubmitted); the rest have not started.
SHARES = (0.04, 0.07, 0.02, 0.17)
RETURN_REASONS = ("photo", "seal", "education")


@dataclass
class Plan:
    """One applicant's path through the campaign, drawn from their own dice."""

    index: int
    outcome: str  # draft, waiting, returned, confirmed
    starts: datetime.datetime
    returned_once: bool = False  # a confirmed (or waiting) applicant who was returned first
    corrects_mobile: bool = False


def draw_plan(index: int, start: datetime.datetime, span: float, seed: int) -> Plan | None:
    """Person `index`'s path, from dice of their own (the same on every run), or None for one
    who does not take part."""
    rng = random.Random(seed * 1_000_003 + index)
    roll = rng.random()
    outcomes = zip(
        ("draft", "waiting", "returned", "confirmed"), itertools.accumulate(SHARES), strict=True
    )
    outcome = next((name for name, limit in outcomes if roll < limit), None)
    if outcome is None:
        return None
    # Activity grows towards the deadline: later weeks busier than the first.
    starts = start + datetime.timedelta(seconds=span * (rng.random() ** 0.6))
    return Plan(
        index=index,
        outcome=outcome,
        starts=starts,
        returned_once=outcome in ("confirmed", "waiting") and rng.random() < 0.12,
        corrects_mobile=outcome != "draft" and rng.random() < 0.3,
    )


class ApplicantActs:
    """What each applicant does, planned on the demo's story."""

    def applicant(self, pk: int, plan: Plan) -> None:
        rng = random.Random(plan.index)
        at = plan.starts
        self.story.at(at, functools.partial(self.activate, pk))
        self.story.at(at + datetime.timedelta(minutes=3), functools.partial(self.draft, pk))
        self.story.at(at + datetime.timedelta(minutes=6), functools.partial(self.photo, pk))
        if plan.outcome == "draft":
            return
        submitted = at + datetime.timedelta(minutes=10)
        mobile = f"139{rng.randint(0, 99999999):08d}" if plan.corrects_mobile else None
        self.story.at(submitted, functools.partial(self.submit, pk, mobile))
        if plan.outcome == "waiting" and not plan.returned_once:
            return
        decided = counter_time(submitted, rng, self.now)
        if plan.outcome == "returned" or plan.returned_once:
            self.story.at(decided, functools.partial(self.return_, pk, rng.choice(RETURN_REASONS)))
            if plan.outcome == "returned":
                return
            submitted = decided + datetime.timedelta(days=1, hours=2)
            self.story.at(submitted, functools.partial(self.submit, pk, mobile))
            if plan.outcome == "waiting":
                return
            decided = counter_time(submitted, rng, self.now)
        self.story.at(decided, functools.partial(self.confirm, pk))

    def _person(self, pk: int) -> Practitioner:
        return Practitioner.objects.select_related("account", "bureau").get(pk=pk)

    def activate(self, pk: int) -> None:
        person = self._person(pk)
        collection_services.activate_account(
            name=person.name,
            id_number=person.id_number,
            cert_number=person.cert_number,
            password=DEMO_PASSWORD,
            mobile=person.mobile,
            email=person.email,
            address="127.0.0.1",
        )

    def draft(self, pk: int) -> None:
        person = self._person(pk)
        collection_services.save_draft(
            practitioner=person, actor=person.account, data=diff.record_values(person), revision=0
        )

    def photo(self, pk: int) -> None:
        person = self._person(pk)
        collection_services.set_application_photo(
            practitioner=person, actor=person.account, data=demo_photo()
        )

    def submit(self, pk: int, mobile: str | None) -> None:
        person = self._person(pk)
        application = Application.objects.get(practitioner=person, campaign=self.campaign)
        values = {f: diff.python_value(f, v) for f, v in diff.record_values(person).items()}
        if mobile:
            values["mobile"] = mobile  # a correction made online
        collection_services.submit_application(
            practitioner=person, actor=person.account, values=values, revision=application.revision
        )
