"""`make screenshots`: every kind of page and PDF of the product, as its users meet it, for people
to look at.

Runs the product as `make run` does (its own error pages, the demo data) on a fresh SQLite
database in a temporary folder, then drives Debian's Chromium through each role's pages at the
counter PC's width (1366) and a phone's (390), and turns the PDFs into PNG (pdftoppm).
Everything goes to test-artifacts/screens/ (gitignored); the list of what was taken is printed.

    .venv/bin/python scripts/screenshots.py [--practitioners 600] [--out test-artifacts/screens]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.pages import CHROMIUM_ARGS  # noqa: E402  (the browser tests' own flags)

PASSWORD = "Registry-2026"  # practitioners.demo.DEMO_PASSWORD
WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs
    )


def demo_facts(env: dict) -> dict:
    """Who and what to open: a person in each state, their references, a confirmation."""
    code = """
import json
from collection.models import Application
from confirmation.models import Confirmation
from practitioners.models import Practitioner
out = {}
for status in ("draft", "submitted", "returned", "confirmed"):
    a = Application.objects.filter(status=status, bureau__code="450103").select_related("practitioner").order_by("id").first()
    out[status] = {"login": a.practitioner.id_number, "pk": a.pk, "practitioner": a.practitioner_id}
other = Practitioner.objects.exclude(bureau__code="450103").order_by("id").first()
out["elsewhere_id"] = other.id_number
fresh = Practitioner.objects.filter(account__isnull=True, bureau__code="450103").order_by("id").first()
out["fresh"] = {"name": fresh.name, "id_number": fresh.id_number, "cert_number": fresh.cert_number}
c = Confirmation.objects.filter(bureau__code="450103").order_by("-confirmed_at").first()
out["confirmation"] = c.pk
out["confirmed_day"] = c.confirmed_at.astimezone().date().isoformat()
print(json.dumps(out))
"""
    import json

    done = manage(env, "shell", "-c", code, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


class Shooter:
    def __init__(self, browser, base: str, out: Path):
        self.browser, self.base, self.out = browser, base, out
        self.taken: list[str] = []

    def session(self, width: str, login: str | None = None):
        options = {"viewport": WIDTHS[width], "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if width == "390":
            options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        context = self.browser.new_context(**options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if login:
            page.goto(self.base + "/accounts/login/")
            page.locator("input[name=username]").fill(login)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("main form").get_by_role("button").click()
            page.wait_for_load_state()
        return context, page

    def shot(self, page, name: str, width: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(self.base + url)
        page.evaluate(
            "document.querySelectorAll('.registry-actions')"
            ".forEach(e => { e.style.position = 'static'; })"
        )
        path = self.out / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.taken.append(
            f"{path.name}" + (f"  (scrolls sideways by {overflow} px)" if overflow else "")
        )

    def pdf(self, page, name: str, url: str, method: str = "get", form: dict | None = None) -> None:
        response = (
            page.request.get(self.base + url)
            if method == "get"
            else page.request.post(
                self.base + url,
                form=form or {},
                headers={"X-CSRFToken": csrf_token(page), "Referer": self.base + "/"},
            )
        )
        assert response.ok, (url, response.status)
        target = self.out / f"{name}.pdf"
        target.write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "80", target, self.out / name], check=True)
        self.taken.append(f"{name}.pdf (+ PNG pages)")


def csrf_token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def run(out: Path, practitioners: int) -> list[str]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="registry-screens-"))
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
    }
    manage(env, "migrate", "--noinput", stdout=subprocess.DEVNULL)
    manage(env, "seed_demo", "--practitioners", str(practitioners), stdout=subprocess.DEVNULL)
    facts = demo_facts(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
            )
            shooter = Shooter(browser, base, out)
            take_everything(shooter, facts)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return shooter.taken


def take_everything(s: Shooter, facts: dict) -> None:
    for width in WIDTHS:
        context, page = s.session(width)
        for name, url in (
            ("login", "/accounts/login/"),
            ("activate", "/activate/"),
            ("reset-with-code", "/accounts/reset-with-code/"),
            ("password-reset", "/accounts/password-reset/"),
            ("not-found", "/no-such-page/"),
        ):
            s.shot(page, name, width, url)
        page.goto(s.base + "/activate/")
        fresh = facts["fresh"]
        for field, value in (
            ("name", fresh["name"]),
            ("id_number", fresh["id_number"]),
            ("cert_number", fresh["cert_number"][:-1] + "9"),
            ("password1", "Lvcheng-Ledger-2026!"),
            ("password2", "Lvcheng-Ledger-2026!"),
            ("mobile", "13907710000"),
        ):
            page.locator(f"form input[name={field}]").fill(value)
        page.locator("main form").get_by_role("button").click()
        page.wait_for_load_state()
        s.shot(page, "activate-mismatch", width)
        context.close()

        for status in ("draft", "submitted", "returned", "confirmed"):
            context, page = s.session(width, facts[status]["login"])
            s.shot(page, f"practitioner-home-{status}", width, "/me/")
            if status != "confirmed":
                s.shot(page, f"practitioner-form-{status}", width, "/me/application/")
            if status == "draft":
                s.shot(page, "practitioner-photo", width, "/me/photo/")
                page.goto(s.base + "/me/application/")
                page.locator("#application-form [name=mobile]").fill("123")
                page.locator("#application-form button[name=action][value=submit]").click()
                page.wait_for_load_state()
                s.shot(page, "practitioner-form-errors", width)
            if status == "submitted" and width == "1366":
                s.pdf(page, "application-form", "/me/application.pdf")
            context.close()

        context, page = s.session(width, "clerk_450103")
        submitted, confirmed = facts["submitted"], facts["confirmed"]
        for name, url in (
            ("clerk-counter", "/counter/"),
            ("clerk-counter-elsewhere", f"/counter/?q={facts['elsewhere_id']}"),
            ("clerk-queue", "/counter/queue/"),
            ("clerk-review-submitted", f"/counter/applications/{submitted['pk']}/"),
            ("clerk-review-confirmed", f"/counter/applications/{confirmed['pk']}/"),
            ("clerk-day-sheet", f"/counter/day/?day={facts['confirmed_day']}"),
            ("clerk-register", "/register/"),
            ("clerk-record", f"/register/{submitted['practitioner']}/"),
            ("clerk-staff-application", f"/register/{confirmed['practitioner']}/application/"),
            ("clerk-campaigns", "/campaigns/"),
        ):
            s.shot(page, name, width, url)
        page.goto(s.base + f"/counter/applications/{submitted['pk']}/")
        page.locator("#return-form button").click()
        page.wait_for_load_state()
        s.shot(page, "clerk-return-nothing-chosen", width)
        if width == "1366":
            s.pdf(page, "day-sheet", f"/counter/day/?day={facts['confirmed_day']}&format=pdf")
            s.pdf(
                page,
                "certificate",
                f"/counter/confirmations/{facts['confirmation']}/certificate.pdf",
                "post",
                {"reason": "看一看"},
            )
        context.close()

        context, page = s.session(width, "admin_450103")
        for name, url in (
            ("admin-import", "/register/import/"),
            ("admin-export", "/register/export/"),
            ("admin-printer", "/counter/print-settings/"),
        ):
            s.shot(page, name, width, url)
        if width == "1366":
            s.pdf(page, "calibration", "/counter/print-settings/calibration.pdf", "post")
        context.close()

        context, page = s.session(width, "city")
        for name, url in (
            ("city-bureaus", "/bureaus/"),
            ("city-campaigns", "/campaigns/"),
            ("city-campaign-new", "/campaigns/new/"),
            ("city-queue-450103", "/counter/queue/?bureau=450103"),
            ("city-move", f"/register/{submitted['practitioner']}/move/"),
        ):
            s.shot(page, name, width, url)
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practitioners", type=int, default=600)
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    args = parser.parse_args()
    if shutil.which("chromium") is None or shutil.which("pdftoppm") is None:
        print("needs Debian's chromium and poppler-utils: make test-system-deps", file=sys.stderr)
        return 1
    for line in run(args.out, args.practitioners):
        print(line)
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
