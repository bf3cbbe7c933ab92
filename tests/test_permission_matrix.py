"""Who may open or post to every URL of the site: one matrix, built from the URL configuration.

Every named URL must have at least one case here: a URL added without one makes
`test_every_url_has_a_case` fail. Each case is tried by every persona, each request in its own
savepoint, rolled back after it, so that one persona's successful POST does not change what
the next one meets.

Personas: a visitor, practitioner A and practitioner B, the clerk and the admin of county A and
of county B, and city staff. The records are county A's: practitioner A with a submitted
application and a photo, another of A's people confirmed at the counter, a notice for A.
"""

import datetime
import shutil
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from business.models import EducationRecord
from collection import services as collection_services
from collection.models import Campaign, Notice
from practitioners import reports
from practitioners.constants import Role
from practitioners.models import Bureau
from practitioners.registerfile import Problem, Problems
from tests.conftest import activate
from tests.factories import PractitionerFactory, UserFactory
from tests.helpers import all_ticks, confirm, jpeg_bytes, make_submitted, submit

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "practitioner",
    "other_practitioner",
    "clerk_a",
    "admin_a",
    "clerk_b",
    "admin_b",
    "city_staff",
)
STAFF = ("clerk_a", "admin_a", "clerk_b", "admin_b", "city_staff")
PRACTITIONERS = ("practitioner", "other_practitioner")

# Django's admin has its own permission system (is_staff, model permissions): tested in
# tests/test_admin.py.
EXCLUDED_NAMESPACES = ("admin",)


def expect(default: int, **by_persona: int) -> dict[str, int]:
    return {persona: by_persona.get(persona, default) for persona in PERSONAS}


def staff_page(**overrides) -> dict[str, int]:
    """Any staff member: 200; practitioners refused; visitors sent to log in."""
    return expect(
        200, **({"anonymous": 302, "practitioner": 403, "other_practitioner": 403} | overrides)
    )


def county_a_record(**overrides) -> dict[str, int]:
    """A page about one of county A's people: A's staff and the city; county B gets 404."""
    return staff_page(**({"clerk_b": 404, "admin_b": 404} | overrides))


def county_a_decision(ok: int) -> dict[str, int]:
    """A counter decision on county A's application: A's clerk only."""
    return county_a_record(clerk_a=ok, admin_a=403, city_staff=403)


def practitioner_page(**overrides) -> dict[str, int]:
    return expect(
        403, **({"anonymous": 302, "practitioner": 200, "other_practitioner": 200} | overrides)
    )


ADMIN_ONLY = staff_page(clerk_a=403, clerk_b=403)
CITY_ONLY = staff_page(clerk_a=403, admin_a=403, clerk_b=403, admin_b=403)


