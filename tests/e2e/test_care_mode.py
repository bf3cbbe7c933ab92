"""Care mode (关怀模式) in the browser: every page of the accessibility walk (PAGES) passes
axe-core in both languages with the care cookie, and at 200 % zoom nothing scrolls sideways,
nothing stays stuck on screen and no two controls overlap; the Nu checker reads the care mode's
markup too.

Zoom: Chromium at 200 % lays a 1280 × 800 window out as a 640 × 400 CSS-pixel viewport with two
device pixels to a CSS pixel; media queries and every length see exactly that. So the zoom is
emulated by that viewport with device_scale_factor 2 — not by doubling the root font as well,
which would count the zoom twice (care mode's own 18 px root is kept, as a zoomed page keeps it).
"""

import re

import pytest
from django.conf import settings

from accounting_registry import care
from tests.e2e.pages import (
    LAPTOP,
    PHONE,
    PHONE_OPTIONS,
    blocking_violations,
    describe_violations,
    page_overflow,
)
from tests.e2e.test_accessibility import (  # noqa: F401  (world: the fixture)
    LANGUAGES,
    PAGES,
    Screen,
    show,
    tab_as,
    world,
)

ZOOM_200 = {"width": 640, "height": 400}
ZOOM_200_OPTIONS = {"device_scale_factor": 2}

# Controls (links, buttons, fields) whose boxes overlap another's, neither holding the other:
# text drawn over text at 200 %. Only what is shown counts (a collapsed menu is not).
OVERLAPPING = """() => {
  // What a sticky bar covers as the page scrolls is by design (the focus tests check that a
  // focused field is never hidden under it): controls inside one are left out.
  const stuck = el => {
    for (let at = el; at; at = at.parentElement) {
      if (['sticky', 'fixed'].includes(getComputedStyle(at).position)) return true;
    }
    return false;
  };
  const controls = [...document.querySelectorAll('a, button, input, select, textarea, label')]
    .filter(el => el.type !== 'hidden' && el.checkVisibility({visibilityProperty: true}))
    .filter(el => !stuck(el))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 1 && r.height > 1);
  const found = [];
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const [a, ra] = controls[i], [b, rb] = controls[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (a.tagName === 'LABEL' && a.control === b || b.tagName === 'LABEL' && b.control === a) continue;
      const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (x > 2 && y > 2) {
        const name = el => `${el.tagName.toLowerCase()} "${(el.innerText || el.name || el.id || '').trim().slice(0, 24)}"`;
        found.push(`${name(a)} × ${name(b)}`);
      }
    }
  }
  return found;
}"""

# Elements that stay on screen while the page scrolls (none may, in care mode).
STUCK = """() => [...document.querySelectorAll('body *')]
  .filter(el => ['sticky', 'fixed'].includes(getComputedStyle(el).position)
                && el.getClientRects().length)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + [...el.classList].join('.') : ''))"""


def cared_tab(new_page, live_server, world, persona, language, **options):
    page = tab_as(new_page, live_server, world, persona, language, **options)
    page.context.add_cookies(
        [{"name": care.COOKIE_NAME, "value": care.COOKIE_ON, "url": live_server.url}]
    )
    return page


def test_the_footer_switch_turns_care_mode_on_and_off_without_javascript(
    new_page, live_server, world
):
    page = new_page(LAPTOP, java_script_enabled=False)
    page.goto(live_server.url + Screen("anonymous", "login").url(world.things))
    assert page.locator("html").get_attribute("class") is None
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
    page.get_by_role("button", name=re.compile("关怀模式|Care mode")).click()
    assert page.url.endswith("/accounts/login/")
    assert page.locator("html").get_attribute("class") == "care"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "18px"
    page.get_by_role("button", name=re.compile("标准模式|Standard mode")).click()
    assert page.locator("html").get_attribute("class") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_care_mode_has_no_serious_axe_violation(
    new_page, live_server, world, language
):
    tabs = {}
    failures = []
    for screen in PAGES:
        if screen.persona not in tabs:
            tabs[screen.persona] = cared_tab(new_page, live_server, world, screen.persona, language)
        page = tabs[screen.persona]
        show(page, live_server, world, screen, language)
        assert page.locator("html").get_attribute("class") == "care", screen
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        blocking = blocking_violations(page)
        if blocking:
            failures.append(f"{screen} ({page.url}):\n{describe_violations(blocking)}")
    assert not failures, "axe-core (critical or serious) in care mode:\n" + "\n".join(failures)


