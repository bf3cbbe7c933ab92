"""The load's journeys in one process, through Django's test client, timed page by page in
process time (load/cpu_profile.py prepares the database and runs this with the production settings).

    journeys.py WORK_DIR [--journeys N] [--cprofile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import application_form_fields, confirm_fields  # noqa: E402

PASSWORD_PAGES = {"POST /accounts/login/", "POST /activate/"}
PHOTO_PAGE = "POST /me/photo/"


def photo() -> bytes:
    """A phone's 1200 x 1600 ID photo with some grain, as the load test's."""
    from PIL import Image, ImageDraw, ImageFilter

    noise = Image.effect_noise((1200, 1600), 40).convert("RGB")
    image = Image.blend(Image.new("RGB", (1200, 1600), (205, 210, 220)), noise, 0.25)
    draw = ImageDraw.Draw(image)
    draw.ellipse((400, 260, 800, 760), fill=(110, 100, 95))
    draw.rounded_rectangle((200, 760, 1000, 1800), radius=260, fill=(60, 70, 90))
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


class Browser:
    """One person's browser: the test client, every request timed in process time under its
    page's name; the profiler (if any) on for every page but the password's and the photo's."""

    client = None  # one for all: a client loads the middleware again (WhiteNoise's files)
    queries: dict[str, list[int]] | None = None  # with --queries: each page's query counts

    def __init__(self, times: dict[str, list[float]], profiler: cProfile.Profile | None):
        from http.cookies import SimpleCookie

        from django.test import Client

        if Browser.client is None:
            Browser.client = Client(
                enforce_csrf_checks=True,
                HTTP_X_FORWARDED_PROTO="https",
                HTTP_HOST="127.0.0.1",
                HTTP_ORIGIN="https://127.0.0.1",
            )
        self.cookies: SimpleCookie = SimpleCookie()
        self.times = times
        self.profiler = profiler

    def request(self, method: str, path: str, name: str, expect: int, **kwargs):
        profiled = self.profiler is not None and name not in PASSWORD_PAGES | {PHOTO_PAGE}
        self.client.cookies = self.cookies
        started = time.process_time()
        if profiled:
            self.profiler.enable()
        if self.queries is not None:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                response = getattr(self.client, method)(path, **kwargs)
            self.queries[name].append(len(captured.captured_queries))
        else:
            response = getattr(self.client, method)(path, **kwargs)
        if profiled:
            self.profiler.disable()
        self.times[name].append((time.process_time() - started) * 1000)
        if response.status_code != expect:
            raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}")
        return response

    def get(self, path: str, name: str, expect: int = 200):
        return self.request("get", path, name, expect)

    def post(self, path: str, data: dict, name: str, expect: int = 302, **kwargs):
        token = self.cookies["csrftoken"].value
        return self.request(
            "post", path, name, expect, data={"csrfmiddlewaretoken": token, **data}, **kwargs
        )

    def log_in(self, username: str, password: str) -> str:
        self.get("/accounts/login/", "GET /accounts/login/")
        done = self.post(
            "/accounts/login/",
            {"username": username, "password": password},
            "POST /accounts/login/",
        )
        return self.get(done.url, "GET / (to the role's page)", expect=302).url

    def send_form(self, action: str, name: str):
        page = self.get("/me/application/", "GET /me/application/")
        return self.post(
            "/me/application/", {**application_form_fields(page.content), "action": action}, name
        )


