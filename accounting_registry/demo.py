"""The demo (`seed_demo`): a city's register and a campaign seven weeks in, told through the
product's own services on a controlled clock (time-machine).

Nothing here writes a row itself. The register is imported from a file as a bureau would; people
activate accounts, save drafts, upload photos and submit; the counters confirm and return,
correct nothing, and confirm again; city staff move people; practitioners register on-post and
continuing education and change their records; county admins file work plans and weekly sheets;
the city decides them and publishes bulletins; the cron job freezes each week's figures. Each
act runs at its moment in the past, in order, so that every record, application, confirmation,
figure, sheet and bulletin is what the product itself leaves behind, and the demo cannot
disagree with it.

Two shortcuts, both outside what the figures count: accounts are hashed with a fast hasher while
the story is told and all given one Argon2 hash of the demo password at the end (hashing each
would take a minute), and background tasks (printed forms, emails) are not queued: a download
renders its form the first time (the submissions are all older than the ten minutes a download
waits for the worker).
"""

import csv
import datetime
import functools
import io
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from business import services as business_services
from business.constants import RegistrationStatus
from business.models import EducationRecord, OnPostRegistration
from collection import diff
from collection import services as collection_services
from collection.demo import CAMPAIGN_NAME, OLD_CAMPAIGN_NAME, demo_photo
from collection.models import Application, Campaign
from confirmation import services as counter_services
from core import spreadsheets
from core.pdf import render_html_to_pdf
from practitioners import registerfile
from practitioners import services as register_services
from practitioners.constants import Role
from practitioners.demo import DEMO_PASSWORD, demo_people
from practitioners.models import Bureau, Practitioner, User
from reporting import permissions as reporting_permissions
from reporting import services as reporting_services
from reporting import weeks
from reporting.constants import SheetStatus

REGISTER_AGE_DAYS = 120  # the register was imported from the old system before the campaign
# Share of the register per outcome: draft, waiting at the counter, returned, confirmed (some of
# these returned once and resubmitted); the rest have not started.
SHARES = (0.04, 0.07, 0.02, 0.17)
RETURN_REASONS = ("photo", "seal", "education")
# When the halls are open (周一至周五 8:00-12:00，15:00-18:00): the counters decide then.
COUNTER_HOURS = (8, 9, 10, 11, 15, 16, 17)
_FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_NO_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
_IMPORT_ROWS = 20_000


# --- Telling the story ------------------------------------------------------------------------


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


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def office_time(now: datetime.datetime, *, days_ago: int, hour: int) -> datetime.datetime:
    """A working day's `hour`, `days_ago` days before now (earlier still if that is a weekend
    or not yet past): when staff and most people are at their desks."""
    day = timezone.localtime(now).date() - datetime.timedelta(days=days_ago)
    moment = _aware(day, hour)
    while day.weekday() >= 5 or moment >= now - datetime.timedelta(minutes=10):
        day -= datetime.timedelta(days=1)
        moment = _aware(day, hour)
    return moment


def counter_time(after: datetime.datetime, rng: random.Random, now) -> datetime.datetime:
    """One to three working days later, in the hall's opening hours, and in the past."""
    day = timezone.localtime(after).date() + datetime.timedelta(days=rng.choice((1, 2, 3)))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    moment = _aware(day, rng.choice(COUNTER_HOURS), rng.randint(0, 59))
    return min(moment, now - datetime.timedelta(minutes=30))


# --- The people and their accounts --------------------------------------------------------------


def staff_accounts(bureaus: list[Bureau]) -> list[tuple[str, str, str]]:
    """The demo's staff accounts, one password for all (hashed once): the city's, a clerk of
    every bureau, an admin of every county, and Django's superuser. (user name, role, bureau)"""
    password = make_password(DEMO_PASSWORD)
    city = next(b for b in bureaus if b.is_city)
    wanted = [
        ("admin", None, city, "系统管理员"),
        ("city", Role.CITY_STAFF, city, "市会计管理科 李科长"),
    ]
    for bureau in bureaus:
        wanted.append((f"clerk_{bureau.code}", Role.CLERK, bureau, f"{bureau.short_name}受理员"))
        if not bureau.is_city:
            wanted.append(
                (
                    f"admin_{bureau.code}",
                    Role.BUREAU_ADMIN,
                    bureau,
                    f"{bureau.short_name}会计管理股",
                )
            )
    rows = []
    for username, role, bureau, display in wanted:
        superuser = role is None
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.CITY_STAFF if superuser else role,
                "bureau": bureau,
                "display_name": display,
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        label = "superuser (Django admin)" if superuser else str(user.get_role_display())
        rows.append((username, label, bureau.name))
    return rows


