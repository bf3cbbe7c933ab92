"""Three weeks of two county bureaus, counted by hand from the definitions, against every place a
figure is shown: each weekly sheet (its page and its stored figures), each bulletin (its rows, its
page, its PDF and its Excel file), the county pages' "last week" column and the city dashboard.

The campaign's cut-off is Friday 17:00 (Asia/Shanghai), so a week counts (Fri 17:00, Fri 17:00]:
  W49 = (11-27 17:00, 12-04 17:00]   W50 = (12-04 17:00, 12-11 17:00]   W51 = (12-11 17:00, 12-18 17:00]
The deadline is 12-09; with 2 grace days the pending pool opens 12-12 00:00 and is moved on 12-14:
W51, the pool's week, is the campaign's last.

A = 青秀区 (450103), B = 兴宁区 (450102). The people (in post = 是否在岗 when imported):
  A1 A2 A4 A7 A9 A11 A14 in post; A3 A5 A6 A8 A10 A12 A13 not.
  B1 B3 B7 B9 B11 in post; the rest not. B11 joins the register in W50.

TIMELINE below is the scenario: each row is run at its moment (time_machine), in order. The
expected figures (WEEKS, LIVE) were counted by hand from this table and the definitions, never by
the product's figure functions; the comments beside them name the people counted.
"""

import datetime
import io
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from business import services as business_services
from collection import services as collection_services
from collection.models import Application, Campaign
from confirmation import services as counter_services
from practitioners import imports as register_imports
from practitioners.constants import Role
from practitioners.models import Bureau, Practitioner
from reporting import services as reporting_services
from reporting import weeks
from reporting.models import Bulletin, ProgressSheet
from tests.conftest import activate
from tests.factories import UserFactory, person_values
from tests.helpers import confirm, csv_bytes, jpeg_bytes, submit, submit_change

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")
CODES = {"A": "450103", "B": "450102"}
NAMES = {"A": "青秀区", "B": "兴宁区"}
IN_POST = {
    **{f"A{n}": n in (1, 2, 4, 7, 9, 11, 14) for n in range(1, 15)},
    **{f"B{n}": n in (1, 3, 7, 9, 11) for n in range(1, 12)},
}

# moment (12-04 17:00 = 2026-12-04 17:00 Asia/Shanghai), who, act, on what
TIMELINE = [
    ("11-27 09:00", "city_staff", "opens the campaign", ""),
    ("11-27 10:00", "operator", "imports the register", "A1-A14 B1-B10"),
    # --- W49 ---
    ("12-01 09:00", "A1", "submits", ""),
    ("12-01 09:10", "A2", "submits", ""),
    ("12-01 09:20", "A3", "submits", ""),
    ("12-01 09:30", "A4", "submits", ""),
    ("12-01 10:00", "A9", "submits", ""),
    ("12-01 10:00", "B5", "submits", ""),
    ("12-01 11:00", "A11", "submits", ""),
    ("12-01 12:00", "A13", "submits", ""),
    ("12-01 13:00", "B1", "submits", ""),
    ("12-02 09:00", "A5", "submits", ""),
    ("12-02 10:00", "clerk_a", "returns", "A4"),
    ("12-02 10:00", "A10", "submits", ""),
    ("12-02 10:00", "clerk_b", "confirms", "B5"),
    ("12-02 11:00", "A6", "uploads a photo", ""),
    ("12-02 11:00", "clerk_a", "confirms", "A13"),
    ("12-02 12:00", "A9", "takes the application back to draft", ""),
    ("12-02 12:30", "admin_a", "opens the county page", "A"),  # the first week: no last week
    ("12-02 14:00", "A12", "submits", ""),
    ("12-03 09:00", "A4", "edits the returned application", ""),
    ("12-03 09:00", "A14", "submits", ""),
    ("12-03 09:00", "clerk_b", "confirms", "B1"),
    ("12-03 10:00", "clerk_a", "corrects the major", "A5"),
    ("12-03 10:00", "B2", "submits", ""),
    ("12-03 10:00", "admin_a", "re-imports the row of", "A8 with 是否在岗=是"),
    ("12-03 10:05", "clerk_a", "confirms", "A5"),
    ("12-03 11:00", "clerk_a", "returns", "A12"),
    ("12-03 15:00", "admin_a", "submits the sheet", "A W49"),  # early
    ("12-04 16:59:00", "clerk_a", "confirms", "A1"),  # after A's sheet, before the cut-off
    ("12-04 16:59:30", "admin_a", "opens the sheet", "A W49"),  # provisional
    ("12-04 17:00:00", "clerk_a", "confirms", "A2"),  # on the dot: W49
    # --- W50 ---
    ("12-04 17:01:00", "clerk_a", "confirms", "A3"),  # a minute late: W50
    ("12-05 09:00", "admin_a", "opens the sheet", "A W49"),  # final, not yet stored
    ("12-07 09:00", "admin_b", "submits the sheet", "B W49"),  # late
    ("12-07 10:00", "A4", "submits", ""),  # again, after the return
    ("12-07 10:00", "city_staff", "returns the sheet", "B W49"),
    ("12-07 10:30", "admin_b", "opens the sheet", "B W49"),
    ("12-07 11:00", "B6", "submits", ""),
    ("12-07 11:00", "city_staff", "accepts the sheet", "A W49"),
    ("12-07 15:00", "admin_b", "submits the sheet", "B W49"),  # again, new notes
    ("12-07 16:00", "city_staff", "publishes the bulletin", "W49"),
    ("12-07 16:30", "city_staff", "opens the dashboard", ""),
    ("12-07 16:30", "admin_a", "opens the county page", "A"),
    ("12-07 16:30", "admin_b", "opens the county page", "B"),
    ("12-08 09:00", "admin_a", "re-imports the row of", "A7 with 是否在岗=否"),
    ("12-08 09:30", "clerk_a", "confirms", "A11"),
    ("12-08 09:30", "admin_b", "imports a new holder", "B11"),
    ("12-08 10:00", "A12", "edits the returned application", ""),
    ("12-08 10:00", "B4", "uploads a photo", ""),
    ("12-08 11:00", "city_staff", "moves to B", "A10"),  # waiting
    ("12-08 11:30", "clerk_b", "returns", "B6"),
    ("12-09 09:00", "B7", "submits", ""),
    ("12-09 09:10", "B8", "submits", ""),
    ("12-09 09:20", "B9", "submits", ""),
    ("12-09 10:00", "A13", "submits an information change", ""),
    ("12-09 10:30", "clerk_a", "confirms the information change", "A13"),
    ("12-09 11:00", "city_staff", "moves to B", "A11"),  # confirmed the day before
    ("12-10 10:00", "clerk_a", "confirms", "A4"),
    ("12-10 11:00", "clerk_b", "confirms", "A10"),  # B's counter, A10 is B's now
    ("12-11 12:00", "admin_a", "submits the sheet", "A W50"),
    ("12-11 16:30", "admin_b", "submits the sheet", "B W50"),  # early
    ("12-11 16:59:00", "clerk_b", "confirms", "B9"),
    ("12-11 17:00:00", "clerk_b", "confirms", "B7"),  # on the dot: W50
    # --- W51, the pool's week ---
    ("12-11 17:01:00", "clerk_b", "confirms", "B8"),  # a minute late: W51
    ("12-14 00:05", "cron", "runs generate_progress_sheets", ""),
    ("12-14 09:00", "city_staff", "publishes the bulletin", "W50"),
    ("12-14 10:00", "city_staff", "moves the unconfirmed into the pending pool", ""),
    ("12-14 10:30", "city_staff", "opens the dashboard", ""),
    ("12-14 10:30", "admin_a", "opens the county page", "A"),
    ("12-14 10:30", "admin_b", "opens the county page", "B"),
    ("12-14 11:00", "city_staff", "accepts the sheet", "B W50"),
    ("12-15 09:00", "B10", "submits", ""),  # from the pool
    ("12-15 10:00", "clerk_a", "confirms", "A14"),  # out of the pool
    ("12-15 10:30", "city_staff", "opens the dashboard", ""),
    ("12-15 14:00", "A13", "registers on a post", ""),
    ("12-15 15:00", "clerk_a", "approves the on-post registration", "A13"),
    ("12-16 10:00", "clerk_b", "confirms", "B10"),  # out of the pool
    ("12-16 11:00", "city_staff", "moves to A", "B5"),  # confirmed in W49
    ("12-18 10:00", "admin_a", "submits the sheet", "A W51"),
    # --- after the last cut-off: the campaign is closed ---
    ("12-19 09:00", "admin_b", "submits the sheet", "B W51"),  # late
    ("12-19 12:00", "city_staff", "publishes the bulletin", "W51"),
    ("12-19 13:00", "city_staff", "opens the dashboard", ""),
    ("12-19 13:00", "admin_a", "opens the county page", "A"),
    ("12-19 13:00", "admin_b", "opens the county page", "B"),
    *[
        ("12-19 13:00", "city_staff", "opens the sheet", f"{b} {w}")
        for b in "AB"
        for w in ("W49", "W50", "W51")
    ],
    *[("12-19 13:00", "visitor", "reads the bulletin", w) for w in ("W49", "W50", "W51")],
]

