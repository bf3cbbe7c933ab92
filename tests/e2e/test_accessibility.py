"""Accessible pages (issue 13). Every page of PAGES, in Chinese and in English: no critical or
serious axe-core violation in the browser, every field with one label of its own, and no Nu HTML
checker error in the server's markup. And a field focused with the keyboard is never hidden
under the application form's sticky save bar (nor under anything else sticky), on the form and
on the counter's review page; the skip link comes first and leads to the main content.

To check a new page, add a line to PAGES: who looks at it (a key of the world's `people`, or
"anonymous"), its URL name, and the names of its URL arguments (keys of the world's `things`),
e.g. `Screen("city", "reporting:weekly", ("campaign",))`. If it needs a person or data that
`world` does not make yet, add them there. For a single page in another test,
`tests.e2e.pages.assert_accessible(page)` makes the same browser checks.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from accounting_registry import care
from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from collection import diff
from collection import services as collection_services
from reporting import services as reporting_services
from reporting import weeks
from tests.conftest import activate
from tests.e2e.pages import (
    DESKTOP,
    LAPTOP,
    PHONE,
    PHONE_OPTIONS,
    blocking_violations,
    describe_violations,
    fields_without_one_label,
    nu_errors,
)
from tests.factories import PractitionerFactory
from tests.helpers import PLAN_PDF, confirm, jpeg_bytes, submit, submit_change

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Screen:
    """A page as one person sees it: `persona` is a key of the world's people ("anonymous":
    not logged in), `args` name the world's things that fill the URL's arguments."""

    persona: str
    url_name: str
    args: tuple[str, ...] = ()

    def url(self, things: dict) -> str:
        return reverse(self.url_name, args=[things[name] for name in self.args])

    def __str__(self) -> str:
        return f"{self.persona}:{self.url_name.replace(':', '.')}"


PAGES = [
    Screen("anonymous", "login"),
    Screen("anonymous", "collection:activate"),
    Screen("practitioner", "collection:home"),
    Screen("practitioner", "collection:application"),
    Screen("practitioner", "collection:photo_upload"),
    Screen("clerk", "confirmation:counter"),
    Screen("clerk", "confirmation:queue"),
    Screen("clerk", "confirmation:review", ("submitted",)),
    Screen("clerk", "practitioners:list"),
    Screen("clerk", "practitioners:detail", ("record",)),
    Screen("admin", "business:register_import"),
    Screen("city", "practitioners:bureau_overview"),
    Screen("city", "collection:campaigns"),
    # Progress reporting (step 6)
    Screen("city", "reporting:dashboard"),
    Screen("admin", "reporting:bureau", ("county",)),
    Screen("admin", "reporting:plan", ("county",)),
    Screen("city", "reporting:plan", ("county",)),
    Screen("admin", "reporting:sheet", ("county", "this_week")),
    Screen("city", "reporting:sheet", ("county", "last_week")),
    Screen("clerk", "reporting:people", ("county", "waiting")),
    Screen("city", "reporting:publish"),
    Screen("city", "reporting:publish_preview", ("last_week",)),
    Screen("anonymous", "reporting:definitions"),
    Screen("anonymous", "reporting:bulletins"),
    Screen("anonymous", "reporting:bulletin", ("campaign", "bulletin_week")),
    # After confirmation (issue 11)
    Screen("confirmed", "collection:home"),
    Screen("confirmed", "collection:change"),
    Screen("confirmed", "collection:contact"),
    Screen("confirmed", "business:on_post"),
    Screen("confirmed", "business:education"),
    Screen("clerk", "confirmation:review", ("change",)),
    Screen("clerk", "business:decisions"),
    Screen("clerk", "business:flagged"),
    Screen("city", "collection:pending_pool", ("campaign",)),
    # Production (issue 12)
    Screen("city", "practitioners:audit"),
    Screen("clerk", "two_factor"),
    Screen("city", "two_factor_enrolment_codes"),
    # Fit for a data centre (issue 30)
    Screen("confirmed", "my_data"),
    Screen("city", "processing_record"),
]

# How a person chooses: the browser's Accept-Language (zh-CN in every test context), or the
# footer's language switch, which sets Django's language cookie (English here).
LANGUAGES = {"zh-hans": None, "en": "en"}

FOCUS_VIEWPORT = {"width": 1280, "height": 900}


@dataclass
class World:
    people: dict  # persona -> user
    things: dict  # name -> primary key for URL arguments


@pytest.fixture
def world(county_a, clerk_a, admin_a, city_staff, practitioner_a, account_a, with_photo, campaign):
    """practitioner_a with a draft (photo, one correction); another person of 青秀区 whose
    application is submitted with a change, waiting at the counter; the staff of each role."""
    application = practitioner_a.applications.get()
    typed = dict(diff.record_values(practitioner_a), employer="南宁市青秀区新竹会计服务有限公司")
    collection_services.save_draft(
        practitioner=practitioner_a, actor=account_a, data=typed, revision=application.revision
    )
    person = PractitionerFactory(bureau=county_a)
    account = activate(person)
    collection_services.set_application_photo(practitioner=person, actor=account, data=jpeg_bytes())
    submitted = submit(person, account, employer="广西八桂会计师事务所有限公司")
    # After confirmation: a confirmed person with a change at the counter and continuing
    # education waiting; practitioner_a holds an imported on-post record (flagged).
    done = PractitionerFactory(bureau=county_a)
    done_account = activate(done)
    collection_services.set_application_photo(
        practitioner=done, actor=done_account, data=jpeg_bytes()
    )
    confirm(submit(done, done_account), clerk_a)
    change = submit_change(done, done_account, employer="广西北部湾会计师事务所有限公司")
    EducationRecord.objects.create(
        practitioner=done, year=2025, hours=24, provider="南宁市会计学会", content="政府会计制度"
    )
    OnPostRegistration.objects.create(
        practitioner=practitioner_a,
        employer="南宁市某商贸有限公司",
        post="出纳",
        start_date=datetime.date(2016, 4, 1),
        status=RegistrationStatus.APPROVED,
        source=Source.IMPORTED,
    )
    # Reporting: 青秀区's plan filed, last week's sheet submitted, the week before published.
    this_week = weeks.current_week(campaign)
    reporting_services.file_work_plan(
        campaign=campaign,
        bureau=county_a,
        actor=admin_a,
        data=PLAN_PDF,
        file_name="青秀区工作方案.pdf",
        summary="宣传动员、人员分工、窗口安排",
        revision=None,
    )
    sheet = reporting_services.sheet_for(
        campaign=campaign, bureau=county_a, week=this_week.previous()
    )
    reporting_services.submit_sheet(
        sheet=sheet, actor=admin_a, notes={"staff": "2人"}, revision=sheet.revision
    )
    published = reporting_services.publish_bulletin(
        campaign=campaign, week=this_week.previous().previous(), actor=city_staff
    )
    return World(
        people={
            "practitioner": account_a,
            "confirmed": done_account,
            "clerk": clerk_a,
            "admin": admin_a,
            "city": city_staff,
        },
        things={
            "submitted": submitted.pk,
            "change": change.pk,
            "record": person.pk,
            "campaign": campaign.pk,
            "county": county_a.code,
            "this_week": str(this_week),
            "last_week": str(this_week.previous()),
            "waiting": "waiting",
            "bulletin_week": published.week,
        },
    )


def session_cookie(user) -> str:
    """A logged-in session for `user`, as the login form would make (without typing)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def tab_as(new_page, live_server, world: World, persona: str, language: str, **options) -> Page:
    """A browser tab of its own for `persona` (logged in unless "anonymous") in `language`."""
    page = new_page(options.pop("viewport", DESKTOP), **options)
    cookies = []
    if persona != "anonymous":
        value = session_cookie(world.people[persona])
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": value})
    if LANGUAGES[language]:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": LANGUAGES[language]})
    page.context.add_cookies([c | {"url": live_server.url} for c in cookies])
    return page


