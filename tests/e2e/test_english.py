"""English complete (issue 28): every page of the accessibility walk, read in English by each of
its people, shows no Han character outside the data people typed (names, employers, bureaus, the
campaign's name, a clerk's note...). The world is made by staff working in Chinese, as in a
bureau, so what the system stored in their words (notices, standard return reasons, the changes
a confirmation lists, history) must still read in English to an English reader.

The user data are the values of the fields people fill in, read from the database after the world
is made (USER_FIELDS); an element marked `lang="zh-..."` (the language switch's 中文) is Chinese on
purpose. Text, option labels and the attributes a person reads or hears (title, aria-label,
placeholder, alt, value of buttons) are checked.
"""

import base64
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from business import services as business_services
from business.models import EducationRecord, OnPostRegistration
from collection import services as collection_services
from collection.models import Application, Campaign, Submission
from confirmation import services as confirmation_services
from confirmation.models import CounterEdit
from practitioners.models import Bureau, Practitioner, User
from reporting.models import ProgressSheet, ProgressSheetVersion, WorkPlanVersion
from tests.conftest import activate
from tests.e2e.test_accessibility import PAGES, Screen, world  # noqa: F401  (the fixture)
from tests.factories import PractitionerFactory
from tests.helpers import confirm, jpeg_bytes, submit

pytestmark = pytest.mark.django_db(transaction=True)

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60]")

# What people type, per model: these stay as typed in every language.
USER_FIELDS = {
    Practitioner: ("name", "employer", "major", "school", "address", "position"),
    Bureau: ("name", "short_name", "section_name", "hall_name", "hall_address", "hall_hours"),
    Campaign: ("name",),
    User: ("display_name", "first_name", "last_name"),
    OnPostRegistration: ("employer", "post", "return_reason"),
    EducationRecord: ("provider", "content", "return_reason"),
    WorkPlanVersion: ("summary", "file_name"),
    CounterEdit: ("old_value", "new_value"),
    ProgressSheet: ("staff", "counter_days", "problems", "next_week", "feedback"),
}
JSON_FIELDS = {
    Application: ("data",),
    Submission: ("data", "record"),
    ProgressSheetVersion: ("notes",),
}

# Beyond the accessibility walk: what staff working in Chinese leave for a practitioner to read
# (a return with a standard reason and a note, a returned registration, a confirmed history whose
# choices changed), on the pages that show it.
MORE_PAGES = [
    Screen("returned", "collection:home"),
    Screen("returned", "collection:application"),
    Screen("clerk", "practitioners:detail", ("returned_record",)),
    Screen("clerk", "reporting:people", ("county", "returned")),
    Screen("changed", "collection:home"),
    Screen("clerk", "practitioners:detail", ("changed_record",)),
    Screen("city", "practitioners:audit"),
]
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


@pytest.fixture(autouse=True)
def english_messages():
    """Staff work in Chinese: what the services store in the active language is Chinese here
    (this replaces the suite's English default for this module)."""
    with translation.override("zh-hans"):
        yield


