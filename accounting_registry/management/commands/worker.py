"""The background worker: puts back tasks a stopped worker left running, then runs
django-tasks-db's db_worker (every option of db_worker is passed on)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.tasks import recover_stale


class Command(BaseCommand):
    help = "Run the background worker (recovers tasks a stopped worker left running first)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, batch: bool, interval: float, verbosity: int, **options):
        recovered = recover_stale()
        if recovered and verbosity:
            self.stdout.write(f"{recovered} task(s) left running were put back in the queue")
        extra = ["--batch"] if batch else []
        call_command("db_worker", *extra, "--interval", str(interval), verbosity=verbosity)