def show(page: Page, live_server, world: World, screen: Screen, language: str) -> None:
    response = page.goto(live_server.url + screen.url(world.things))
    assert response.status == 200, f"{screen} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language, f"{screen} not in {language}"


def open_as(new_page, live_server, world: World, screen: Screen, language: str, **options):
    page = tab_as(new_page, live_server, world, screen.persona, language, **options)
    show(page, live_server, world, screen, language)
    return page


# --- axe-core and the Nu HTML checker --------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_axe_violation(new_page, live_server, world, language):
    """Every page of PAGES (with its <details> opened), each persona in a tab of its own: no
    critical or serious axe-core violation, and each field has one label of its own (what
    assert_accessible checks, for all pages at once). The message lists every page's findings."""
    tabs = {}
    failures = []
    for screen in PAGES:
        if screen.persona not in tabs:
            tabs[screen.persona] = tab_as(new_page, live_server, world, screen.persona, language)
        page = tabs[screen.persona]
        show(page, live_server, world, screen, language)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        blocking = blocking_violations(page)
        if blocking:
            failures.append(f"{screen} ({page.url}):\n{describe_violations(blocking)}")
        for field in fields_without_one_label(page):
            failures.append(f"{screen} ({page.url}): {field}, not 1")
    assert not failures, "axe-core (critical or serious), and labels:\n" + "\n".join(failures)