class _Text(HTMLParser):
    """The text a person reads on the page: text nodes outside <script>/<style> and outside any
    element marked Chinese on purpose, with the attributes people read or hear."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = tag in ("script", "style", "template") or (
            (attributes.get("lang") or "").lower().startswith("zh") and tag != "html"
        )
        if not skipped and not self._skipping():
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(attributes[name])
            if tag in ("input", "button") and attributes.get("type") in ("submit", "button"):
                self.parts.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.parts.append(data)


def page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def user_data() -> list[str]:
    """Every value people typed into the world, longest first (so a name inside an employer's
    name does not leave the rest behind)."""
    values: set[str] = set()
    for model, fields in USER_FIELDS.items():
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    for model, fields in JSON_FIELDS.items():
        for row in model.objects.values_list(*fields):
            for value in row:
                values.update(s for s in _strings(value) if HAN.search(s))
    # The clerk's note after a standard reason ("照片不符合要求：note") is typed, the reason not.
    for reason in Application.objects.values_list("return_reason", flat=True):
        values.update(re.split(r"：|: ", reason, maxsplit=1)[1:])
    # So is each line of a multi-line address or of opening hours, shown line by line.
    values.update(line.strip() for v in list(values) for line in v.splitlines() if line.strip())
    return sorted(values, key=len, reverse=True)


def untranslated(html: str, data: list[str]) -> list[str]:
    found = []
    for part in page_text(html):
        rest = part
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        if HAN.search(rest):
            found.append(part[:160])
    return found


@pytest.fixture
def more(world, county_a, clerk_a):  # noqa: F811
    """A practitioner returned at the counter with a standard reason and a note; another
    confirmed with choices changed (education, ethnicity, in an accounting post) whose on-post
    registration the clerk returned."""
    person = PractitionerFactory(bureau=county_a, ethnicity="汉族")
    account = activate(person)
    collection_services.set_application_photo(practitioner=person, actor=account, data=jpeg_bytes())
    application = submit(person, account)
    confirmation_services.return_at_counter(
        application=application,
        actor=clerk_a,
        reason="photo",
        note="背景不是白色",
        revision=application.revision,
    )
    changed = PractitionerFactory(bureau=county_a, ethnicity="汉族", education="junior_college")
    changed_account = activate(changed)
    collection_services.set_application_photo(
        practitioner=changed, actor=changed_account, data=jpeg_bytes()
    )
    confirm(
        submit(
            changed,
            changed_account,
            ethnicity="壮族",
            education="bachelor",
            in_accounting_post=not changed.in_accounting_post,
            # in a post needs an employer: the factory's person may have none
            employer=changed.employer or "广西八桂会计师事务所有限公司",
        ),
        clerk_a,
    )
    changed.refresh_from_db()
    registration = business_services.register_on_post(
        practitioner=changed,
        actor=changed_account,
        values={"employer": "南宁市某商贸有限公司", "post": "出纳", "start_date": "2016-04-01"},
    )
    business_services.return_registration(
        registration=registration, actor=clerk_a, reason="请上传劳动合同"
    )
    world.people.update(returned=account, changed=changed_account)
    world.things.update(returned_record=person.pk, changed_record=changed.pk, returned="returned")
    return world


def test_every_page_reads_in_english(more):
    world = more
    data = user_data()
    clients: dict[str, Client] = {}
    failures = []
    for screen in [*PAGES, *MORE_PAGES]:
        client = clients.get(screen.persona)
        if client is None:
            client = clients[screen.persona] = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            if screen.persona != "anonymous":
                client.force_login(world.people[screen.persona])
        response = client.get(screen.url(world.things))
        assert response.status_code == 200, f"{screen} answered {response.status_code}"
        assert 'lang="en"' in response.text[:300], f"{screen} is not in English"
        for text in untranslated(response.text, data):
            failures.append(f"{screen}: {text}")
    assert not failures, "Han characters outside user data, in English:\n" + "\n".join(failures)


def test_stored_words_read_in_the_readers_language(more):
    """What the clerk's Chinese left behind reads in English, and again in Chinese: the standard
    reason (the note as typed), the history's changed choices, the notices."""
    world = more
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = Client()
    for client in (english, chinese):
        client.force_login(world.people["returned"])
    reason_en = "The photo does not meet the requirements: 背景不是白色"
    assert english.get("/me/").text.count(reason_en) >= 2  # the notice and the application
    assert "照片不符合要求：背景不是白色" in chinese.get("/me/").text
    assert "was returned by the counter" in english.get("/me/").text

    english.force_login(world.people["clerk"])
    history = " ".join(page_text(english.get(f"/register/{world.things['changed_record']}/").text))
    assert "Ethnicity: Han → Zhuang" in history, history
    assert "Education: Junior college → Bachelor's degree" in history, history


def test_the_bulletins_charts_read_in_english(world, settings):  # noqa: F811
    """The published charts are drawn in Chinese, the bulletin's language; an English reader
    gets them drawn again from the same figures, in English (bureau names are data)."""
    url = Screen("anonymous", "reporting:bulletin", ("campaign", "bulletin_week")).url(world.things)
    names = sorted(
        {n for row in Bureau.objects.values_list("name", "short_name") for n in row},
        key=len,
        reverse=True,
    )

    def charts(language: str) -> list[str]:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(url).text
        found = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
        assert len(found) == 2, f"{len(found)} charts"
        return [base64.b64decode(svg).decode() for svg in found]

    for svg in charts("en"):
        text = " ".join(re.findall(r">([^<]+)<", svg))
        for name in names:
            text = text.replace(name, " ")
        assert not HAN.search(text), text
    rate, trend = charts("en")
    assert "At or above the city" in rate or "Below the city" in rate
    assert "Week " in trend
    assert "低于全市" in charts("zh-hans")[0]  # the published chart, as published
