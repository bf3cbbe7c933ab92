"""The production deployment as real processes on this machine: gunicorn servers with the
production settings, told that the proxy in front of them speaks HTTPS, sharing one PostgreSQL
database and one Redis, and the background worker (`manage.py worker`).

Shared by tests/test_two_servers.py and the load test (load/run.py), which import it without
Django being set up: it starts processes and reads pages, nothing more.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(database_url: str, sql: str, *, database: str = "postgres") -> str:
    """Run one statement with psql against `database` of the server of `database_url`."""
    server = database_url.rsplit("/", 1)[0]
    done = subprocess.run(
        ["psql", f"{server}/{database}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def create_database(database_url: str) -> None:
    """Drop (if it exists) and create the empty database named by `database_url`."""
    name = database_url.rsplit("/", 1)[1]
    drop_database(database_url)
    psql(database_url, f"CREATE DATABASE {name}")


def drop_database(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    psql(database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def production_env(
    *, database_url: str, redis_url: str, media_root: Path, static_root: Path, **extra: str
) -> dict[str, str]:
    """The environment of every process of the deployment: production settings, a fresh
    secret key, the shared database and Redis, the database-backed worker, mail kept in memory.
    `extra` adds or overrides variables (the object storage's, for instance)."""
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "accounting_registry.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "REGISTRY_PROXY_COUNT": "0",
        # The runs' clerks log in with a password: the second factor is for city staff only
        # here (production requires it of every staff role; tested on its own).
        "REGISTRY_SECOND_FACTOR_ROLES": "city_staff",
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command in a child process; its last line of output."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-4000:]}")
    out = done.stdout.strip()
    return out.splitlines()[-1] if out else ""


def wait_for_health(url: str, *, timeout: float = 30) -> None:
    """Wait until the server at `url` answers /health/ (with any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/health/", timeout=10)
            return
        except urllib.error.HTTPError:
            return  # answering, if unhealthy: the caller looks at the report
        except OSError:  # not listening yet, or still starting
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


@dataclass
class Deployment:
    """The running processes: `urls` of the servers, and the background workers."""

    urls: list[str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)

    def stop(self, timeout: float = 20) -> None:
        everything = [*self.processes, *self.workers]
        for process in everything:
            if process.poll() is None:
                process.terminate()
        for process in everything:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_server(
    env: dict[str, str],
    port: int,
    *,
    workers: int = 2,
    threads: int = 1,
    log: Path | None = None,
    extra_args: tuple[str, ...] = (),
) -> subprocess.Popen:
    """One gunicorn server of the production settings on 127.0.0.1:`port`."""
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "accounting_registry.wsgi",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra_args,
    ]
    output = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


def start_worker(
    env: dict[str, str],
    *,
    interval: float = 0.2,
    nice: int = 0,
    idle: bool = False,
    log: Path | None = None,
) -> subprocess.Popen:
    """The background worker. `nice` lowers its CPU priority: it still gets a share of a busy
    CPU, a small one. `idle` (Linux's SCHED_IDLE): it runs only on a CPU nothing else wants."""

    def lower_priority() -> None:
        if nice:
            os.nice(nice)
        if idle:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))

    output = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(
        [PYTHON, "manage.py", "worker", "--interval", str(interval), "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
        preexec_fn=lower_priority if nice or idle else None,
    )


@contextlib.contextmanager
def deployment(
    env: dict[str, str],
    *,
    servers: int = 2,
    workers: int = 2,
    threads: int = 1,
    task_workers: int = 1,
    worker_nice: int = 0,
    worker_idle: bool = False,
    log_dir: Path | None = None,
    gunicorn_args: tuple[str, ...] = (),
) -> Iterator[Deployment]:
    """`servers` gunicorn servers (each `workers` processes of `threads` threads) on free ports
    and `task_workers` background workers; stopped on leaving. Yields once every server answers
    /health/."""
    running = Deployment(urls=[])
    try:
        for n in range(servers):
            port = free_port()
            log = log_dir / f"server-{n + 1}.log" if log_dir else None
            running.processes.append(
                start_server(
                    env,
                    port,
                    workers=workers,
                    threads=threads,
                    log=log,
                    extra_args=gunicorn_args,
                )
            )
            running.urls.append(f"http://127.0.0.1:{port}")
        for n in range(task_workers):
            log = log_dir / f"worker-{n + 1}.log" if log_dir else None
            running.workers.append(start_worker(env, nice=worker_nice, idle=worker_idle, log=log))
        for url in running.urls:
            wait_for_health(url)
        yield running
    finally:
        running.stop()


# --- Reading the pages ----------------------------------------------------------------------


def csrf_token(page: bytes) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise ValueError("no CSRF token on the page")
    return found[1].decode()


def application_form_fields(page: bytes) -> dict[str, str]:
    """The application form's fields as the browser would post them."""
    fields = {}
    form = page.split(b'id="application-form"', 1)[1].split(b"</form>", 1)[0].decode()
    for match in re.finditer(r"<input[^>]*>", form):
        tag = match[0]
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag or name[1] == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind[1] == "checkbox":
            if "checked" in tag:
                fields[name[1]] = "on"
            continue
        fields[name[1]] = html.unescape(value[1]) if value else ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[match[1]] = html.unescape(match[2]).strip("\n")
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', match[2])
        fields[match[1]] = html.unescape(chosen[1]) if chosen else ""
    return fields


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser posts a form with a file; (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def confirm_fields(review_page: bytes) -> dict[str, str]:
    """What the counter's review page posts to confirm: every original ticked, the revision."""
    ticks = {
        name.decode(): "on" for name in set(re.findall(rb'name="(tick_[a-z_]+)"', review_page))
    }
    revision = re.search(rb'name="revision" value="(\d+)"', review_page)
    if revision is None:
        raise ValueError("no revision on the review page")
    return {**ticks, "revision": revision[1].decode()}