KEYS = (
    "holders",
    "in_post",
    "not_started",
    "draft",
    "waiting",
    "returned",
    "confirmed_week",
    "moved_in",
    "moved_out",
    "confirmed",
    "pending",
)


def figures(
    holders, in_post, not_started, draft, waiting, returned, week, moved, confirmed, pending
):
    """A hand count, in the order of the definitions; moved = (in, out). The rate is its
    definition: confirmed in total / holders."""
    counted = dict(
        holders=holders,
        in_post=in_post,
        not_started=not_started,
        draft=draft,
        waiting=waiting,
        returned=returned,
        confirmed_week=week,
        moved_in=moved[0],
        moved_out=moved[1],
        confirmed=confirmed,
        pending=pending,
    )
    return {**counted, "rate": round(confirmed / holders, 4) if holders else 0.0}


NOTHING = figures(0, 0, 0, 0, 0, 0, 0, (0, 0), 0, 0)

# Each week at its cut-off.       holders in_post not_st draft waiting returned  week  moved   conf pend
WEEKS = {
    "W49": {
        # in post A1 A2 A4 A7 A9 A11 A14 + A8 (re-imported); not started A7 A8; draft A6, A9
        # (taken back); waiting A3 A10 A11 A14; returned A4 (being edited) A12; confirmed A1
        # (16:59) A2 (17:00:00) A5 (corrected first) A13.
        "A": figures(14, 8, 2, 2, 4, 2, 4, (0, 0), 4, 0),
        # in post B1 B3 B7 B9; waiting B2; confirmed B1 B5; the 7 others not started.
        "B": figures(10, 4, 7, 0, 1, 0, 2, (0, 0), 2, 0),
    },
    "W50": {
        # A10 A11 moved out: 14 - 2. In post 8 - A7 (re-imported) - A11 (moved). Not started
        # A7 A8; draft A6 A9; waiting A14; returned A12 (edited, not resubmitted); confirmed A1-A5
        # A13; this week A3 (17:01 last Friday) A4 (resubmitted) A11 (then moved out).
        # 4 + 3 + 0 in - 1 out = 6.
        "A": figures(12, 6, 2, 2, 1, 1, 3, (0, 1), 6, 0),
        # 10 + A10 + A11 + B11 (imported). In post 4 + A11 + B11. Not started B3 B10 B11; draft
        # B4; waiting B2 B8; returned B6; confirmed B1 B5 B7 (17:00:00) B9 (16:59) A10 (submitted
        # in A, confirmed at B's counter) A11 (moved in). 2 + 3 + 1 - 0 = 6.
        "B": figures(13, 6, 3, 1, 2, 1, 3, (1, 0), 6, 0),
    },
    "W51": {
        # B5 moved in. In post + A13 (on-post registration). Confirmed + A14, who leaves the
        # pool, + B5; the pool keeps A6 A7 A8 A9 A12. 6 + 1 + 1 - 0 = 8.
        "A": figures(13, 7, 2, 2, 0, 1, 1, (1, 0), 8, 5),
        # B5 moved out. Confirmed + B8 (17:01 last Friday) + B10 (submitted from the pool, which
        # B10 leaves) - B5; the pool keeps B2 B3 B4 B6 B11. 6 + 2 + 0 - 1 = 7.
        "B": figures(12, 6, 2, 1, 1, 1, 2, (0, 1), 7, 5),
    },
}
# The whole city (the other eleven bureaus hold nobody).
TOTALS = {
    "W49": figures(24, 12, 9, 2, 5, 2, 6, (0, 0), 6, 0),
    "W50": figures(25, 12, 5, 3, 3, 2, 6, (1, 1), 12, 0),
    "W51": figures(25, 13, 4, 3, 1, 2, 3, (1, 1), 15, 10),
}

