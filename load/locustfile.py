"""The deadline day's visitors, for locust (run by load/run.py, which seeds the people and
starts the servers; see its docstring).

Practitioners (a new person each journey, each submitting once): activate their account or log
in, open their page and the form, save a draft, upload a photo, submit, see their status, and
download the printed form. Clerks of four county bureaus: log in once, then take the people of
their bureau the practitioners submitted, in turn: search the ID number at the counter (which
leads to the review), review, confirm.

Every request goes to the servers in turn, as a load balancer without sticky sessions would
send them, with `X-Forwarded-Proto: https` (the production cookies are Secure). Redirects are
followed by hand, so that each page has its own figures. A page answering anything but what a
browser expects is a failure (locust's failures table says what it answered). Pages only:
not the static files (WhiteNoise, cached by browsers for a year) nor the photo thumbnails
the pages show.

Environment: LOAD_DATA (the people and clerks, from load/data.py, with the servers' URLs),
LOAD_OUTCOMES (written when the run stops: who submitted, who was confirmed, the forms seen),
LOAD_PACING (seconds between the starts of one simulated practitioner's journeys),
LOAD_WARMUP (seconds after which the statistics start afresh), LOAD_FORM_REFRESHES (how many
times the "being prepared" page may refresh itself before the person leaves; 0 by default).
"""

import io
import json
import os
import random
import re
import sys
import time
from collections import deque
from itertools import count
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import application_form_fields, confirm_fields, multipart  # noqa: E402

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
SERVERS: list[str] = DATA["servers"]
PASSWORD: str = DATA["password"]
PACING = float(os.environ.get("LOAD_PACING", "20"))
WARMUP = float(os.environ.get("LOAD_WARMUP", "0"))
# How many times a practitioner shown the "being prepared" page (202) lets it refresh itself
# (every 5 s) before leaving; 0: one look, as most would come back later.
FORM_REFRESHES = int(os.environ.get("LOAD_FORM_REFRESHES", "0"))
ACTIVATION_PASSWORD = "Load-test-2026!"


def _people() -> deque:
    """Activations and logins alternately, the bureaus in turn (so every counter has work)."""
    rng = random.Random(7)
    activate, login = list(DATA["activate"]), list(DATA["login"])
    rng.shuffle(activate)
    rng.shuffle(login)
    mixed = []
    for a, b in zip(activate, login, strict=False):
        mixed += [("activate", a), ("login", b)]
    return deque(mixed)


PEOPLE = _people()
# ID numbers submitted in the run, per bureau, waiting for their clerk.
AT_THE_COUNTER: dict[str, deque] = {code: deque() for code in DATA["clerks"]}
CLERKS = deque((code, name) for code, names in DATA["clerks"].items() for name in names)
OUTCOMES = {
    "submitted": [],  # ID numbers whose submit answered 302 to their page
    "confirmed": [],  # ID numbers whose confirmation answered 302 to the review, confirmed
    "journeys": 0,  # practitioner journeys completed (the form downloaded or pending)
    "counter_journeys": 0,  # confirmations completed
    "forms": {"ready": 0, "pending": 0},
    "failures": [],  # (name, what) of every failure, warm-up included
    "requests": 0,  # every request, warm-up included
    "warmup_requests": 0,
    "people_left": 0,
}


def _photos() -> list[bytes]:
    """A few ID photos (1200 x 1600, like a phone's, cropped): a face on a light background,
    with some grain, so that they compress like a photo."""
    out = []
    for n in range(12):
        rng = random.Random(n)
        noise = Image.effect_noise((1200, 1600), 40).convert("RGB")
        base = Image.new("RGB", (1200, 1600), (200 + n, 210, 225 - n))
        image = Image.blend(base, noise, 0.25)
        draw = ImageDraw.Draw(image)
        shade = tuple(rng.randint(80, 140) for _ in range(3))
        draw.ellipse((400, 260, 800, 760), fill=shade)
        draw.rounded_rectangle((200, 760, 1000, 1800), radius=260, fill=(60, 70, 90))
        image = image.filter(ImageFilter.GaussianBlur(1))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
    return out


PHOTOS = _photos()


@events.request.add_listener
def _count(request_type, name, response_time, response_length, exception=None, **kwargs):
    OUTCOMES["requests"] += 1
    if exception is not None:
        OUTCOMES["failures"].append([f"{request_type} {name}", str(exception)[:300]])


