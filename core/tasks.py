"""What every background task shares (Django's tasks framework; in production the database
backend of django-tasks-db, run by `manage.py worker`).

- A task that fails stays FAILED, with its traceback, in the task results (the admin's Task
  Results, the health endpoint's `failed`), and is enqueued again after a back-off as a new
  result, up to MAX_ATTEMPTS in all (`retry_later`).
- A worker stopped mid-task (killed, its machine lost) leaves its result RUNNING; such results
  go back in the queue (`recover_stale`): at once when the worker ran on this machine and its
  process is gone (a worker's id names its machine and process, `worker_id`), after
  STALE_AFTER otherwise (another machine's worker may still be at it). Every worker does this
  when it starts and every minute. A worker that loses the database mid-task puts its own task
  back when the database returns (`recover_own`). Every task here is safe to run twice: a form
  is kept once per version, a mail at worst arrives twice.
"""

import datetime
import logging
import os
import secrets
import socket

from django.tasks import Task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = (60, 300, 1800)  # after the 1st, 2nd and 3rd failed attempt
STALE_AFTER = datetime.timedelta(minutes=10)  # far longer than any task here runs


def retry_later(task: Task, *args, attempt: int, **kwargs) -> bool:
    """After a failed attempt, enqueue the task again after a back-off, unless it has had
    MAX_ATTEMPTS or its backend cannot defer work (the immediate backend, where the next request
    that needs the result does the work itself). True when enqueued again."""
    if attempt >= MAX_ATTEMPTS or not task.get_backend().supports_defer:
        return False
    delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
    logger.warning("%s failed (attempt %d); again after %ss", task.name, attempt, delay)
    return True


def worker_id() -> str:
    """A new worker's id: its machine, its process and a random part (at most 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _gone(worker: str) -> bool:
    """True when `worker` (an id of worker_id's form) ran on this machine and its process is
    gone (or a zombie: killed, not yet reaped); False when it runs, or cannot be told from
    here."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False


def recover_stale(*, older_than: datetime.timedelta = STALE_AFTER) -> int:
    """Results left RUNNING by a worker that stopped: back to READY. Those of a worker of this
    machine whose process is gone at once, any other after `older_than`. Returns how many."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.running()
    stale = set(
        running.filter(started_at__lt=timezone.now() - older_than).values_list("pk", flat=True)
    )
    for pk, workers in running.exclude(pk__in=stale).values_list("pk", "worker_ids"):
        if workers and _gone(workers[-1]):
            stale.add(pk)
    count = (
        running.filter(pk__in=stale).update(status=TaskResultStatus.READY, started_at=None)
        if stale
        else 0
    )
    if count:
        logger.warning("put %d task(s) left running by a stopped worker back in the queue", count)
    return count


def recover_own(worker: str) -> int:
    """The results a worker left RUNNING when it lost the database mid-task: back to READY (the
    worker runs nothing now). Returns how many."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    mine = [
        pk
        for pk, workers in DBTaskResult.objects.running().values_list("pk", "worker_ids")
        if workers and workers[-1] == worker
    ]
    if not mine:
        return 0
    count = (
        DBTaskResult.objects.running()
        .filter(pk__in=mine)
        .update(status=TaskResultStatus.READY, started_at=None)
    )
    logger.warning("put %d task(s) interrupted by a database outage back in the queue", count)
    return count