# Live figures at a moment; "this week" counts from the last cut-off.
LIVE = {
    # A: not started A7 A8 A12 A14; draft A6 A9; waiting A1 A2 A3 A5 A10 A11; returned A4;
    # confirmed A13. B: waiting B1; confirmed B5.
    "12-02 12:30": {
        "A": figures(14, 7, 4, 2, 6, 1, 1, (0, 0), 1, 0),
        "B": figures(10, 4, 8, 0, 1, 0, 1, (0, 0), 1, 0),
    },
    # A: A3 confirmed (17:01), A4 waiting again. B: B6 waiting.
    "12-07 16:30": {
        "A": figures(14, 8, 2, 2, 4, 1, 1, (0, 0), 5, 0),
        "B": figures(10, 4, 6, 0, 2, 0, 0, (0, 0), 2, 0),
    },
    # Just after the pool's move: A6 A7 A8 A9 A12 A14 / B2 B3 B4 B6 B10 B11. B8 (17:01 last
    # Friday) is this week's.
    "12-14 10:30": {
        "A": figures(12, 6, 2, 2, 1, 1, 0, (0, 0), 6, 6),
        "B": figures(13, 6, 3, 1, 1, 1, 1, (0, 0), 7, 6),
    },
    # A14 confirmed: out of the pool at once. B10 submitted: waiting, still in the pool.
    "12-15 10:30": {
        "A": figures(12, 6, 2, 2, 0, 1, 1, (0, 0), 7, 5),
        "B": figures(13, 6, 2, 1, 2, 1, 1, (0, 0), 7, 6),
    },
    "12-19 13:00": WEEKS["W51"],  # closed: nothing happened after the last cut-off
}

# A's W49 sheet at 12-04 16:59:30, submitted at 15:00 the day before: provisional, with A1's
# confirmation of 16:59 (made after the submission) and not yet A2's of 17:00.
A_W49_PROVISIONAL = figures(14, 8, 2, 2, 5, 2, 3, (0, 0), 3, 0)

# How each bulletin ranks the bureaus and what it says of each county's sheet at publication.
RANKS = {week: {"A": 1, "B": 2} for week in WEEKS}  # 4/14 > 2/10, 6/12 > 6/13, 8/13 > 7/12
OTHERS_RANK = 3  # the eleven bureaus at 0.0%, tied
SHEET_STATES = {
    "W49": {"A": ("accepted", False), "B": ("submitted", True)},
    "W50": {"A": ("submitted", False), "B": ("submitted", False)},
    "W51": {"A": ("submitted", False), "B": ("submitted", True)},
}
# The change of rate since the week before, from the hand counts (none in the first week).
RATE_CHANGES = {
    "W49": {"A": None, "B": None, "total": None},
    "W50": {"A": 6 / 12 - 4 / 14, "B": 6 / 13 - 2 / 10, "total": 12 / 25 - 6 / 24},
    "W51": {"A": 8 / 13 - 6 / 12, "B": 7 / 12 - 6 / 13, "total": 15 / 25 - 12 / 25},
}

NOTES = {
    "staff": "韦丽芳、黄志坚",
    "counter_days": "周二、周四",
    "problems": "无",
    "next_week": "下乡",
}
NEW_NOTES = {**NOTES, "counter_days": "周一至周五每天上午"}


def at(moment: str) -> datetime.datetime:
    """'12-04 17:00' or '12-04 17:00:00' as a moment of 2026 in Asia/Shanghai."""
    day, time = moment.split()
    month, date = map(int, day.split("-"))
    parts = [int(p) for p in time.split(":")] + [0]
    return datetime.datetime(2026, month, date, parts[0], parts[1], parts[2], tzinfo=ZONE)


def week_of(name: str) -> weeks.Week:
    return weeks.Week(2026, int(name[1:]))


# --- Reading what a page shows --------------------------------------------------------------