@dataclass
class Case:
    url: str  # namespace:name
    expected: dict[str, int]
    method: str = "get"
    args: tuple[str, ...] = ()  # names of World attributes
    query: dict = field(default_factory=dict)
    data: str | None = None  # name of a World method giving the POST data

    @property
    def id(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"{self.method.upper()} {self.url}{query}"


CASES = [
    # The project's own pages and Django's account pages
    Case("home", expect(302)),
    Case("favicon", expect(301)),
    Case("health", expect(200)),
    Case("login", expect(302, anonymous=200)),
    Case("logout", expect(302), method="post"),
    Case("password_reset", expect(200)),
    Case("password_reset_done", expect(200)),
    Case("password_reset_confirm", expect(200), args=("uid", "token")),
    Case("password_reset_complete", expect(200)),
    Case("set_language", expect(302), method="post", data="language"),
    Case("care_mode", expect(302), method="post", data="care"),
    Case("care_mode", expect(405)),
    Case("idle_status", expect(200)),  # {"left": 0} for anyone not watched
    Case("idle_status", expect(200), method="post"),
    Case("my_data", practitioner_page()),
    Case("my_data_json", practitioner_page()),
    Case("my_data_pdf", practitioner_page()),
    Case("processing_record", CITY_ONLY),
    Case("two_factor", staff_page()),
    Case("two_factor_enrolment_codes", CITY_ONLY),
    Case("two_factor_enrolment_codes", CITY_ONLY, method="post", data="enrolment_account"),
    # no second factor set up: sent to set one up
    Case("two_factor_verify", staff_page(**dict.fromkeys(STAFF, 302))),
    # The register
    Case("practitioners:list", staff_page()),
    Case("practitioners:detail", county_a_record(), args=("practitioner_pk",)),
    Case("practitioners:create", staff_page()),
    Case("business:register_import", ADMIN_ONLY),
    Case("practitioners:import_template", ADMIN_ONLY),
    # admin_a's own report: nobody else's to open
    Case(
        "practitioners:import_problems",
        staff_page(clerk_a=403, clerk_b=403, admin_b=404, city_staff=404),
        args=("report_token",),
    ),
    Case("practitioners:export", ADMIN_ONLY),
    Case("practitioners:export", ADMIN_ONLY, query={"format": "csv"}),
    Case("practitioners:bureau_overview", staff_page()),
    Case("practitioners:audit", CITY_ONLY),
    Case("practitioners:audit", CITY_ONLY, query={"format": "csv"}),
    # Collection: accounts, the practitioner's own pages
    Case("collection:activate", expect(302, anonymous=200)),
    Case("collection:reset_with_code", expect(200)),
    Case("collection:form_stylesheet", expect(200)),  # the print page's stylesheet
    Case("collection:home", practitioner_page()),
    Case("collection:application", practitioner_page()),
    Case("collection:photo_upload", practitioner_page()),
    # B has nothing submitted: sent back to the home page
    Case("collection:application_pdf", practitioner_page(other_practitioner=302)),
    Case("collection:application_print", practitioner_page(other_practitioner=302)),
    # B's POST leaves A's notice alone (test_a_practitioner_dismisses_only_their_own_notices)
    Case(
        "collection:dismiss_notice",
        practitioner_page(practitioner=302, other_practitioner=302),
        method="post",
        args=("notice_pk",),
    ),
    Case(
        "collection:photo",
        county_a_record(practitioner=200, other_practitioner=404),
        args=("photo_pk",),
    ),
    # Collection: staff pages about A's person
    Case("collection:staff_application", county_a_record(), args=("practitioner_pk",)),
    Case("collection:staff_application_pdf", county_a_record(), args=("practitioner_pk",)),
    Case(
        "collection:issue_reset_code",
        county_a_record(admin_a=403, city_staff=403),
        method="post",
        args=("practitioner_pk",),
    ),
    Case("collection:move", CITY_ONLY, args=("practitioner_pk",)),
    Case(
        "collection:move",
        staff_page(clerk_a=403, admin_a=403, clerk_b=403, admin_b=403, city_staff=302),
        method="post",
        args=("practitioner_pk",),
        data="move",
    ),
    # After confirmation: neither practitioner is confirmed, so the gate refuses both (403)
    Case("collection:change", practitioner_page(practitioner=403, other_practitioner=403)),
    Case(
        "collection:change",
        practitioner_page(practitioner=403, other_practitioner=403),
        method="post",
    ),
    Case("collection:change_pdf", practitioner_page(practitioner=302, other_practitioner=302)),
    Case("collection:change_print", practitioner_page(practitioner=302, other_practitioner=302)),
    Case("collection:contact", practitioner_page(practitioner=403, other_practitioner=403)),
    Case(
        "collection:contact",
        practitioner_page(practitioner=403, other_practitioner=403),
        method="post",
    ),
    Case("business:on_post", practitioner_page(practitioner=403, other_practitioner=403)),
    Case(
        "business:on_post",
        practitioner_page(practitioner=403, other_practitioner=403),
        method="post",
    ),
    Case("business:education", practitioner_page(practitioner=403, other_practitioner=403)),
    Case("business:decisions", staff_page()),
    Case("business:decisions", staff_page(), query={"bureau": "450103"}),
    Case(
        "business:decide",
        county_a_decision(302),
        method="post",
        args=("registration_kind", "registration_pk"),
        data="approval",
    ),
    Case("business:flagged", staff_page()),
    Case("business:flagged_export", staff_page(), args=("list_format",)),
    Case("collection:campaigns", staff_page()),
    Case("collection:pending_pool", CITY_ONLY, args=("campaign_pk",)),
    # the campaign's deadline is ahead: city staff are told the pool is not open yet (400)
    Case(
        "collection:pending_pool",
        staff_page(clerk_a=403, admin_a=403, clerk_b=403, admin_b=403, city_staff=400),
        method="post",
        args=("campaign_pk",),
    ),
    Case("collection:campaign_new", CITY_ONLY),
    Case("collection:campaign_edit", CITY_ONLY, args=("campaign_pk",)),
    Case(
        "collection:campaign_edit",
        staff_page(clerk_a=403, admin_a=403, clerk_b=403, admin_b=403, city_staff=302),
        method="post",
        args=("campaign_pk",),
        data="campaign_form",
    ),
    # The counter
    Case("confirmation:counter", staff_page()),
    Case("confirmation:queue", staff_page()),
    # only city staff pick another bureau; the others see their own queue
    Case("confirmation:queue", staff_page(), query={"bureau": "450103"}),
    Case("confirmation:review", county_a_record(), args=("application_pk",)),
    Case(
        "confirmation:confirm",
        county_a_decision(302),
        method="post",
        args=("application_pk",),
        data="ticks",
    ),
    Case(
        "confirmation:return",
        county_a_decision(302),
        method="post",
        args=("application_pk",),
        data="return_reason",
    ),
    Case(
        "confirmation:correct",
        county_a_decision(302),
        method="post",
        args=("application_pk",),
        data="correction",
    ),
    # A collection cannot be closed without a decision: its clerk is told so (400); no one else
    # gets that far.
    Case(
        "confirmation:close",
        county_a_decision(400),
        method="post",
        args=("application_pk",),
        data="revision_only",
    ),
    Case(
        "confirmation:certificate",
        county_a_decision(200),
        method="post",
        args=("confirmation_pk",),
    ),
    Case("confirmation:print_settings", ADMIN_ONLY),
    Case("confirmation:calibration", staff_page(), method="post"),
    Case("confirmation:calibration", expect(405)),  # printing writes a log: never on a GET
    Case("confirmation:day_sheet", staff_page()),
    Case("confirmation:day_sheet", staff_page(), query={"format": "pdf"}),
    # Progress reporting: county A's pages; the city's supervision; the public bulletins
    Case(
        "reporting:dashboard",
        staff_page(clerk_a=302, admin_a=302, clerk_b=302, admin_b=302),  # to their own county
    ),
    Case("reporting:definitions", expect(200)),
    Case("reporting:bureau", county_a_record(), args=("county_a_code",)),
    Case("reporting:people", county_a_record(), args=("county_a_code", "figure")),
    Case(
        "reporting:people_export",
        county_a_record(),
        args=("county_a_code", "figure", "list_format"),
    ),
    Case("reporting:plan", county_a_record(), args=("county_a_code",)),
    Case(
        "reporting:plan",
        county_a_record(clerk_a=403, admin_a=302, city_staff=403),
        method="post",
        args=("county_a_code",),
        data="plan_upload",
    ),
    Case(
        "reporting:plan_decide",
        county_a_record(clerk_a=403, admin_a=403, city_staff=302),
        method="post",
        args=("county_a_code",),
        data="plan_decision",
    ),
    Case(
        "reporting:plan_paper",
        county_a_record(clerk_a=403, admin_a=403, city_staff=302),
        method="post",
        args=("county_a_code",),
        data="paper",
    ),
    Case("reporting:plan_file", county_a_record(), args=("county_a_code", "plan_version")),
    Case("reporting:sheet", county_a_record(), args=("county_a_code", "this_week")),
    Case(
        "reporting:sheet",
        county_a_record(clerk_a=403, admin_a=302, city_staff=403),
        method="post",
        args=("county_a_code", "this_week"),
        data="sheet_notes",
    ),
    Case(
        "reporting:sheet_decide",
        county_a_record(clerk_a=403, admin_a=403, city_staff=302),
        method="post",
        args=("county_a_code", "submitted_week"),
        data="sheet_decision",
    ),
    Case("reporting:publish", CITY_ONLY),
    Case(
        "reporting:publish",
        staff_page(clerk_a=403, admin_a=403, clerk_b=403, admin_b=403, city_staff=302),
        method="post",
        data="publish_week",
    ),
    # Last week: the publish case above only reaches its preview (no confirm), never publishes.
    Case("reporting:publish_preview", CITY_ONLY, args=("preview_week",)),
    Case("reporting:bulletins", expect(200)),
    Case("reporting:bulletin", expect(200), args=("campaign_pk", "bulletin_week")),
    Case(
        "reporting:bulletin_file",
        expect(200),
        args=("campaign_pk", "bulletin_week", "bulletin_format"),
    ),
]


def named_urls(patterns=None, prefix: str = ""):
    """Every named URL of the URL configuration, as namespace:name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from named_urls(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_url_has_a_case():
    assert set(named_urls()) - {case.url for case in CASES} == set()
    assert {case.url for case in CASES} - set(named_urls()) == set()


class World:
    """County A's records that the cases open, and what their forms post: the personas and
    records of tests.conftest's fixtures (account_a, account_b, the staff, submitted_a), built
    here because the module builds them once for all its cases (see `shared_world`)."""

    def __init__(self):
        county_a = Bureau.objects.get(code="450103")
        county_b = Bureau.objects.get(code="450102")
        city = Bureau.objects.get(code="450100")
        today = timezone.localdate()
        Campaign.objects.create(  # the active campaign (the application finds it)
            name="测试采集",
            start_date=today - datetime.timedelta(weeks=3),
            plan_due_date=today - datetime.timedelta(weeks=1),
            collection_due_date=today + datetime.timedelta(weeks=4),
            is_active=True,
        )
        practitioner_a = PractitionerFactory(bureau=county_a, name="韦丽芳")
        practitioner_b = PractitionerFactory(bureau=county_b, name="黄志坚")
        self.users = {
            "practitioner": activate(practitioner_a, email="a@example.com"),
            "other_practitioner": activate(practitioner_b),
            "clerk_a": UserFactory(
                username="clerk_a", role=Role.CLERK, bureau=county_a, display_name="青秀受理员"
            ),
            "admin_a": UserFactory(username="admin_a", role=Role.BUREAU_ADMIN, bureau=county_a),
            "clerk_b": UserFactory(username="clerk_b", role=Role.CLERK, bureau=county_b),
            "admin_b": UserFactory(username="admin_b", role=Role.BUREAU_ADMIN, bureau=county_b),
            "city_staff": UserFactory(username="city_staff", role=Role.CITY_STAFF, bureau=city),
        }
        collection_services.set_application_photo(
            practitioner=practitioner_a, actor=self.users["practitioner"], data=jpeg_bytes()
        )
        self.application = submit(practitioner_a, self.users["practitioner"])
        self.application_pk = self.application.pk
        self.practitioner_pk = self.application.practitioner_id
        self.photo_pk = self.application.photo_id
        self.campaign = self.application.campaign
        self.campaign_pk = self.campaign.pk
        self.county_a = county_a
        confirmed = make_submitted(county_a, self.campaign, 1)[0]
        self.confirmation_pk = confirm(confirmed, self.users["clerk_a"]).pk
        self.registration_kind = "education"
        self.registration_pk = EducationRecord.objects.create(
            practitioner=confirmed.practitioner, year=2025, hours=24, provider="学会"
        ).pk
        self.county_b_pk = county_b.pk
        self.notice_pk = Notice.objects.create(
            user=self.users["practitioner"], application=self.application, subject="s", body="b"
        ).pk
        problems = Problems()
        problems.append(Problem(2, "证件号码", "x", "reason"))
        self.report_token = reports.keep_report(user=self.users["admin_a"], problems=problems)
        self.uid, self.token = "MQ", "set-password"
        self.plan = self._filed_plan()
        # Another city account, that city staff may issue a second-factor enrolment code for.
        self.enrolment_account_pk = UserFactory(
            username="city_second", role=Role.CITY_STAFF, bureau=city
        ).pk

    def enrolment_account(self) -> dict:
        return {"account": self.enrolment_account_pk}

    def language(self) -> dict:
        return {"language": "en", "next": "/"}

    def care(self) -> dict:
        return {"care_mode": "1", "next": "/"}

    def ticks(self) -> dict:
        return {"revision": self.application.revision, **all_ticks(self.application)}

    def revision_only(self) -> dict:
        return {"revision": self.application.revision}

    def approval(self) -> dict:
        return {"action": "approve"}

    def return_reason(self) -> dict:
        return {"revision": self.application.revision, "reason": "photo", "note": ""}

    def correction(self) -> dict:
        return {
            "revision": self.application.revision,
            "field": "major",
            "value": "会计学（更正）",
            "reason": "录入错字",
        }

    def move(self) -> dict:
        return {"bureau": self.county_b_pk, "reason": "证书转入兴宁区"}

    def campaign_form(self) -> dict:
        c = self.campaign
        return {
            "name": c.name,
            "start_date": c.start_date.isoformat(),
            "plan_due_date": c.plan_due_date.isoformat(),
            "collection_due_date": c.collection_due_date.isoformat(),
            "report_weekday": c.report_weekday,
            "report_hour": c.report_hour,
            "pending_grace_days": c.pending_grace_days,
            "active": "on",
        }

    # Progress reporting: county A's plan (filed) and last week's sheet (submitted); a bulletin
    # of the week before, published only for the cases that open it (it draws charts).
    county_a_code = "450103"
    figure = "waiting"
    list_format = "csv"
    bulletin_format = "pdf"
    plan_version = 1

    @property
    def this_week(self) -> str:
        from reporting import weeks

        return str(weeks.current_week(self.campaign))

    @property
    def submitted_week(self) -> str:
        from reporting import services, weeks

        week = weeks.current_week(self.campaign).previous()
        sheet = services.sheet_for(campaign=self.campaign, bureau=self.county_a, week=week)
        services.submit_sheet(
            sheet=sheet,
            actor=self.users["admin_a"],
            notes={"staff": "2人"},
            revision=sheet.revision,
        )
        return str(week)

    @property
    def preview_week(self) -> str:
        from reporting import weeks

        return str(weeks.current_week(self.campaign).previous())

    @property
    def bulletin_week(self) -> str:
        from reporting import services, weeks

        week = weeks.current_week(self.campaign).previous().previous()
        services.publish_bulletin(campaign=self.campaign, week=week, actor=self.users["city_staff"])
        return str(week)

    def _filed_plan(self):
        from reporting import services
        from tests.helpers import PLAN_PDF

        return services.file_work_plan(
            campaign=self.campaign,
            bureau=self.county_a,
            actor=self.users["admin_a"],
            data=PLAN_PDF,
            file_name="方案.pdf",
            summary="宣传、人员、进度安排",
            revision=None,
        )

    def plan_upload(self) -> dict:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.helpers import PLAN_PDF

        class Rewound(SimpleUploadedFile):  # posted by every persona in turn
            def read(self, *args):
                self.seek(0)
                return super().read(*args)

        return {
            "file": Rewound("方案.pdf", PLAN_PDF, "application/pdf"),
            "summary": "宣传、人员、进度安排",
            "revision": self.plan.revision,
        }

    def plan_decision(self) -> dict:
        return {"decision": "acknowledged", "comments": "", "revision": self.plan.revision}

    def paper(self) -> dict:
        return {"received": "1"}

    def sheet_notes(self) -> dict:
        return {
            "staff": "张三",
            "counter_days": "",
            "problems": "",
            "next_week": "",
            "revision": 0,
            "save": "1",
        }

    def sheet_decision(self) -> dict:
        return {"decision": "accepted", "feedback": "", "revision": 1}

    def publish_week(self) -> dict:
        from reporting import weeks

        return {"week": str(weeks.current_week(self.campaign).previous())}


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, world_media):
    """The World, built once for the module's cases (building it was most of each case's time),
    in a transaction rolled back after the last test. Each test's own transaction nests inside
    it as a savepoint, and each persona's request in one more, so no case sees what another
    wrote: the records reach every case as the World left them."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=world_media),
        translation.override("en"),  # as tests.conftest's english_messages
    ):
        outer = transaction.atomic()
        outer.__enter__()
        world = World()
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    return shared_world


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path, world_media):
    """Each test a copy of the World's files (its photo, plan and report) in a MEDIA_ROOT of its
    own, as tests.conftest gives every test: what one case stores does not reach the next."""
    settings.MEDIA_ROOT = shutil.copytree(world_media, tmp_path / "media")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_permission_matrix(client, world, case):
    url = reverse(case.url, args=[getattr(world, name) for name in case.args])
    data = getattr(world, case.data)() if case.data else {}
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        with transaction.atomic():
            if case.method == "get":
                response = client.get(url, case.query)
            else:
                response = client.post(url + ("?" if case.query else ""), data)
            got[persona] = response.status_code
            transaction.set_rollback(True)
    assert got == case.expected


def test_a_practitioner_dismisses_only_their_own_notices(client, world):
    notice = Notice.objects.create(
        user=world.users["practitioner"], application=world.application, subject="s", body="b"
    )
    client.force_login(world.users["other_practitioner"])
    client.post(reverse("collection:dismiss_notice", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is None