def test_markup_has_no_nu_checker_error(world, tmp_path):
    """The server's HTML of every page in both languages and both modes (standard, care),
    checked in one run of vnu.jar."""
    documents = {}
    clients = {}
    for screen in PAGES:
        for language, cookie in LANGUAGES.items():
            for mode in ("standard", "care"):
                key = (screen.persona, language, mode)
                if key not in clients:
                    clients[key] = client = Client()
                    if screen.persona != "anonymous":
                        client.force_login(world.people[screen.persona])
                    if cookie:
                        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
                    if mode == "care":
                        client.cookies[care.COOKIE_NAME] = care.COOKIE_ON
                response = clients[key].get(screen.url(world.things))
                assert response.status_code == 200, f"{screen} answered {response.status_code}"
                assert ('class="care"' in response.text[:400]) == (mode == "care"), screen
                documents[f"{screen}.{language}.{mode}".replace(":", "_")] = response.text
    leaked = [name for name, html in documents.items() if "{#" in html or "{%" in html]
    assert not leaked, f"template syntax shown as text (a {{# #}} comment is one line): {leaked}"
    errors = nu_errors(documents, tmp_path)
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)


# --- The keyboard: a focused field is never hidden ---------------------------------------------

# The focused element and the band of the viewport that nothing sticky or fixed covers.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  let top = 0, bottom = window.innerHeight;
  for (const other of document.querySelectorAll('body *')) {
    const position = getComputedStyle(other).position;
    if ((position !== 'sticky' && position !== 'fixed') || other.contains(el)) continue;
    const r = other.getBoundingClientRect();
    if (r.height === 0 || r.bottom <= 0 || r.top >= window.innerHeight) continue;
    if (r.top + r.height / 2 > window.innerHeight / 2) bottom = Math.min(bottom, r.top);
    else top = Math.max(top, r.bottom);
  }
  const r = el.getBoundingClientRect();
  const label = (el.labels && el.labels[0] && el.labels[0].innerText)
    || el.getAttribute('aria-label') || el.innerText || el.name || el.id || '';
  return {
    what: `${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ''} "${label.trim().slice(0, 40)}"`,
    top: r.top, bottom: r.bottom, clearTop: top, clearBottom: bottom,
    inFooter: !!el.closest('footer'),
  };
}"""


# Bootstrap scrolls smoothly unless the person asks for reduced motion, as the focus tests' tabs
# do (where focus scrolled to is what counts, not the animation); wait until nothing moves.
SCROLLED = """async () => {
  let last = null, alike = 0;
  while (alike < 5) {
    await new Promise(done => requestAnimationFrame(done));
    const now = `${window.scrollX},${window.scrollY}`;
    alike = now === last ? alike + 1 : 0;
    last = now;
  }
}"""


def start_from_top(page: Page) -> None:
    """Put the keyboard's starting point at the top of the page, past any autofocus."""
    page.evaluate(
        """() => {
          const body = document.body;
          body.tabIndex = -1; body.focus(); body.removeAttribute('tabindex');
          window.scrollTo(0, 0);
        }"""
    )