class Tables(HTMLParser):
    """Every table of a page: its rows, each a (section, [cell text]) pair."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.section, self.row, self.cell = [], "", None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append((self.section, self.row))
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, number: int = 0, section: str = "tbody") -> list[list[str]]:
    return [cells for part, cells in Tables(html).tables[number] if part == section]


def count_text(value: int) -> str:
    return f"{value:,}"


def rate_text(value: float) -> str:
    return f"{value * 100:.1f}%"


def points_text(change: float | None) -> str:
    """A change of rate as the bulletin page, its PDF and the county page show it: in
    percentage points, the unit written out."""
    if change is None:
        return "—"
    points = round(change * 100, 1)
    return ("0.0" if points == 0 else f"{points:+.1f}".replace("-", "−")) + " 个百分点"


# The order in which the sheet and the county page list the figures (the definitions page's).
PAGE_ORDER = [*KEYS[:6], "confirmed_week", "moved_in", "moved_out", "confirmed", "pending", "rate"]


def as_text(counted: dict) -> list[str]:
    """The figures as a page lists them, in PAGE_ORDER."""
    return [
        rate_text(counted["confirmed"] / counted["holders"])
        if key == "rate"
        else count_text(counted[key])
        for key in PAGE_ORDER
    ]


def shown(figures_object) -> dict:
    """What an object of figures says, by the definitions' names, the rate to 4 places."""
    values = {key: getattr(figures_object, key) for key in KEYS}
    return {**values, "rate": round(figures_object.rate, 4)}


def stored(data: dict) -> dict:
    return {**{key: data[key] for key in KEYS}, "rate": round(data["rate"], 4)}


# --- The scenario -----------------------------------------------------------------------------


