"""What every simulated visitor of the load test shares (load/locustfile.py holds the two kinds):
the run's data and outcomes, the listeners that count requests and write the outcomes when the
run stops, and `Visitor`, which sends every request to the servers in turn with
`X-Forwarded-Proto: https`, keeps the cookies by hand and fails a page that answers anything but
what a browser expects.

Environment: LOAD_DATA (the people and clerks, from load/data.py, with the servers' URLs),
LOAD_OUTCOMES (written when the run stops), LOAD_WARMUP (seconds after which the statistics
start afresh), LOAD_REQUEST_LOG (every request's time, page and outcome, for the fault runs).
"""

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
from locust import FastHttpUser, events

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import application_form_fields  # noqa: E402

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
SERVERS: list[str] = DATA["servers"]
PASSWORD: str = DATA["password"]
WARMUP = float(os.environ.get("LOAD_WARMUP", "0"))


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
OUTCOMES = {
    "submitted": [],  # ID numbers whose submit answered 302 to their page
    "confirmed": [],  # ID numbers whose confirmation answered 302 to the review, confirmed
    "journeys": 0,  # practitioner journeys completed (the form downloaded or pending)
    # ms from a submit's answer to the print page's (the form printable at once), each journey
    "printable_ms": [],
    "counter_journeys": 0,  # confirmations completed
    "forms": {"ready": 0, "pending": 0},
    "failures": [],  # (name, what) of every failure, warm-up included
    "requests": 0,  # every request, warm-up included
    "warmup_requests": 0,
    "people_left": 0,
}


# Every request's end (epoch seconds), page, success and status, when LOAD_REQUEST_LOG names a
# file for them (the fault runs: report.py reads them against the faults' times).
REQUEST_LOG = os.environ.get("LOAD_REQUEST_LOG")
REQUESTS: list[list] = []


@events.request.add_listener
def _count(request_type, name, response_time, response_length, exception=None, **kwargs):
    OUTCOMES["requests"] += 1
    if exception is not None:
        OUTCOMES["failures"].append([f"{request_type} {name}", str(exception)[:300]])
    if REQUEST_LOG:
        response = kwargs.get("response")
        status = getattr(response, "status_code", 0) if response is not None else 0
        REQUESTS.append([round(time.time(), 3), name, exception is None, status])


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
    if REQUEST_LOG:
        Path(REQUEST_LOG).write_text(json.dumps(REQUESTS, ensure_ascii=False))


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
            "/me/application/", {**fields, "action": action}, name, token=csrf_token(form.content)
        )

    def log_in(self, username: str) -> str:
        """The login page and its form; where the login sends the person."""
        page = self.get("/accounts/login/")
        done = self.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD},
            "POST /accounts/login/",
            token=csrf_token(page.content),
        )
        role_page = self.get(location_path(done), "GET / (to the role's page)", expect=302)
        return location_path(role_page)


def csrf_token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise Failed("no CSRF token")
    return found[1].decode()


def location_path(response) -> str:
    location = response.headers["Location"]
    return "/" + location.split("//", 1)[1].split("/", 1)[1] if "//" in location else location
