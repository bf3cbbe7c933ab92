"""The deadline day's visitors, for locust (run by load/run.py, which seeds the people and
starts the servers; see its docstring).

Practitioners (a new person each journey, each submitting once): activate their account or log
in, open their page and the form, save a draft, upload a photo, submit, see their status, open
the print page (the form printable at once) and download the PDF. Clerks of four county bureaus: log in once, then take the people of
their bureau the practitioners submitted, in turn: search the ID number at the counter (which
leads to the review), review, confirm.

Every request goes to the servers in turn, as a load balancer without sticky sessions would
send them, with `X-Forwarded-Proto: https` (the production cookies are Secure). Redirects are
followed by hand, so that each page has its own figures. A page answering anything but what a
browser expects is a failure (locust's failures table says what it answered). Pages only: not
the static files (WhiteNoise, cached by browsers for a year) nor the photo thumbnails the pages
show. What both kinds of visitor share is in load/visitors.py.

Environment: LOAD_DATA (the people and clerks, from load/data.py, with the servers' URLs),
LOAD_OUTCOMES (written when the run stops: who submitted, who was confirmed, the forms seen),
LOAD_PACING (seconds between the starts of one simulated practitioner's journeys),
LOAD_WARMUP (seconds after which the statistics start afresh), LOAD_FORM_REFRESHES (how many
times the "being prepared" page may refresh itself before the person leaves; 0 by default).
"""

import io
import os
import random
import time
from collections import deque

import gevent
from locust import task
from locust.exception import StopUser
from PIL import Image, ImageDraw, ImageFilter
from visitors import (
    AT_THE_COUNTER,
    DATA,
    OUTCOMES,
    PEOPLE,
    Failed,
    Visitor,
    csrf_token,
    location_path,
)

from tests.servers import confirm_fields, multipart

PACING = float(os.environ.get("LOAD_PACING", "20"))
# How many times a practitioner shown the "being prepared" page (202) lets it refresh itself
# (every 5 s) before leaving; 0: one look, as most would come back later.
FORM_REFRESHES = int(os.environ.get("LOAD_FORM_REFRESHES", "0"))
ACTIVATION_PASSWORD = "Load-test-2026!"
CLERKS = deque((code, name) for code, names in DATA["clerks"].items() for name in names)


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
                token=csrf_token(page.content),
            )
            home = location_path(done)
        else:
            home = self.log_in(person["id_number"])
        self.get(home, "GET /me/")
        self.pause()
        done = self.send_form("save", "POST /me/application/ (save draft)")
        self.get(location_path(done), "GET /me/application/ (draft saved)")
        self.pause()
        page = self.get("/me/photo/")
        body, content_type = multipart(
            {"csrfmiddlewaretoken": csrf_token(page.content)},
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
        self.get(location_path(done), "GET /me/photo/ (photo saved)")
        self.pause()
        done = self.send_form("submit", "POST /me/application/ (submit)")
        submitted_at = time.monotonic()
        OUTCOMES["submitted"].append(person["id_number"])
        AT_THE_COUNTER[person["bureau"]].append(person["id_number"])
        status = self.get(location_path(done), "GET /me/ (status)")
        if b'data-status="submitted"' not in status.content:
            raise Failed("status page")
        # The print button: the form, printable at once whatever the worker's queue.
        printed = self.get("/me/application/print/", "GET /me/application/print/")
        if "受理编号".encode() not in printed.content:
            raise Failed("print page")
        OUTCOMES["printable_ms"].append(round((time.monotonic() - submitted_at) * 1000))
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
            review_path = location_path(found)
            review = self.get(review_path, "GET /counter/applications/<id>/ (review)")
            done = self.post(
                review_path + "confirm/",
                confirm_fields(review.content),
                "POST /counter/applications/<id>/confirm/",
                token=csrf_token(review.content),
            )
            after = self.get(location_path(done), "GET /counter/applications/<id>/ (confirmed)")
            if b'id="archive-number"' not in after.content:
                raise Failed("not confirmed")
        except Failed:
            return
        OUTCOMES["confirmed"].append(id_number)
        OUTCOMES["counter_journeys"] += 1
