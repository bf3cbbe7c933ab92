"""The health endpoint for load balancers and monitoring: the database, the cache, the private
storage and the background tasks, each checked for real; 200 when all are usable, 503 when one
is not. It names no person and no file.

Anyone may ask (a load balancer logs in as nobody), and anyone is told only whether the server
is usable: `{"status": "ok"}` or `{"status": "unavailable"}`. Which database, cache, storage and
task backends it runs on, how long each took and how many tasks wait are for staff only: to a
stranger they say what to attack."""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.storage import backend_name, private_storage
from practitioners.permissions import is_staff_member


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **(check() or {})}
    except Exception as exc:  # noqa: BLE001 - a failing part is reported, never raised
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key, value = "health-probe", secrets.token_hex(8)
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    found = {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    breaker = getattr(cache, "breaker", None)  # core.cache.FailSoftRedisCache
    if breaker is not None and breaker.away():
        found["redis_away"] = True  # the database cache stands in: usable, but say so
    return found


def _storage() -> dict:
    storage = private_storage()
    storage.exists("health-probe")  # one round trip to the file system or the object store
    return {"backend": backend_name()}


def _tasks() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    found = {"backend": backend.rsplit(".", 1)[-1]}
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        results = DBTaskResult.objects
        found["queued"] = results.filter(status="READY").count()
        found["running"] = results.filter(status="RUNNING").count()
        found["failed"] = results.filter(status="FAILED").count()
    return found


@never_cache
@require_GET
def health(request):
    checks = {
        "database": _timed(_database),
        "cache": _timed(_cache),
        "storage": _timed(_storage),
        "tasks": _timed(_tasks),
    }
    ok = all(check["ok"] for check in checks.values())
    answer: dict = {"status": "ok" if ok else "unavailable"}
    if is_staff_member(request.user):
        # Staff also see whether the weekly figures agree with their rows (not a reason to take
        # the server out of the load balancer: it answers requests all the same).
        checks["figures"] = _timed(_figures)
        answer |= {"ok": ok, **checks}
    return JsonResponse(answer, status=200 if ok else 503)


def _figures() -> dict:
    from accounting_registry.figures_check import drift

    found = drift(thorough=False)
    if not found.ok:
        raise RuntimeError("the figures have drifted: run manage.py check_figures")
    return {}