class Scenario:
    """Runs TIMELINE and keeps what each page showed when it was opened."""

    def __init__(self):
        self.staff = {
            "clerk_a": ("clerk_a", Role.CLERK, "A"),
            "clerk_b": ("clerk_b", Role.CLERK, "B"),
            "admin_a": ("admin_a", Role.BUREAU_ADMIN, "A"),
            "admin_b": ("admin_b", Role.BUREAU_ADMIN, "B"),
        }
        self.bureaus = {key: Bureau.objects.get(code=code) for key, code in CODES.items()}
        self.users = {
            name: UserFactory(username=username, role=role, bureau=self.bureaus[bureau])
            for name, (username, role, bureau) in self.staff.items()
        }
        self.users["city_staff"] = UserFactory(
            username="city_staff", role=Role.CITY_STAFF, bureau=Bureau.objects.get(code="450100")
        )
        self.people: dict[str, int] = {}
        self.accounts: dict = {}
        self.campaign: Campaign | None = None
        self.pages: dict[tuple, dict] = {}
        self.registrations: dict = {}

    def run(self):
        for moment, who, act, what in TIMELINE:
            with time_machine.travel(at(moment), tick=False):
                act = getattr(self, "do_" + act.replace(" ", "_").replace("-", "_"))
                act(who, what, moment=moment)

    # People and their applications

    def person(self, label: str) -> Practitioner:
        return Practitioner.objects.get(pk=self.people[label])

    def application(self, label: str) -> Application:
        return Application.objects.get(practitioner_id=self.people[label], campaign=self.campaign)

    def do_opens_the_campaign(self, who, what, **_):
        self.campaign = collection_services.save_campaign(
            campaign=None,
            values={
                "name": "情景采集",
                "start_date": datetime.date(2026, 11, 30),
                "plan_due_date": datetime.date(2026, 12, 4),
                "collection_due_date": datetime.date(2026, 12, 9),
                "report_weekday": 5,
                "report_hour": 17,
                "pending_grace_days": 2,
                "active": True,
            },
            actor=self.users[who],
        )

    def do_imports_the_register(self, who, what, **_):
        """Adds the people named (A1-A14 B1-B10, or B11) to the register by its import."""
        labels = []
        for part in what.split():
            first, _dash, last = part.partition("-")
            numbers = range(int(first[1:]), int((last or first)[1:]) + 1)
            labels += [f"{first[0]}{n}" for n in numbers]
        records = {}
        for label in labels:
            in_post = IN_POST[label]
            values = person_values(self.bureaus[label[0]], in_accounting_post=in_post)
            if in_post and not values["employer"]:  # the rules ask a person in post for one
                values.update(employer="南宁市会计服务有限公司", position="会计")
            records[label] = values
        actor = None if who == "operator" else self.users[who]
        result = register_imports.import_register(
            actor=actor, data=csv_bytes(list(records.values()))
        )
        assert result.ok and not result.problems, list(result.problems)
        for label, values in records.items():
            person = Practitioner.objects.get(id_number=values["id_number"])
            self.people[label] = person.pk
            self.accounts[label] = activate(person)

    do_imports_a_new_holder = do_imports_the_register

    def do_uploads_a_photo(self, who, what, **_):
        collection_services.set_application_photo(
            practitioner=self.person(who), actor=self.accounts[who], data=jpeg_bytes()
        )

    def do_submits(self, who, what, **_):
        application = Application.objects.filter(
            practitioner_id=self.people[who], campaign=self.campaign
        ).first()
        if application is None or application.photo_id is None:
            self.do_uploads_a_photo(who, what)
        submit(self.person(who), self.accounts[who])

    def do_takes_the_application_back_to_draft(self, who, what, **_):
        application = self.application(who)
        collection_services.save_draft(
            practitioner=self.person(who),
            actor=self.accounts[who],
            data=application.data,
            revision=application.revision,
        )

    do_edits_the_returned_application = do_takes_the_application_back_to_draft

    def do_confirms(self, who, what, **_):
        confirm(self.application(what), self.users[who])

    def do_returns(self, who, what, **_):
        application = self.application(what)
        counter_services.return_at_counter(
            application=application,
            actor=self.users[who],
            reason="photo",
            revision=application.revision,
        )

    def do_corrects_the_major(self, who, what, **_):
        application = self.application(what)
        counter_services.correct_at_counter(
            application=application,
            actor=self.users[who],
            field="major",
            value="会计学（更正）",
            reason="录入错字",
            revision=application.revision,
        )

    def do_moves_to_A(self, who, what, **_):
        collection_services.move_practitioner(
            practitioner=self.person(what),
            bureau=self.bureaus["A"],
            actor=self.users[who],
            reason="证书转入青秀区",
        )

    def do_moves_to_B(self, who, what, **_):
        collection_services.move_practitioner(
            practitioner=self.person(what),
            bureau=self.bureaus["B"],
            actor=self.users[who],
            reason="证书转入兴宁区",
        )

    def do_re_imports_the_row_of(self, who, what, **_):
        """The person's register row as it stands, with 是否在岗 changed (test_one_writer's way)."""
        label, change = what.split(" with ")
        person = self.person(label)
        row = {f.name: getattr(person, f.name) for f in Practitioner._meta.concrete_fields}
        row |= {"bureau_code": person.bureau.code, "in_accounting_post": change.endswith("=是")}
        result = register_imports.import_register(actor=self.users[who], data=csv_bytes([row]))
        assert result.ok and result.written, list(result.problems)

    def do_submits_an_information_change(self, who, what, **_):
        submit_change(self.person(who), self.accounts[who], major="审计学（变更）")

    def do_confirms_the_information_change(self, who, what, **_):
        change = Application.objects.get(practitioner_id=self.people[what], campaign=None)
        confirm(change, self.users[who])

    def do_registers_on_a_post(self, who, what, **_):
        self.registrations[who] = business_services.register_on_post(
            practitioner=self.person(who),
            actor=self.accounts[who],
            values={
                "employer": "南宁市新单位有限公司",
                "post": "会计",
                "start_date": datetime.date(2026, 12, 14),
            },
        )

    def do_approves_the_on_post_registration(self, who, what, **_):
        business_services.approve_registration(
            registration=self.registrations[what], actor=self.users[who]
        )

    def do_moves_the_unconfirmed_into_the_pending_pool(self, who, what, **_):
        collection_services.move_unconfirmed_to_pending(
            campaign=self.campaign, actor=self.users[who]
        )

    # Sheets and bulletins

    def sheet(self, what: str) -> ProgressSheet:
        bureau, week = what.split()
        return reporting_services.sheet_for(
            campaign=self.campaign, bureau=self.bureaus[bureau], week=week_of(week)
        )

    def do_submits_the_sheet(self, who, what, **_):
        sheet = self.sheet(what)
        notes = NEW_NOTES if sheet.status == "returned" else NOTES
        reporting_services.submit_sheet(
            sheet=sheet, actor=self.users[who], notes=notes, revision=sheet.revision
        )

    def decide(self, who, what, decision):
        sheet = self.sheet(what)
        reporting_services.decide_sheet(
            sheet=sheet,
            actor=self.users[who],
            decision=decision,
            feedback="请写明窗口受理的天数。" if decision == "returned" else "",
            revision=sheet.revision,
        )

    def do_returns_the_sheet(self, who, what, **_):
        self.decide(who, what, "returned")

    def do_accepts_the_sheet(self, who, what, **_):
        self.decide(who, what, "accepted")

    def do_runs_generate_progress_sheets(self, who, what, moment, **_):
        call_command("generate_progress_sheets", stdout=io.StringIO())
        self.pages[("stored sheets", moment)] = {
            (sheet.bureau.code, sheet.week): sheet.figures
            for sheet in ProgressSheet.objects.filter(campaign=self.campaign).select_related(
                "bureau"
            )
        }

    def do_publishes_the_bulletin(self, who, what, **_):
        reporting_services.publish_bulletin(
            campaign=self.campaign, week=week_of(what), actor=self.users[who]
        )

    # Pages, as their users see them at the moment

    def open(self, who, url):
        client = Client()
        if who != "visitor":
            client.force_login(self.users[who])  # inside the moment: sessions last 8 hours
        response = client.get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        return response

    def do_opens_the_sheet(self, who, what, moment, **_):
        bureau, week = what.split()
        response = self.open(
            who, reverse("reporting:sheet", args=[CODES[bureau], str(week_of(week))])
        )
        context = response.context
        self.pages[("sheet", what, moment)] = {
            "figures": shown(context["figures"]),
            "rows": [(d.key, value) for d, value in context["figure_rows"]],
            "frozen": context["frozen"],
            "as_of": context["as_of"],
            "status": context["sheet"].status if context["sheet"] else None,
            "html": response.content.decode(),
        }

    def do_opens_the_county_page(self, who, what, moment, **_):
        response = self.open(who, reverse("reporting:bureau", args=[CODES[what]]))
        comparison = response.context["comparison"]
        self.pages[("county", what, moment)] = {
            "now": {row["definition"].key: row["now"] for row in comparison},
            "then": {row["definition"].key: row["then"] for row in comparison},
            "html": response.content.decode(),
        }

    def do_opens_the_dashboard(self, who, what, moment, **_):
        response = self.open(who, reverse("reporting:dashboard"))
        self.pages[("dashboard", moment)] = {
            "rows": {r.bureau.code: shown(r.figures) for r in response.context["rows"]},
            "total": shown(response.context["total"]),
            "html": response.content.decode(),
        }

    def do_reads_the_bulletin(self, who, what, **_):
        args = [self.campaign.pk, str(week_of(what))]
        page = self.open(who, reverse("reporting:bulletin", args=args))
        files = {
            fmt: b"".join(
                self.open(
                    who, reverse("reporting:bulletin_file", args=[*args, fmt])
                ).streaming_content
            )
            for fmt in ("pdf", "xlsx")
        }
        self.pages[("bulletin", what)] = {"html": page.content.decode(), **files}


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker, tmp_path_factory):
    """The timeline, run once for the module inside a transaction rolled back at its end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("scenario-media")),
        translation.override("en"),
        transaction.atomic(),
    ):
        cache.clear()
        story = Scenario()
        story.run()
        yield story
        transaction.set_rollback(True)
        cache.clear()


# --- The hand count itself ------------------------------------------------------------------


def test_the_hand_count_obeys_the_definitions_it_is_checked_against():
    """Holders = not started + in progress + waiting + returned + confirmed, and confirmed in total
    = last week's + confirmed this week + moved in − moved out; the city is the sum of the two."""
    last = {"A": 0, "B": 0}
    for week, counties in WEEKS.items():
        for key, counted in counties.items():
            parts = ("not_started", "draft", "waiting", "returned", "confirmed")
            assert counted["holders"] == sum(counted[p] for p in parts), (week, key)
            flow = counted["confirmed_week"] + counted["moved_in"] - counted["moved_out"]
            assert counted["confirmed"] == last[key] + flow, (week, key)
            last[key] = counted["confirmed"]
        for name in KEYS:
            assert TOTALS[week][name] == counties["A"][name] + counties["B"][name], (week, name)
    for moment, counties in LIVE.items():
        for key, counted in counties.items():
            parts = ("not_started", "draft", "waiting", "returned", "confirmed")
            assert counted["holders"] == sum(counted[p] for p in parts), (moment, key)


