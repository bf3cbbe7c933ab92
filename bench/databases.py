"""The bench's two PostgreSQL databases: created (again when the migrations changed), migrated
and seeded in bulk with exactly BENCH_N practitioners, and `<name>_small` with BENCH_N/10.

Django talks to one database per process: the small one is prepared by a child process
(`run.py --prepare-only` with DATABASE_URL pointed at it).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import seeding
from common import CITY_USERNAME, ROOT, RUN_PY, log, vacuum_analyze
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from practitioners.models import AuditEvent, Practitioner, User


def small_database_url(url: str) -> str:
    """The same server and credentials, database `<name>_small`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_small"))


def migrations_fingerprint() -> str:
    """A hash of the project's migration files.

    Migrations may still be rewritten in place while the project is young; a bench database
    migrated from older files would be measured with a different schema (and indexes).
    """
    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_relative_to(ROOT) or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return "bench migrations " + digest.hexdigest()[:16]


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database when missing, and again when its migrations changed (or `fresh`).

    The migrations fingerprint is kept as the database's COMMENT. This talks to the server's
    `postgres` maintenance database, before Django connects to the bench database.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
    fingerprint = migrations_fingerprint()
    ident = sql.Identifier(name)
    # CREATE/DROP DATABASE cannot run inside a transaction block: autocommit.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] == fingerprint and not fresh:
            return
        if row is not None:
            why = "--fresh" if fresh else "migrations changed since it was seeded"
            log(f"dropping database {name} ({why})")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
        log(f"creating database {name}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(fingerprint))
        )


def prepare_database(n: int) -> None:
    """Migrate and load exactly n demo practitioners in bulk (bench/seeding.py: the demo itself
    is told through the services, far too slowly for a million); the counter's applications
    are loaded by counter_bench."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/run.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    log(f"{connection.settings_dict['NAME']}: migrate")
    call_command("migrate", interactive=False, verbosity=0)
    if Practitioner.objects.count() == n and User.objects.filter(username=CITY_USERNAME).exists():
        # Seeded by an earlier run with these migrations (ensure_database): seeding would only
        # walk the million people again to find nothing missing.
        log(f"{connection.settings_dict['NAME']}: already seeded with {n:,} practitioners")
        vacuum_analyze()
        return
    log(f"{connection.settings_dict['NAME']}: bulk seeding of {n:,} practitioners")
    seeding.seed(practitioners=n, applications=0, log=log)
    count = Practitioner.objects.count()
    if count != n:
        # Left over from a larger BENCH_N or an interrupted import: start the register afresh,
        # since the lookup must be measured at exactly n rows.
        log(f"register holds {count:,} rows, not {n:,}: truncating and seeding again")
        tables = ", ".join((Practitioner._meta.db_table, AuditEvent._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        seeding.seed(practitioners=n, applications=0, log=log)
        count = Practitioner.objects.count()
        assert count == n, f"seeding left {count:,} practitioners, expected {n:,}"
    vacuum_analyze()


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def prepare_small(n_small: int) -> None:
    """Migrate and seed `<name>_small` in a child process (Django talks to one database here)."""
    env = os.environ | {
        "DATABASE_URL": small_database_url(os.environ["DATABASE_URL"]),
        "BENCH_N": str(n_small),
    }
    subprocess.run([sys.executable, str(RUN_PY), "--prepare-only"], env=env, check=True)