def register_file(people: list[dict], earlier: dict[str, dict]) -> bytes:
    """The old system's export, as a bureau would import it: the register's columns and, for
    some people, the business they did before the system (上岗日期, 继续教育学时)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*registerfile.HEADERS, "上岗日期", "继续教育学时"])
    for person in people:
        before = earlier.get(person["id_number"], {})
        since = before.get("on_post_since")
        hours = "；".join(f"{year}:{h}" for year, h in before.get("education_hours", []))
        row = [*registerfile.record_to_row(person), since.isoformat() if since else "", hours]
        writer.writerow(spreadsheets.csv_row(row))
    return out.getvalue().encode("utf-8")


def import_register(count: int, *, codes: list[str], earlier_share: Callable[[int], dict]) -> int:
    """Import those of people 0..count the register does not hold yet (the others may have
    been moved or corrected since); returns how many are new."""
    created = 0
    for start in range(0, count, _IMPORT_ROWS):
        stop = min(start + _IMPORT_ROWS, count)
        people = list(demo_people(start, stop, codes))
        held = set(
            Practitioner.objects.filter(id_number__in=[p["id_number"] for p in people]).values_list(
                "id_number", flat=True
            )
        )
        people = [p for p in people if p["id_number"] not in held]
        if not people:
            continue
        earlier = {}
        for i, person in enumerate(demo_people(start, stop, codes), start=start):
            before = earlier_share(i) if person["id_number"] not in held else {}
            if before:
                earlier[person["id_number"]] = before
        result = register_services.import_register(
            actor=None, data=register_file(people, earlier), filename="旧系统导出.csv"
        )
        if not result.ok:
            raise RuntimeError(f"the demo register does not import: {list(result.problems)[:3]}")
        created += result.created
    return created


# --- What each applicant does ---------------------------------------------------------------------


@dataclass
class Plan:
    """One applicant's path through the campaign, drawn from their own dice."""

    index: int
    outcome: str  # draft, waiting, returned, confirmed
    starts: datetime.datetime
    returned_once: bool = False  # a confirmed (or waiting) applicant who was returned first
    corrects_mobile: bool = False


def _plan(index: int, start: datetime.datetime, span: float, seed: int) -> Plan | None:
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


def _earlier_business(index: int, plan: Plan | None) -> dict:
    """Business before the system carried by the import: a third of those who will confirm,
    and every 25th of the first 2,000 people (most of whom never collect: the flagged list)."""
    rng = random.Random(index * 31 + 5)
    if not (
        (plan and plan.outcome == "confirmed" and index % 3 == 0)
        or (index < 2000 and index % 25 == 0)
    ):
        return {}
    since = datetime.date(rng.randint(2008, 2020), rng.randint(1, 12), 1)
    return {
        "on_post_since": since,
        "education_hours": [
            (year, rng.choice((24, 36, 48))) for year in range(max(since.year, 2021), 2026)
        ],
    }