def tab_through(page: Page, limit: int = 250) -> list[dict]:
    """Press Tab from the top of the page until focus reaches the footer; each focus stop."""
    start_from_top(page)
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.evaluate(SCROLLED)
        state = page.evaluate(FOCUS_STATE)
        if state is None or state["inFooter"]:
            return stops
        stops.append(state)
    raise AssertionError(f"focus never reached the footer in {limit} presses of Tab")


def hidden_stops(stops: list[dict]) -> list[str]:
    return [
        f"{s['what']}: {s['top']:.0f}–{s['bottom']:.0f} px, clear band "
        f"{s['clearTop']:.0f}–{s['clearBottom']:.0f} px"
        for s in stops
        if s["top"] < s["clearTop"] - 0.5 or s["bottom"] > s["clearBottom"] + 0.5
    ]


# Where each field falls against the bar depends on the height and on the person's data: a few
# sizes catch what one would miss.
@pytest.mark.parametrize(
    "viewport,options",
    [(FOCUS_VIEWPORT, {}), (LAPTOP, {}), (PHONE, PHONE_OPTIONS)],
    ids=["1280x900", "1366x768", "390"],
)
def test_focused_field_never_hidden_on_the_application_form(
    new_page, live_server, world, viewport, options
):
    screen = Screen("practitioner", "collection:application")
    page = open_as(
        new_page,
        live_server,
        world,
        screen,
        "zh-hans",
        viewport=viewport,
        reduced_motion="reduce",
        **options,
    )
    stops = tab_through(page)
    assert stops[0]["what"].startswith("a "), stops[0]  # the skip link comes first
    fields = [s for s in stops if s["what"].startswith(("input", "select", "textarea"))]
    assert len(fields) > 20, f"only {len(fields)} fields reached with Tab"
    hidden = hidden_stops(stops)
    assert not hidden, "focused but not fully visible:\n" + "\n".join(hidden)


def test_focused_field_never_hidden_on_the_review(new_page, live_server, world):
    screen = Screen("clerk", "confirmation:review", ("submitted",))
    page = open_as(
        new_page,
        live_server,
        world,
        screen,
        "zh-hans",
        viewport=FOCUS_VIEWPORT,
        reduced_motion="reduce",
    )
    page.locator("details").evaluate("d => { d.open = true; }")  # the correction form too
    stops = tab_through(page)
    names = {s["what"].split('"')[0].strip() for s in stops}
    assert {"select[name=reason]", "input[name=reason]", "textarea[name=note]"} <= names, names
    hidden = hidden_stops(stops)
    assert not hidden, "focused but not fully visible:\n" + "\n".join(hidden)


def test_skip_link_comes_first_and_leads_to_the_main_content(new_page, live_server, world):
    page = open_as(new_page, live_server, world, Screen("clerk", "confirmation:counter"), "zh-hans")
    start_from_top(page)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main"
    box = skip.bounding_box()  # visually hidden until focused, then shown
    assert box and box["width"] > 20 and box["height"] > 10 and box["y"] >= 0, box
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is the first one in the main content
    assert page.evaluate("!!document.activeElement.closest('main#main')")
