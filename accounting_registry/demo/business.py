"""The demo's fourth chapter: business after a confirmation. Practitioners register continuing
education and on-post work, which the clerks approve; some change their mobile number or their
employer; city staff move people between bureaus.

`BusinessActs` is mixed into the demo (campaign.Demo), which gives it the story, the clock's
`now`, the seed, each person's record key and bureau (`pk_of`, `bureau_of`) and the staff users;
`_person` comes from applications.ApplicantActs.
"""

import datetime
import functools
import random

from django.utils import timezone

from business import services as business_services
from business.constants import RegistrationStatus
from business.models import EducationRecord, OnPostRegistration
from collection import diff
from collection import services as collection_services
from practitioners.models import Bureau, Practitioner

from .applications import Plan
from .clock import counter_time, office_time

NEW_EMPLOYER = "广西北部湾会计师事务所有限公司"


class BusinessActs:
    """What confirmed people do next, and the city's moves."""

    def business(self, plans: dict[int, Plan]) -> None:
        confirmed = [i for i, p in plans.items() if p.outcome == "confirmed"]
        rng = random.Random(self.seed + 7)
        for n, index in enumerate(confirmed):
            pk = self.pk_of[index]
            start = plans[index].starts + datetime.timedelta(days=6)
            if start >= self.now - datetime.timedelta(days=1):
                continue
            if n % 5 == 1:  # continuing education, approved the next working day or waiting
                registered = start + datetime.timedelta(days=rng.randint(0, 10), hours=3)
                if registered < self.now:
                    self.story.at(
                        registered, functools.partial(self.education, pk, rng.choice((12, 24, 36)))
                    )
                    decided = counter_time(registered, rng, self.now)
                    if decided < self.now - datetime.timedelta(days=2):
                        self.story.at(decided, functools.partial(self.approve, pk, EducationRecord))
            if n % 11 == 3:  # a new job: on-post registration
                registered = start + datetime.timedelta(days=rng.randint(1, 12), hours=5)
                if registered < self.now:
                    self.story.at(registered, functools.partial(self.on_post, pk, None))
                    decided = counter_time(registered, rng, self.now)
                    if decided < self.now - datetime.timedelta(days=3):
                        self.story.at(
                            decided, functools.partial(self.approve, pk, OnPostRegistration)
                        )
            if n % 17 == 2:  # a new mobile number, at once
                self.story.at(
                    start + datetime.timedelta(days=2), functools.partial(self.new_mobile, pk)
                )
        # City staff move two people of 青秀区: one confirmed, one waiting at the counter.
        moved = office_time(self.now, days_ago=9, hour=11)
        for outcome, to in (("confirmed", "450102"), ("waiting", "450105")):
            index = next(
                (
                    i
                    for i, p in plans.items()
                    if p.outcome == outcome
                    and self.bureau_of[i] == "450103"
                    and p.starts < moved - datetime.timedelta(days=5)
                ),
                None,
            )
            if index is not None:
                self.story.at(moved, functools.partial(self.move, self.pk_of[index], to))
        # The second confirmed person of 青秀区 changes employer, and registers on-post with the
        # same employer: both wait, and both review screens say they overlap.
        qingxiu = [
            i
            for i in confirmed
            if self.bureau_of[i] == "450103"
            and plans[i].starts < self.now - datetime.timedelta(days=12)
        ]
        if len(qingxiu) > 1:
            pk = self.pk_of[qingxiu[1]]
            self.story.at(
                office_time(self.now, days_ago=1, hour=10),
                functools.partial(self.change_employer, pk),
            )
            self.story.at(
                office_time(self.now, days_ago=1, hour=15),
                functools.partial(self.on_post, pk, NEW_EMPLOYER),
            )

    def _collected(self, pk: int) -> Practitioner | None:
        """The person, if their collection is confirmed (the gate of later business): a plan's
        business waits for a confirmation that came late."""
        person = self._person(pk)
        return person if person.confirmed_at and not person.is_pending else None

    def education(self, pk: int, hours: int) -> None:
        person = self._collected(pk)
        if person is None:
            return
        business_services.register_education(
            practitioner=person,
            actor=person.account,
            values={
                "year": timezone.localdate().year,
                "hours": hours,
                "provider": "南宁市会计学会",
                "content": "企业会计准则解读",
            },
        )

    def on_post(self, pk: int, employer: str | None) -> None:
        person = self._collected(pk)
        if (
            person is None
            or OnPostRegistration.objects.filter(
                practitioner=person, status=RegistrationStatus.SUBMITTED
            ).exists()
        ):
            return
        business_services.register_on_post(
            practitioner=person,
            actor=person.account,
            values={
                "employer": employer or f"南宁市{person.name[0]}氏商贸有限公司",
                "employer_credit_code": "",
                "post": "会计主管" if employer else "会计",
                "start_date": timezone.localdate() - datetime.timedelta(days=14),
            },
        )

    def approve(self, pk: int, model) -> None:
        registration = (
            model.objects.filter(practitioner_id=pk, status=RegistrationStatus.SUBMITTED)
            .select_related("practitioner__bureau")
            .first()
        )
        if registration is not None:
            clerk = self.users[f"clerk_{registration.practitioner.bureau.code}"]
            business_services.approve_registration(registration=registration, actor=clerk)

    def new_mobile(self, pk: int) -> None:
        person = self._collected(pk)
        if person is None:
            return
        collection_services.change_contact(
            practitioner=person,
            actor=person.account,
            values={
                "mobile": f"137{person.pk:08d}",
                "email": person.email,
                "address": person.address,
                "postcode": person.postcode,
            },
        )

    def change_employer(self, pk: int) -> None:
        person = self._collected(pk)
        if person is None:
            return
        values = {f: diff.python_value(f, v) for f, v in diff.record_values(person).items()}
        values.update(employer=NEW_EMPLOYER, position="审计助理")
        collection_services.submit_change(
            practitioner=person, actor=person.account, values=values, revision=0
        )

    def move(self, pk: int, to: str) -> None:
        collection_services.move_practitioner(
            practitioner=self._person(pk),
            bureau=Bureau.objects.get(code=to),
            actor=self.users["city"],
            reason="证书档案转入",
        )