class Demo:
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
        opened = _aware(start, 9)
        span = max((self.now - opened).total_seconds() - 4 * 86400, 3600)
        plans = {}
        for index in range(self.count):
            plan = _plan(index, opened, span, self.seed)
            if plan is not None and (self.limit is None or len(plans) < self.limit):
                plans[index] = plan
        with time_machine.travel(loaded, tick=False):
            import_register(
                self.count,
                codes=self.codes,
                earlier_share=lambda i: _earlier_business(i, plans.get(i)),
            )
        self.users = {u.username: u for u in User.objects.exclude(role=Role.PRACTITIONER)}
        with time_machine.travel(_aware(start - datetime.timedelta(days=3), 10), tick=False):
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

    # --- Applicants -------------------------------------------------------------------------

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

    def _waiting(self, pk: int) -> Application:
        return Application.objects.select_related("practitioner", "bureau").get(
            practitioner_id=pk, campaign=self.campaign
        )

    def _clerk(self, application: Application) -> User:
        return self.users[f"clerk_{application.bureau.code}"]

    def confirm(self, pk: int) -> None:
        application = self._waiting(pk)
        changes = counter_services.decision_changes(application, application.latest_submission)
        ticks = counter_services.required_ticks(
            data=application.latest_submission.data, changes=changes, kind=application.kind
        )
        counter_services.confirm_at_counter(
            application=application,
            actor=self._clerk(application),
            checklist={key for key, _label in ticks},
            revision=application.revision,
        )
        self.counts["confirmations"] += 1

    def return_(self, pk: int, reason: str) -> None:
        application = self._waiting(pk)
        counter_services.return_at_counter(
            application=application,
            actor=self._clerk(application),
            reason=reason,
            revision=application.revision,
        )
        self.counts["returns"] += 1

    # --- Business after confirmation ------------------------------------------------------

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

    # --- Progress reporting -------------------------------------------------------------------

    def reporting(self) -> None:
        counties = [b for b in self.bureaus if reporting_permissions.reports(b)]
        self.plans(counties)
        campaign = self.campaign
        # The cron job: each week's drafts on Monday 00:05, and the past weeks' figures frozen.
        for week in weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, self.now)):
            self.story.at(_aware(week.monday, 0, 5), functools.partial(self.cron, week))
        past = []
        for k, week in enumerate(
            weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, self.now))
        ):
            cutoff = weeks.cutoff(campaign, week)
            if cutoff >= self.now:
                # Two counties already sent this week's notes, in office hours since the last
                # cut-off.
                sent = max(
                    office_time(self.now, days_ago=0, hour=10),
                    weeks.cutoff(campaign, week.previous()) + datetime.timedelta(hours=1),
                )
                for i, county in enumerate(counties):
                    if (i * 7 + k * 3) % 10 in (0, 4):
                        self.story.at(sent, functools.partial(self.sheet, county, week, "submit"))
                continue
            past.append(week)
            last_past = weeks.cutoff(campaign, week.next()) >= self.now
            for i, county in enumerate(counties):
                roll = (i * 7 + k * 3) % 10
                if roll == 0:
                    continue  # never submitted
                submitted = (
                    cutoff + datetime.timedelta(days=1, hours=1)
                    if roll == 1
                    else cutoff - datetime.timedelta(hours=4)
                )
                self.story.at(submitted, functools.partial(self.sheet, county, week, "submit"))
                decided = submitted + datetime.timedelta(days=1)
                if roll in (2, 5):
                    self.story.at(decided, functools.partial(self.sheet, county, week, "return"))
                    if last_past and roll == 5:
                        continue  # returned, not resubmitted yet
                    self.story.at(
                        decided + datetime.timedelta(hours=5),
                        functools.partial(self.sheet, county, week, "submit"),
                    )
                    decided += datetime.timedelta(days=1)
                if not last_past and decided < self.now:
                    self.story.at(decided, functools.partial(self.sheet, county, week, "accept"))
        # The two weeks before the last are published; the last is the city's to publish.
        for week in past[-3:-1]:
            self.story.at(
                weeks.cutoff(campaign, week) + datetime.timedelta(days=1, hours=16),
                functools.partial(self.publish, week),
            )

    def plans(self, counties: list[Bureau]) -> None:
        start, _due = self.dates()
        due = start + datetime.timedelta(days=14)
        for i, county in enumerate(counties):
            if i == 3:
                continue  # never filed: overdue
            filed = _aware(start + datetime.timedelta(days=2 + i % 6), 10)
            if i == 7:
                filed = _aware(due + datetime.timedelta(days=2), 15)  # late, not decided yet
            if filed >= self.now:
                continue
            self.story.at(filed, functools.partial(self.file_plan, county, "file"))
            if i == 7:
                continue
            decided = filed + datetime.timedelta(days=1, hours=2)
            if i in (1, 9):
                self.story.at(decided, functools.partial(self.decide_plan, county, "returned"))
                if i == 9:  # filed again, waiting for the city
                    self.story.at(
                        decided + datetime.timedelta(days=1),
                        functools.partial(self.file_plan, county, "again"),
                    )
            else:
                self.story.at(decided, functools.partial(self.decide_plan, county, "acknowledged"))
                if i % 2 == 0:
                    self.story.at(
                        decided + datetime.timedelta(days=2),
                        functools.partial(self.plan_paper, county),
                    )

    def _plan(self, county: Bureau):
        from reporting.models import WorkPlan

        return WorkPlan.objects.filter(campaign=self.campaign, bureau=county).first()

    def file_plan(self, county: Bureau, which: str) -> None:
        plan = self._plan(county)
        reporting_services.file_work_plan(
            campaign=self.campaign,
            bureau=county,
            actor=self.users[f"admin_{county.code}"],
            data=_plan_pdf(county.short_name, f"{self.campaign.collection_due_date:%m月%d日}"),
            file_name=f"{county.short_name}信息采集工作方案{'（修改稿）' if which == 'again' else ''}.pdf",
            summary=PLAN_SUMMARY,
            revision=plan.revision if plan else None,
        )

    def decide_plan(self, county: Bureau, decision: str) -> None:
        plan = self._plan(county)
        reporting_services.decide_work_plan(
            plan=plan,
            actor=self.users["city"],
            decision=decision,
            comments="请补充受理窗口的人员安排和每周进度目标。" if decision == "returned" else "",
            revision=plan.revision,
        )

    def plan_paper(self, county: Bureau) -> None:
        reporting_services.record_plan_paper(
            plan=self._plan(county), actor=self.users["city"], received=True
        )

    def cron(self, week: weeks.Week) -> None:
        reporting_services.generate_progress_sheets(campaign=self.campaign, week=week)

    def sheet(self, county: Bureau, week: weeks.Week, act: str) -> None:
        sheet = reporting_services.sheet_for(campaign=self.campaign, bureau=county, week=week)
        if act == "submit":
            reporting_services.submit_sheet(
                sheet=sheet,
                actor=self.users[f"admin_{county.code}"],
                notes=SHEET_NOTES,
                revision=sheet.revision,
            )
            self.counts["sheets"] += 1
        else:
            reporting_services.decide_sheet(
                sheet=sheet,
                actor=self.users["city"],
                decision=SheetStatus.RETURNED if act == "return" else SheetStatus.ACCEPTED,
                feedback="请补充受理窗口的人员安排和下周的具体计划后重报。"
                if act == "return"
                else "",
                revision=sheet.revision,
            )

    def publish(self, week: weeks.Week) -> None:
        reporting_services.publish_bulletin(
            campaign=self.campaign, week=week, actor=self.users["city"]
        )
        self.counts["bulletins"] += 1