@pytest.mark.parametrize("care_mode", [True, False], ids=["care", "standard"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_at_200_percent_neither_scrolls_sideways_nor_overlaps(
    new_page, live_server, world, language, care_mode
):
    """In both modes; in care mode nothing stays stuck on screen either (the standard mode
    keeps the application form's save bar at the bottom)."""
    tabs = {}
    failures = []
    opened = cared_tab if care_mode else tab_as
    for screen in PAGES:
        if screen.persona not in tabs:
            tabs[screen.persona] = opened(
                new_page,
                live_server,
                world,
                screen.persona,
                language,
                viewport=ZOOM_200,
                **ZOOM_200_OPTIONS,
            )
        page = tabs[screen.persona]
        show(page, live_server, world, screen, language)
        if (overflow := page_overflow(page)) > 0:
            failures.append(f"{screen}: {overflow} px wider than the viewport")
        if care_mode and (stuck := page.evaluate(STUCK)):
            failures.append(f"{screen}: sticky or fixed: {stuck}")
        if overlapping := page.evaluate(OVERLAPPING):
            failures.append(f"{screen}: overlapping: {overlapping[:5]}")
    mode = "care mode" if care_mode else "standard mode"
    assert not failures, f"{mode} at 200 %:\n" + "\n".join(failures)


def test_care_mode_targets_and_text_are_large(new_page, live_server, world):
    """Buttons, fields and menu links at least 44 px high; no body text under 18 px."""
    page = cared_tab(new_page, live_server, world, "practitioner", "zh-hans", viewport=LAPTOP)
    show(page, live_server, world, Screen("practitioner", "collection:application"), "zh-hans")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'main .btn, main .form-control, main .form-select, nav .nav-link, footer .btn')]
            .filter(el => el.getClientRects().length && el.getBoundingClientRect().height < 44)
            .map(el => `${el.tagName} ${el.name || el.innerText.slice(0, 20)}`)"""
    )
    assert not small, f"targets under 44 px: {small}"
    tiny = page.evaluate(
        """() => [...document.querySelectorAll('main p, main label, main li, main td, main .form-text')]
            .filter(el => el.getClientRects().length && parseFloat(getComputedStyle(el).fontSize) < 18)
            .map(el => el.innerText.slice(0, 20))"""
    )
    assert not tiny, f"text under 18 px: {tiny}"
    help_box = page.locator("#care-help")
    assert help_box.is_visible()


@pytest.mark.parametrize(
    "viewport,options", [(PHONE, PHONE_OPTIONS), (LAPTOP, {})], ids=["390", "1366"]
)
def test_screenshots_of_care_mode(new_page, live_server, world, artifacts, viewport, options):
    """For a person to look at: the home page and the application form in care mode."""
    for screen in (
        Screen("practitioner", "collection:home"),
        Screen("practitioner", "collection:application"),
    ):
        page = cared_tab(
            new_page, live_server, world, "practitioner", "zh-hans", viewport=viewport, **options
        )
        show(page, live_server, world, screen, "zh-hans")
        assert page_overflow(page) <= 0, screen
        name = f"care-{screen.url_name.split(':')[1]}-{viewport['width']}.png"
        page.screenshot(path=artifacts / name, full_page=True)


def test_care_mode_cookie_name_differs_from_django_cookies():
    names = {settings.SESSION_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    assert care.COOKIE_NAME not in names