# --- Sheets ---------------------------------------------------------------------------------


def test_a_sheet_submitted_early_shows_provisional_figures_of_the_moment_until_its_cut_off(
    scenario,
):
    page = scenario.pages[("sheet", "A W49", "12-04 16:59:30")]
    assert page["status"] == "submitted" and page["frozen"] is False
    assert page["figures"] == A_W49_PROVISIONAL
    assert page["as_of"] == at("12-04 16:59:30")


def test_after_its_cut_off_a_sheet_shows_the_final_figures_before_anything_stores_them(scenario):
    page = scenario.pages[("sheet", "A W49", "12-05 09:00")]
    assert page["frozen"] is True and page["as_of"] == at("12-04 17:00")
    assert page["figures"] == WEEKS["W49"]["A"]


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
@pytest.mark.parametrize("county", ["A", "B"])
def test_every_sheet_page_shows_the_hand_counted_figures_of_its_week(scenario, county, week):
    page = scenario.pages[("sheet", f"{county} {week}", "12-19 13:00")]
    expected = WEEKS[week][county]
    cutoff = weeks.cutoff(scenario.campaign, week_of(week))
    assert page["frozen"] is True and page["as_of"] == cutoff
    assert page["figures"] == expected
    # The table the admin reads: one row per figure, in the definitions' order.
    assert [key for key, _value in page["rows"]] == PAGE_ORDER
    assert [cells[-1] for cells in table_rows(page["html"])] == as_text(expected)


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
def test_every_sheet_stores_the_figures_at_its_cut_off_early_late_or_returned(scenario, week):
    """A's W49 was submitted a day early, B's W49 late, returned and submitted again; every sheet
    of every county keeps the week's figures at its cut-off (the other counties hold nobody)."""
    cutoff = weeks.cutoff(scenario.campaign, week_of(week))
    sheets = ProgressSheet.objects.filter(campaign=scenario.campaign, week=str(week_of(week)))
    found = {sheet.bureau.code: sheet for sheet in sheets.select_related("bureau")}
    for county, code in CODES.items():
        assert found[code].figures_as_of == cutoff
        assert stored(found[code].figures) == WEEKS[week][county], county
    for code, sheet in found.items():
        if code not in CODES.values():
            assert sheet.figures is not None and stored(sheet.figures) == NOTHING, code


def test_the_cron_stores_the_past_weeks_figures_and_drafts_the_new_weeks_sheets(scenario):
    """Both W50 sheets were submitted before their cut-off; the cron of Monday 00:05 stores the
    week's figures at its cut-off (B8, confirmed at 17:01, is not in them) and drafts W51's."""
    stored_then = scenario.pages[("stored sheets", "12-14 00:05")]
    for county, code in CODES.items():
        assert stored(stored_then[(code, "2026-W50")]) == WEEKS["W50"][county], county
    drafted = {code for code, week in stored_then if week == "2026-W51"}
    assert drafted == set(Bureau.objects.exclude(code="450100").values_list("code", flat=True))
    assert all(stored_then[(code, "2026-W51")] is None for code in drafted)


def test_a_returned_sheet_keeps_the_weeks_figures_and_only_its_notes_change(scenario):
    returned = scenario.pages[("sheet", "B W49", "12-07 10:30")]
    assert returned["status"] == "returned" and returned["frozen"] is True
    assert returned["figures"] == WEEKS["W49"]["B"]
    assert "请写明窗口受理的天数。" in returned["html"]
    sheet = ProgressSheet.objects.get(
        campaign=scenario.campaign, bureau__code=CODES["B"], week="2026-W49"
    )
    assert (sheet.status, sheet.late, sheet.counter_days) == (
        "submitted",
        True,
        "周一至周五每天上午",
    )
    first, second = sorted(sheet.versions.all(), key=lambda v: v.number)
    assert (first.decision, first.notes, second.notes) == ("returned", NOTES, NEW_NOTES)
    assert stored(sheet.figures) == WEEKS["W49"]["B"]


def test_a_confirmation_on_the_dot_of_the_cut_off_counts_in_the_week_that_ends_then(scenario):
    """A2 at 12-04 17:00:00 is W49's, A3 at 17:01 W50's; B7 at 12-11 17:00:00 is W50's, B8 at
    17:01 W51's, B9 at 16:59 W50's."""
    week = {
        (county, name): stored(
            ProgressSheet.objects.get(
                campaign=scenario.campaign, bureau__code=CODES[county], week=f"2026-{name}"
            ).figures
        )["confirmed_week"]
        for county in "AB"
        for name in ("W49", "W50", "W51")
    }
    assert week == {
        ("A", "W49"): 4,  # A1 (16:59) A2 (17:00:00) A5 A13
        ("A", "W50"): 3,  # A3 (17:01) A4 A11
        ("A", "W51"): 1,  # A14
        ("B", "W49"): 2,  # B1 B5
        ("B", "W50"): 3,  # A10 B9 (16:59) B7 (17:00:00)
        ("B", "W51"): 2,  # B8 (17:01) B10
    }


