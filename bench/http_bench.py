"""The lookup page over HTTP, against a trivial view on the same server with the same settings.

A real server (gunicorn, HTTP_WORKERS processes, the bench settings with their URLs: the
product's and `bench/bare/`) is loaded by wrk (C, light on the two cores) with a logged-in
county clerk's cookies, as the clerk's browser would send them (session and CSRF cookie):

- `http_rps_bare`: `bench/bare/`, a view that answers "ok", behind every middleware of the
  product (session, user, second factor, CSRF, CSP...): the most a page could be served at.
- `http_rps_lookup`: `/register/?q=<full ID number>`, a different person of the clerk's bureau
  on every request (a Lua script), the counter's search through the real view and template.

They alternate in HTTP_ROUNDS rounds of HTTP_SECONDS each, so that other work on the machine
hits both alike; each figure is the median of its rounds. Responses are checked: first
CHECKED lookups one by one (each shows exactly its person), then wrk counts every status
other than 2xx/3xx (reading the bodies in wrk's Lua would take the CPU the server needs).
The ratio lookup/bare is what the page itself costs above the framework.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402  (the deployment's processes, as the load test starts them)

HTTP_WORKERS = 4  # gunicorn processes: 2 per core
HTTP_CONNECTIONS = 8
HTTP_SECONDS = 10
HTTP_ROUNDS = 3
HTTP_PEOPLE = 2000  # ID numbers the lookups cycle through
CLERK_USERNAME = "clerk_450103"  # created by seed_demo: a county clerk

LOOKUP_SCRIPT = """
ids = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/register/?q=" .. ids[(counter %% #ids) + 1])
end
"""
CHECKED = 200  # lookups checked one by one before the load: one row, the right person


def _session_cookies(base: str) -> str:
    """A logged-in clerk's cookies: a session (made here, kept in the database both processes
    read) and the CSRF cookie the first page hands out."""
    from django.test import Client

    from practitioners.models import User

    client = Client()
    client.force_login(User.objects.get(username=CLERK_USERNAME))
    session = client.cookies["sessionid"].value
    request = urllib.request.Request(
        base + "/register/", headers={"Cookie": f"sessionid={session}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, response.status
        csrf = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"] or "")
    assert csrf, "the register page set no CSRF cookie"
    return f"sessionid={session}; csrftoken={csrf[1]}"


def _people() -> list[str]:
    from practitioners.models import Practitioner, User

    bureau = User.objects.get(username=CLERK_USERNAME).bureau
    return list(
        Practitioner.objects.filter(bureau=bureau)
        .order_by("pk")
        .values_list("id_number", flat=True)[:HTTP_PEOPLE]
    )


def _check_lookups(base: str, cookies: str, people: list[str]) -> None:
    for number in people[:CHECKED]:
        request = urllib.request.Request(
            f"{base}/register/?q={number}", headers={"Cookie": cookies}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            page = response.read().decode()
        rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        assert rows.count("<tr>") == 1, f"{number}: {rows.count('<tr>')} rows"
        assert number[-4:] in rows, f"{number}: another person shown"


def _wrk(url: str, cookies: str, script: Path | None) -> dict:
    command = ["wrk", "-t2", f"-c{HTTP_CONNECTIONS}", f"-d{HTTP_SECONDS}s", "--latency"]
    command += ["-H", f"Cookie: {cookies}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)

    def latency(q: str) -> float:
        value, unit = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "bad": (int(bad[1]) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
    }


def measure_http() -> dict:
    """Start the server, measure both URLs in alternating rounds, stop it."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: sudo apt-get install wrk (make bench installs it)")
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "accounting_registry.settings.bench"}
    server = servers.start_server(env, port, workers=HTTP_WORKERS)
    rounds: dict[str, list[dict]] = {"bare": [], "lookup": []}
    try:
        servers.wait_for_health(base)
        cookies = _session_cookies(base)
        people = _people()
        _check_lookups(base, cookies, people)
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "lookup.lua"
            script.write_text(LOOKUP_SCRIPT % ",".join(f'"{number}"' for number in people))
            urls = {"bare": (base + "/bench/bare/", None), "lookup": (base, script)}
            for url, lua in urls.values():  # warm-up: every worker's first requests
                _wrk(url, cookies, lua)
            for number in range(HTTP_ROUNDS):
                for name in ("bare", "lookup") if number % 2 == 0 else ("lookup", "bare"):
                    url, lua = urls[name]
                    rounds[name].append(_wrk(url, cookies, lua))
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare = statistics.median(r["rps"] for r in rounds["bare"])
    lookup = statistics.median(r["rps"] for r in rounds["lookup"])
    return {
        "http_rps_bare": round(bare),
        "http_rps_lookup": round(lookup),
        "http_lookup_ratio": round(lookup / bare, 3),
        "http_lookup_p50_ms": statistics.median(r["p50_ms"] for r in rounds["lookup"]),
        "http_lookup_p99_ms": statistics.median(r["p99_ms"] for r in rounds["lookup"]),
        "http_bad_responses": sum(r["bad"] for rs in rounds.values() for r in rs),
        "http_rounds": rounds,
        "http_setup": f"gunicorn -w {HTTP_WORKERS}, wrk -t2 -c{HTTP_CONNECTIONS}, "
        f"{HTTP_ROUNDS} × {HTTP_SECONDS} s each",
    }