@events.test_start.add_listener
def _start(environment, **kwargs):
    OUTCOMES["started_at"] = time.time()
    if WARMUP:

        def reset():
            gevent.sleep(WARMUP)
            OUTCOMES["warmup_requests"] = OUTCOMES["requests"]
            environment.runner.stats.reset_all()
            OUTCOMES["measured_from"] = time.time()

        gevent.spawn(reset)


@events.quitting.add_listener
def _write(environment, **kwargs):
    OUTCOMES["people_left"] = len(PEOPLE)
    OUTCOMES["waiting_at_the_counter"] = sum(map(len, AT_THE_COUNTER.values()))
    OUTCOMES["stopped_at"] = time.time()
    Path(os.environ["LOAD_OUTCOMES"]).write_text(json.dumps(OUTCOMES, ensure_ascii=False))


class Failed(Exception):
    """A page answered what no browser expects: the journey stops (it is already counted)."""


class Visitor(FastHttpUser):
    abstract = True
    host = SERVERS[0]  # every request names its server (see _url)
    network_timeout = 60.0
    connection_timeout = 10.0
    _turn = count()

    def on_start(self):
        self.turn = next(Visitor._turn)
        # Cookies by hand, as a browser behind the HTTPS proxy keeps them: the session's own
        # cookie jar does not send the production cookies (Secure) over plain HTTP.
        self.client.client.cookiejar = None
        self.cookies: dict[str, str] = {}

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in rest or not value.strip('"'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def _url(self, path: str) -> str:
        self.turn += 1
        return SERVERS[self.turn % len(SERVERS)] + path

    def call(self, method: str, path: str, name: str, *, expect: int, data=None, headers=None):
        """One request; a failure unless it answers `expect` (and, for 302, a Location)."""
        server = SERVERS[(self.turn + 1) % len(SERVERS)]
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": "https://" + server.split("//", 1)[1],
            **self._cookie_header(),
            **(headers or {}),
        }
        with self.client.request(
            method,
            self._url(path),
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            if response.status_code != expect or (
                expect == 302 and not response.headers.get("Location")
            ):
                body = (response.text or "")[:200] if response.content else ""
                response.failure(f"HTTP {response.status_code} (expected {expect}) {body!r}")
                raise Failed(name)
            response.success()
            return response

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str, name: str | None = None, expect: int = 200):
        return self.call("GET", path, name or f"GET {path}", expect=expect)

    def post(self, path: str, fields: dict, name: str, *, token: str, expect: int = 302):
        return self.call(
            "POST",
            path,
            name,
            expect=expect,
            data=urlencode({"csrfmiddlewaretoken": token, **fields}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def send_form(self, action: str, name: str):
        """Open the application form, read it as the person would, and post it as it stands."""
        form = self.get("/me/application/")
        fields = application_form_fields(form.content)
        self.pause()
        return self.post(
            "/me/application/", {**fields, "action": action}, name, token=_token(form.content)
        )

    def log_in(self, username: str) -> str:
        """The login page and its form; where the login sends the person."""
        page = self.get("/accounts/login/")
        done = self.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD},
            "POST /accounts/login/",
            token=_token(page.content),
        )
        role_page = self.get(_path(done), "GET / (to the role's page)", expect=302)
        return _path(role_page)


def _token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise Failed("no CSRF token")
    return found[1].decode()


def _path(response) -> str:
    location = response.headers["Location"]
    return "/" + location.split("//", 1)[1].split("/", 1)[1] if "//" in location else location