def journey(browser: Browser, kind: str, person: dict, password: str, image: bytes) -> None:
    if kind == "activate":
        browser.get("/activate/", "GET /activate/")
        done = browser.post(
            "/activate/",
            {
                "name": person["name"],
                "id_number": person["id_number"],
                "cert_number": person["cert_number"],
                "password1": "Load-test-2026!",
                "password2": "Load-test-2026!",
                "mobile": person["mobile"],
                "email": person["email"],
            },
            "POST /activate/",
        )
        home = done.url
    else:
        home = browser.log_in(person["id_number"], password)
    browser.get(home, "GET /me/")
    done = browser.send_form("save", "POST /me/application/ (save draft)")
    browser.get(done.url, "GET /me/application/ (draft saved)")
    browser.get("/me/photo/", "GET /me/photo/")
    upload = io.BytesIO(image)
    upload.name = "photo.jpg"
    done = browser.post("/me/photo/", {"photo": upload}, PHOTO_PAGE)
    browser.get(done.url, "GET /me/photo/ (photo saved)")
    done = browser.send_form("submit", "POST /me/application/ (submit)")
    browser.get(done.url, "GET /me/ (status)")
    browser.get("/me/application/print/", "GET /me/application/print/")
    browser.get("/me/application.pdf", "GET /me/application.pdf (202 pending)", expect=202)


def confirm(clerk: Browser, id_number: str) -> None:
    found = clerk.get(f"/counter/?q={id_number}", "GET /counter/?q= (search)", expect=302)
    review = clerk.get(found.url, "GET /counter/applications/<id>/ (review)")
    done = clerk.post(
        found.url + "confirm/",
        confirm_fields(review.content),
        "POST /counter/applications/<id>/confirm/",
    )
    clerk.get(done.url, "GET /counter/applications/<id>/ (confirmed)")


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "accounting_registry.settings.production"
    import django

    django.setup()
    p = argparse.ArgumentParser()
    p.add_argument("work", type=Path)
    p.add_argument("--journeys", type=int, default=40)
    p.add_argument("--cprofile", type=Path)
    p.add_argument("--queries", action="store_true", help="count each page's SQL queries")
    args = p.parse_args()
    if args.queries:
        Browser.queries = defaultdict(list)
    data = json.loads((args.work / "people.json").read_text())
    used_file = args.work / "used.json"
    used = set(json.loads(used_file.read_text())) if used_file.exists() else set()
    people = [
        (kind, person)
        for pair in zip(data["activate"], data["login"], strict=False)
        for kind, person in zip(("activate", "login"), pair, strict=True)
        if person["id_number"] not in used
    ]
    if len(people) < args.journeys:
        raise SystemExit("not enough people left: run without --reuse")
    profiler = cProfile.Profile() if args.cprofile else None
    times: dict[str, list[float]] = defaultdict(list)
    clerks = {}
    for code, names in data["clerks"].items():
        clerks[code] = Browser(times, profiler)
        clerks[code].log_in(names[0], data["password"])
    image = photo()
    bare = Browser(times, None)
    for n, (kind, person) in enumerate(people[: args.journeys]):
        journey(Browser(times, profiler), kind, person, data["password"], image)
        confirm(clerks[person["bureau"]], person["id_number"])
        used.add(person["id_number"])
        if n == 0:
            times.clear()  # the first journey warms the caches
    used_file.write_text(json.dumps(sorted(used)))
    for _ in range(200):
        started = time.process_time()
        bare.client.cookies = bare.cookies
        bare.client.get("/favicon.ico")
        times["bare request (favicon)"].append((time.process_time() - started) * 1000)
    if profiler:
        profiler.dump_stats(args.cprofile)
    report(times, args.journeys - 1, Browser.queries or {})


def report(times: dict[str, list[float]], journeys: int, queries: dict[str, list[int]]) -> None:
    """Each page's CPU time, median and per journey, slowest first (with --queries, the most
    queries a request of the page made, which is the time's counted with the capture on)."""
    print(f"{'page':52s} {'n':>5s} {'median ms':>10s} {'per journey ms':>15s}", end="")
    print(f" {'queries':>8s}" if queries else "")
    total = 0.0
    for name, values in sorted(times.items(), key=lambda item: -sum(item[1])):
        per_journey = sum(values) / journeys
        if not name.startswith("bare"):
            total += per_journey
        print(
            f"{name:52s} {len(values):5d} {statistics.median(values):10.2f} {per_journey:15.1f}",
            end="",
        )
        print(f" {max(queries[name]):8d}" if name in queries else "")
    print(f"{'a journey and its confirmation':52s} {'':5s} {'':10s} {total:15.1f}")


if __name__ == "__main__":
    random.seed(2026)
    main()
