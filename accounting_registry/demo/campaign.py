"""The demo's story as a whole: the campaign seven weeks in, from the register's import to
today. `Demo` plans every chapter's acts on one story (clock.Story) and tells it in one
transaction; `seed` is the entry point of `seed_demo`.
"""

import datetime

import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from collection import services as collection_services
from collection.demo import CAMPAIGN_NAME, OLD_CAMPAIGN_NAME
from collection.models import Campaign
from practitioners.constants import Role
from practitioners.demo import DEMO_PASSWORD, demo_people
from practitioners.models import Bureau, Practitioner, User

from .applications import ApplicantActs, draw_plan
from .business import BusinessActs
from .clock import Story, aware
from .counter import CounterActs
from .register import REGISTER_AGE_DAYS, earlier_business, import_register, staff_accounts
from .reporting_weeks import ReportingActs

_FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_NO_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


class Demo(ApplicantActs, CounterActs, BusinessActs, ReportingActs):
    """The campaign's story, from the register's import to today."""

    def __init__(self, *, practitioners: int, applications: int | None, seed: int = 2011):
        self.count = practitioners
        self.limit = applications
        self.seed = seed
        self.now = timezone.now()
        self.story = Story(self.now)
        self.bureaus = list(Bureau.objects.order_by("code"))
        self.codes = [b.code for b in self.bureaus]
        self.users: dict[str, User] = {}
        self.counts = {
            "applicants": 0,
            "confirmations": 0,
            "returns": 0,
            "sheets": 0,
            "bulletins": 0,
        }

    # The campaign: seven weeks in, five weeks to the deadline.
    def dates(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        start = today - datetime.timedelta(weeks=7, days=today.weekday())
        return start, start + datetime.timedelta(weeks=12)

    def tell(self) -> dict[str, int]:
        start, due = self.dates()
        loaded = self.now - datetime.timedelta(days=REGISTER_AGE_DAYS)
        opened = aware(start, 9)
        span = max((self.now - opened).total_seconds() - 4 * 86400, 3600)
        plans = {}
        for index in range(self.count):
            plan = draw_plan(index, opened, span, self.seed)
            if plan is not None and (self.limit is None or len(plans) < self.limit):
                plans[index] = plan
        with time_machine.travel(loaded, tick=False):
            import_register(
                self.count,
                codes=self.codes,
                earlier_share=lambda i: earlier_business(i, plans.get(i)),
            )
        self.users = {u.username: u for u in User.objects.exclude(role=Role.PRACTITIONER)}
        with time_machine.travel(aware(start - datetime.timedelta(days=3), 10), tick=False):
            self.campaign = collection_services.save_campaign(
                campaign=None,
                values={
                    "name": CAMPAIGN_NAME,
                    "start_date": start,
                    "plan_due_date": start + datetime.timedelta(days=14),
                    "collection_due_date": due,
                    "active": True,
                },
                actor=self.users["city"],
            )
            collection_services.save_campaign(
                campaign=None,
                values={
                    "name": OLD_CAMPAIGN_NAME,
                    "start_date": datetime.date(2011, 5, 16),
                    "plan_due_date": datetime.date(2011, 6, 2),
                    "collection_due_date": datetime.date(2011, 6, 30),
                    "active": False,
                },
                actor=self.users["city"],
            )
        register = list(demo_people(0, self.count, self.codes))
        held = dict(
            Practitioner.objects.filter(
                id_number__in=[p["id_number"] for p in register]
            ).values_list("id_number", "pk")
        )
        # Person number i: their record's key and their bureau as imported.
        self.pk_of = {i: held[p["id_number"]] for i, p in enumerate(register)}
        self.bureau_of = {i: p["bureau_code"] for i, p in enumerate(register)}
        for index, plan in plans.items():
            self.applicant(self.pk_of[index], plan)
        self.counts["applicants"] = len(plans)
        self.reporting()
        self.business(plans)
        # One transaction: thousands of acts, each committed alone, would each wait for the disk.
        with (
            override_settings(PASSWORD_HASHERS=_FAST_HASHER, TASKS=_NO_TASKS),
            transaction.atomic(),
        ):
            self.story.tell()
        # Every practitioner's account gets the demo password, hashed once (see above).
        User.objects.filter(role=Role.PRACTITIONER, password__startswith="md5$").update(
            password=make_password(DEMO_PASSWORD)
        )
        return self.counts


def seed(*, practitioners: int, applications: int | None = None) -> dict[str, int] | None:
    """The demo: the staff accounts, the register of `practitioners` people and, the first
    time, the campaign's story. Idempotent: a second run imports only people not yet held and
    tells nothing again. Returns the story's counts, or None when it was told before."""
    bureaus = list(Bureau.objects.order_by("code"))
    staff_accounts(bureaus)
    with translation.override("zh-hans"):
        if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
            codes = [b.code for b in bureaus]
            import_register(practitioners, codes=codes, earlier_share=lambda i: {})
            return None
        return Demo(practitioners=practitioners, applications=applications).tell()