class Practitioner(Visitor):
    """One new person per journey, a journey every PACING seconds (a constant arrival rate),
    with a person's pauses between the pages."""

    weight = 1

    def wait_time(self):
        return max(0.0, self._next_start - time.monotonic())

    def on_start(self):
        super().on_start()
        # Each simulated practitioner starts at a random moment of the first period, so that
        # the journeys arrive evenly from the start.
        self._next_start = time.monotonic() + random.uniform(0, PACING)
        gevent.sleep(self._next_start - time.monotonic())

    def pause(self):
        gevent.sleep(random.uniform(0.3, 0.9))

    @task
    def journey(self):
        self._next_start += PACING
        try:
            kind, person = PEOPLE.popleft()
        except IndexError:
            raise StopUser() from None
        self.cookies.clear()  # another person, another browser
        try:
            self._journey(kind, person)
        except Failed:
            return
        OUTCOMES["journeys"] += 1

    def _journey(self, kind: str, person: dict) -> None:
        if kind == "activate":
            page = self.get("/activate/")
            self.pause()
            done = self.post(
                "/activate/",
                {
                    "name": person["name"],
                    "id_number": person["id_number"],
                    "cert_number": person["cert_number"],
                    "password1": ACTIVATION_PASSWORD,
                    "password2": ACTIVATION_PASSWORD,
                    "mobile": person["mobile"],
                    "email": person["email"],
                },
                "POST /activate/",
                token=_token(page.content),
            )
            home = _path(done)
        else:
            home = self.log_in(person["id_number"])
        self.get(home, "GET /me/")
        self.pause()
        done = self.send_form("save", "POST /me/application/ (save draft)")
        self.get(_path(done), "GET /me/application/ (draft saved)")
        self.pause()
        page = self.get("/me/photo/")
        body, content_type = multipart(
            {"csrfmiddlewaretoken": _token(page.content)},
            {"photo": ("photo.jpg", random.choice(PHOTOS))},
        )
        done = self.call(
            "POST",
            "/me/photo/",
            "POST /me/photo/",
            expect=302,
            data=body,
            headers={"Content-Type": content_type},
        )
        self.get(_path(done), "GET /me/photo/ (photo saved)")
        self.pause()
        done = self.send_form("submit", "POST /me/application/ (submit)")
        OUTCOMES["submitted"].append(person["id_number"])
        AT_THE_COUNTER[person["bureau"]].append(person["id_number"])
        status = self.get(_path(done), "GET /me/ (status)")
        if b'data-status="submitted"' not in status.content:
            raise Failed("status page")
        self.pause()
        self._download_form()

    def _download_form(self) -> None:
        """200 with the PDF, or 202 with a page saying it is being prepared: both fine, counted
        apart (and named apart in the figures)."""
        for _ in range(FORM_REFRESHES):
            if self._form_once():
                return
            gevent.sleep(5)
        self._form_once()

    def _form_once(self) -> bool:
        """One download of the form; True when it came as a PDF."""
        with self.client.request(
            "GET",
            self._url("/me/application.pdf"),
            name="GET /me/application.pdf",
            headers={"X-Forwarded-Proto": "https", **self._cookie_header()},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            kind = response.headers.get("Content-Type", "")
            if response.status_code == 200 and kind.startswith("application/pdf"):
                if not response.content.startswith(b"%PDF-"):
                    response.failure("200 without a PDF")
                    raise Failed("form")
                response.request_meta["name"] = "GET /me/application.pdf (200 PDF)"
                OUTCOMES["forms"]["ready"] += 1
                ready = True
            elif response.status_code == 202 and b"data-form-pending" in response.content:
                response.request_meta["name"] = "GET /me/application.pdf (202 pending)"
                OUTCOMES["forms"]["pending"] += 1
                ready = False
            else:
                response.failure(f"HTTP {response.status_code} {kind}")
                raise Failed("form")
            response.success()
            return ready


class Clerk(Visitor):
    """A clerk at a county bureau's counter: logs in once, then confirms the people of the
    bureau the practitioners submitted, one after the other, as they come."""

    fixed_count = sum(len(names) for names in DATA["clerks"].values())

    def wait_time(self):
        return 0.5 if not AT_THE_COUNTER[self.bureau] else random.uniform(0.2, 0.6)

    def on_start(self):
        super().on_start()
        self.bureau, self.username = CLERKS.popleft()
        self.logged_in = False

    @task
    def next_person(self):
        if not AT_THE_COUNTER[self.bureau]:
            return  # no one waiting: nothing asked of the servers
        id_number = AT_THE_COUNTER[self.bureau].popleft()
        try:
            if not self.logged_in:
                self.get(self.log_in(self.username), "GET /register/ (staff home)")
                self.logged_in = True
            found = self.get(f"/counter/?q={id_number}", "GET /counter/?q= (search)", expect=302)
            review_path = _path(found)
            review = self.get(review_path, "GET /counter/applications/<id>/ (review)")
            done = self.post(
                review_path + "confirm/",
                confirm_fields(review.content),
                "POST /counter/applications/<id>/confirm/",
                token=_token(review.content),
            )
            after = self.get(_path(done), "GET /counter/applications/<id>/ (confirmed)")
            if b'id="archive-number"' not in after.content:
                raise Failed("not confirmed")
        except Failed:
            return
        OUTCOMES["confirmed"].append(id_number)
        OUTCOMES["counter_journeys"] += 1
