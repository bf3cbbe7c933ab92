"""The background worker: django-tasks-db's worker (db_worker's loop), which puts back tasks a
stopped worker left running (core.tasks.recover_stale) when it starts and every minute, and
outlives a database restart: it waits for the database, puts back the task it was running
(recover_own) and goes on."""

import logging
import threading
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorker
from django_tasks_db.management.commands.db_worker import Worker

from core.tasks import recover_own, recover_stale, worker_id

logger = logging.getLogger("accounting_registry.worker")

RECOVER_EVERY_SECONDS = 60
LONGEST_WAIT_SECONDS = 30


class Command(BaseCommand):
    help = "Run the background worker (recovers tasks a stopped worker left running first)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, batch: bool, interval: float, verbosity: int, **options):
        DbWorker(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        me = worker_id()
        recovered = recover_stale()
        if recovered and verbosity:
            self.stdout.write(f"{recovered} task(s) left running were put back in the queue")
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=me,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        if not batch:
            threading.Thread(target=_recover_every_minute, daemon=True).start()
        wait = 1.0
        while True:
            try:
                worker.run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not worker.running:
                    return
                logger.warning("worker %s: the database is away (%s); waiting %gs", me, exc, wait)
            connections.close_all()
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)
            try:
                recover_own(me)
                wait = 1.0
            except (OperationalError, InterfaceError):
                connections.close_all()


def _recover_every_minute() -> None:
    """Tasks of workers that stopped, put back while this one runs (a thread of its own, with
    its own database connection)."""
    while True:
        time.sleep(RECOVER_EVERY_SECONDS)
        try:
            close_old_connections()
            recover_stale()
        except Exception as exc:  # noqa: BLE001 - the database away: the next minute
            logger.warning("recovering stopped workers' tasks failed: %s", exc)
        finally:
            connections.close_all()