# --- Bulletins ------------------------------------------------------------------------------


def expected_rows(week: str) -> dict[str, dict]:
    """bureau code -> its expected row: figures, rank, change of rate and sheet."""
    rows = {}
    for bureau in Bureau.objects.all():
        county = next((k for k, code in CODES.items() if code == bureau.code), None)
        if county:
            status, late = SHEET_STATES[week][county]
            rows[bureau.code] = {
                **WEEKS[week][county],
                "rank": RANKS[week][county],
                "rate_change": RATE_CHANGES[week][county],
                "sheet": (status, late),
            }
        else:
            rows[bureau.code] = {
                **NOTHING,
                "rank": OTHERS_RANK,
                "rate_change": None,
                "sheet": ("", False) if bureau.is_city else ("draft", False),
            }
    return rows


def rounded(change):
    return None if change is None else round(change, 4)


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
def test_every_bulletins_rows_are_the_hand_count(scenario, week):
    bulletin = Bulletin.objects.get(campaign=scenario.campaign, week=str(week_of(week)))
    assert bulletin.cutoff == weeks.cutoff(scenario.campaign, week_of(week))
    expected = expected_rows(week)
    assert len(bulletin.rows) == len(expected) == 13
    for row in bulletin.rows:
        assert {
            **stored(row),
            "rank": row["rank"],
            "rate_change": rounded(row["rate_change"]),
            "sheet": (row["sheet_status"], row["sheet_late"]),
        } == {
            **expected[row["bureau_code"]],
            "rate_change": rounded(expected[row["bureau_code"]]["rate_change"]),
        }, row["bureau_code"]
    assert [r["bureau_code"] for r in bulletin.rows][:2] == sorted(
        CODES.values(), key=lambda code: expected[code]["rank"]
    )
    assert stored(bulletin.totals) == TOTALS[week]
    assert rounded(bulletin.totals["rate_change"]) == rounded(RATE_CHANGES[week]["total"])


def test_the_last_bulletins_trend_is_the_citys_confirmed_total_week_by_week(scenario):
    bulletin = Bulletin.objects.get(campaign=scenario.campaign, week="2026-W51")
    assert [
        (p["week"], p["holders"], p["confirmed"], round(p["rate"], 4)) for p in bulletin.trend
    ] == [
        (str(week_of(w)), TOTALS[w]["holders"], TOTALS[w]["confirmed"], TOTALS[w]["rate"])
        for w in ("W49", "W50", "W51")
    ]
    trend = load_workbook(io.BytesIO(scenario.pages[("bulletin", "W51")]["xlsx"]))["趋势"]
    assert [[c.value for c in row][1:4] for row in trend.iter_rows(min_row=2, max_row=4)] == [
        [str(week_of(w)), TOTALS[w]["holders"], TOTALS[w]["confirmed"]]
        for w in ("W49", "W50", "W51")
    ]


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
def test_every_bulletins_web_page_shows_the_hand_count(scenario, week):
    html = scenario.pages[("bulletin", week)]["html"]
    by_name = {cells[1]: cells for cells in table_rows(html)}
    for county, name in NAMES.items():
        expected = WEEKS[week][county]
        assert by_name[name][:13] == [
            str(RANKS[week][county]),
            name,
            *[
                count_text(expected[key])
                for key in ("holders", "in_post", "not_started", "draft", "waiting", "returned")
            ],
            count_text(expected["confirmed_week"]),
            count_text(expected["confirmed"]),
            rate_text(expected["confirmed"] / expected["holders"]),
            points_text(RATE_CHANGES[week][county]),
            count_text(expected["pending"]),
        ], county
    (totals,) = table_rows(html, section="tfoot")
    total = TOTALS[week]
    assert totals[2:13] == [
        *[
            count_text(total[key])
            for key in ("holders", "in_post", "not_started", "draft", "waiting", "returned")
        ],
        count_text(total["confirmed_week"]),
        count_text(total["confirmed"]),
        rate_text(total["confirmed"] / total["holders"]),
        points_text(RATE_CHANGES[week]["total"]),
        count_text(total["pending"]),
    ]