NEW_EMPLOYER = "广西北部湾会计师事务所有限公司"
PLAN_SUMMARY = "宣传动员到人、会计管理股专人负责，窗口每周二、周四集中确认，按周报送进度。"
SHEET_NOTES = {
    "staff": "会计管理股2人，受理窗口1人",
    "counter_days": "周二、周四全天",
    "problems": "部分持证人员联系方式已变更，正在逐一核实。",
    "next_week": "继续电话通知未采集人员，到乡镇宣传。",
}
_PLAN_HTML = """<html lang="zh-CN"><head><style>
@page {{ size: A4; margin: 25mm 20mm; }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.7; }}
h1 {{ font-size: 16pt; text-align: center; }}
</style></head><body>
<h1>{bureau}会计从业人员信息采集工作方案</h1>
<p>为做好会计从业人员信息采集工作，根据南宁市财政局的通知要求，结合本地实际，制定本方案。</p>
<h2>一、宣传动员</h2><p>通过单位通知、短信和门户网站，动员本系统全部持证人员（含不在会计岗位的持证人员）上网修改录入个人基本信息。</p>
<h2>二、组织分工</h2><p>会计管理股负责组织实施，受理窗口每周二、周四集中办理确认，专人负责电话提醒。</p>
<h2>三、进度安排</h2><p>按周报送进度表，{due}前完成全部采集确认工作。</p>
</body></html>"""


@functools.cache
def _plan_pdf(bureau_name: str, due: str) -> bytes:
    return render_html_to_pdf(_PLAN_HTML.format(bureau=bureau_name, due=due))


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
