"""The background worker's queue, read in the run's database: its tasks by status, and the wait
until it has drained after the load."""

from __future__ import annotations

import time

import psycopg
from basics import step

FORM_TASK = "collection.tasks.render_application_form"
DRAIN_LIMIT_S = 600


def queue_counts(database_url: str, task_path: str | None = None) -> dict[str, int]:
    """The worker's tasks by status (of one task only, with `task_path`)."""
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE %(path)s::text IS NULL OR task_path = %(path)s GROUP BY status",
            {"path": task_path},
        ).fetchall()
    return {status: n for status, n in rows}


def drain(database_url: str) -> tuple[float | None, dict[str, int]]:
    """Wait until no task is queued or running; seconds it took (None: not within the limit),
    and the tasks by status."""
    started = time.monotonic()
    shown = 0.0
    while True:
        counts = queue_counts(database_url)
        waiting = counts.get("READY", 0) + counts.get("RUNNING", 0)
        if waiting == 0:
            return time.monotonic() - started, counts
        if time.monotonic() - started > DRAIN_LIMIT_S:
            return None, counts
        if time.monotonic() - shown >= 15:
            step(f"  queue: {waiting} waiting")
            shown = time.monotonic()
        time.sleep(1)
