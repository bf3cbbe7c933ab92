"""What every background task shares (Django's tasks framework; in production the database
backend of django-tasks-db, run by `manage.py worker`).

- A task that fails stays FAILED, with its traceback, in the task results (the admin's Task
  Results, the health endpoint's `failed`), and is enqueued again after a back-off as a new
  result, up to MAX_ATTEMPTS in all (`retry_later`).
- A worker stopped mid-task (killed, its machine lost) leaves its result RUNNING; the next
  worker to start puts such results back in the queue (`recover_stale`), so nothing is lost.
  Every task here is safe to run twice: a form is kept once per version, a mail at worst
  arrives twice.
"""

import datetime
import logging

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


def recover_stale(*, older_than: datetime.timedelta = STALE_AFTER) -> int:
    """Results left RUNNING for longer than `older_than`: back to READY. Returns how many."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale = DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - older_than)
    count = stale.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("put %d task(s) left running by a stopped worker back in the queue", count)
    return count