# The Excel file's header row, as a reader sees it.
EXCEL_HEADERS = {
    "名次": "rank",
    "财政部门": "bureau_name",
    "持证人数": "holders",
    "在会计岗位": "in_post",
    "未开始": "not_started",
    "填报中": "draft",
    "待现场确认": "waiting",
    "已退回": "returned",
    "本周确认": "confirmed_week",
    "累计确认": "confirmed",
    "待处理库": "pending",
    "确认率": "rate",
    "较上周": "rate_change",
    "进度表": "sheet",
}


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
def test_every_bulletins_excel_file_holds_the_hand_count(scenario, week):
    sheet = load_workbook(io.BytesIO(scenario.pages[("bulletin", week)]["xlsx"]))["进度通报"]
    keys = [EXCEL_HEADERS[cell.value] for cell in sheet[4]]  # the header row
    rows = [
        dict(zip(keys, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=5)
    ]
    by_name = {row["bureau_name"]: row for row in rows if row["bureau_name"]}
    assert len(by_name) == 14  # 13 bureaus and the totals
    counts = [key for key in KEYS if key in keys]  # moved in and out are not in the file
    for name, expected, rank, change in [
        *[
            (f"{NAMES[c]}财政局", WEEKS[week][c], RANKS[week][c], RATE_CHANGES[week][c])
            for c in "AB"
        ],
        ("合计", TOTALS[week], None, RATE_CHANGES[week]["total"]),
    ]:
        row = by_name.pop(name)
        assert {key: row[key] for key in counts} == {key: expected[key] for key in counts}, name
        # The change in points, to the decimal the page and the PDF show (+3.6 个百分点).
        assert (row["rank"], round(row["rate"], 4), row["rate_change"]) == (
            rank,
            expected["rate"],
            None if change is None else round(change * 100, 1),
        ), name
    for name, row in by_name.items():  # the eleven others
        assert [row[key] for key in counts] + [row["rate"]] == [0] * 10, name


def pdf_rows(document: bytes) -> dict[str, list[str]]:
    """The bulletin table's rows in the PDF's text: bureau name -> the cells after it."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    rows = {}
    for line in text.splitlines():
        words = line.split()
        for index, word in enumerate(words):
            if word.endswith("财政局") or word == "合计":
                rows[word] = words[index + 1 :]
    return rows


@pytest.mark.parametrize("week", ["W49", "W50", "W51"])
def test_every_bulletins_pdf_shows_the_hand_count(scenario, week):
    rows = pdf_rows(scenario.pages[("bulletin", week)]["pdf"])
    order = ("holders", "in_post", "not_started", "draft", "waiting", "returned")
    for name, expected, change in [
        *[(f"{NAMES[c]}财政局", WEEKS[week][c], RATE_CHANGES[week][c]) for c in "AB"],
        ("合计", TOTALS[week], RATE_CHANGES[week]["total"]),
    ]:
        assert rows[name][: 11 if change is None else 12] == [
            *[count_text(expected[key]) for key in order],
            count_text(expected["confirmed_week"]),
            count_text(expected["confirmed"]),
            count_text(expected["pending"]),
            rate_text(expected["confirmed"] / expected["holders"]),
            *(["—"] if change is None else points_text(change).split()),
        ], name
    for name, cells in rows.items():
        if name not in ("合计", *[f"{n}财政局" for n in NAMES.values()]):
            assert cells[:10] == [*["0"] * 9, "0.0%"], name


# --- The county pages and the dashboard -----------------------------------------------------


COUNTY_PAGES = {
    # moment: the week the "last week" column shows (the last one whose figures are final)
    "12-07 16:30": "W49",
    "12-14 10:30": "W50",
    "12-19 13:00": "W51",  # closed: the campaign's last week
}


@pytest.mark.parametrize("moment", list(COUNTY_PAGES))
@pytest.mark.parametrize("county", ["A", "B"])
def test_the_county_page_compares_the_live_figures_with_last_weeks_final_ones(
    scenario, county, moment
):
    page = scenario.pages[("county", county, moment)]
    then = WEEKS[COUNTY_PAGES[moment]][county]
    now = LIVE[moment][county]
    assert {**page["then"], "rate": round(page["then"]["rate"], 4)} == then
    assert {**page["now"], "rate": round(page["now"]["rate"], 4)} == now
    table = table_rows(page["html"])
    assert [cells[1] for cells in table] == as_text(now)
    assert [cells[2] for cells in table] == as_text(then)
    # The rate's change in percentage points, written as the bulletin writes it.
    (rate_row,) = [cells for key, cells in zip(PAGE_ORDER, table, strict=True) if key == "rate"]
    rates = [counted["confirmed"] / counted["holders"] for counted in (now, then)]
    assert rate_row[3] == points_text(rates[0] - rates[1])


def test_in_the_first_week_the_county_page_has_no_last_week_to_compare_with(scenario):
    page = scenario.pages[("county", "A", "12-02 12:30")]
    assert {**page["now"], "rate": round(page["now"]["rate"], 4)} == LIVE["12-02 12:30"]["A"]
    assert set(page["then"].values()) == {None}
    table = table_rows(page["html"])
    assert [cells[1] for cells in table] == as_text(LIVE["12-02 12:30"]["A"])
    assert {cells[2] for cells in table} == {"—"}


def test_the_county_page_lists_each_weeks_final_rate(scenario):
    for county in "AB":
        page = scenario.pages[("county", county, "12-19 13:00")]
        listed = [(cells[0], cells[-1]) for cells in table_rows(page["html"], number=1)]
        with translation.override("zh-hans"):  # the page's language
            labels = {w: weeks.label(scenario.campaign, week_of(w)) for w in WEEKS}
        assert listed == [
            (labels[w], rate_text(WEEKS[w][county]["confirmed"] / WEEKS[w][county]["holders"]))
            for w in ("W51", "W50", "W49")  # newest first
        ], county


@pytest.mark.parametrize("moment", ["12-07 16:30", "12-14 10:30", "12-15 10:30", "12-19 13:00"])
def test_the_dashboard_shows_the_hand_counted_live_figures(scenario, moment):
    """Including the pool's move, and a confirmation taking A14 out of the pool at once."""
    page = scenario.pages[("dashboard", moment)]
    for county, code in CODES.items():
        assert page["rows"][code] == LIVE[moment][county], county
    for code, counted in page["rows"].items():
        if code not in CODES.values():
            assert counted == NOTHING, code
    a, b = LIVE[moment]["A"], LIVE[moment]["B"]
    total = {key: a[key] + b[key] for key in KEYS}  # nobody else holds a certificate
    assert page["total"] == {**total, "rate": round(total["confirmed"] / total["holders"], 4)}
    # The name cell also holds, for phones, the forecast under the name: the name comes first.
    by_name = {cells[0].split()[0]: cells[1:11] for cells in table_rows(page["html"])}
    (footer,) = table_rows(page["html"], section="tfoot")
    by_name[footer[0]] = footer[1:11]
    for name, expected in ((NAMES["A"], a), (NAMES["B"], b), ("合计", total)):
        assert by_name[name] == [
            *[
                count_text(expected[key])
                for key in ("holders", "in_post", "not_started", "draft", "waiting", "returned")
            ],
            count_text(expected["confirmed_week"]),
            count_text(expected["confirmed"]),
            rate_text(expected["confirmed"] / expected["holders"]),
            count_text(expected["pending"]),
        ], name
