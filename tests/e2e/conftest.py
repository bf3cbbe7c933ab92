"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live_server.

Every test in this folder is marked `e2e` (run only these: `pytest -m e2e`; skip them: `-m "not e2e"`)
and `slow`, with the other tests that start servers or processes (skip them all: `-m "not slow"`).
Tests must use `@pytest.mark.django_db(transaction=True)`: the live server runs in another
thread, so data must be committed. The flush after each transactional test deletes the bureaus
that migration 0002 loads, so an autouse fixture loads them again before every test here.

Why not `serialized_rollback=True`: once Playwright's sync API has started, the test thread has
a running asyncio loop, so Django's thread-critical `connections` hand out a *new* connection
wrapper (asgiref Local switches to context-var storage) that lacks `_test_serialized_contents`,
and the serialized rollback silently restores nothing from the second browser test on.
"""

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test's thread; without this, Django
# refuses ORM calls made by fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.e2e.pages import CHROMIUM_ARGS, DESKTOP

E2E_DIR = Path(__file__).resolve().parent

MISSING_CHROMIUM = "chromium not found on PATH: install Debian's chromium: make system-deps"

# Playwright's default is 30 s; a local live server answers in milliseconds, so fail fast.
TIMEOUT_MS = 5_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def bureaus(transactional_db):
    """The 13 bureaus of migration 0002, loaded by the migration's own function (idempotent)."""
    from django.apps import apps

    migration = importlib.import_module("practitioners.migrations.0002_bureaus")
    migration.load_bureaus(apps, None)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _new_page(browser, viewport: dict, **options):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=viewport,
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser tab (own cookies) at desktop size, asking for Simplified Chinese."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def new_page(browser):
    """Factory for extra tabs of a given viewport, e.g. `new_page(PHONE, is_mobile=True)`."""
    contexts = []

    def make(viewport: dict = DESKTOP, **options):
        context, page = _new_page(browser, viewport, **options)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the top of the checkout: screenshots the journeys write for a human to
    look at (not kept in git)."""
    folder = E2E_DIR.parent.parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
