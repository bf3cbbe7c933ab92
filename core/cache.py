"""The shared cache, failing soft: Redis, with the database cache standing in while Redis is away.

`FailSoftRedisCache` is Django's RedisCache until a call fails to reach Redis (refused,
timed out). Then, for BREAKER_SECONDS, every call of every thread of the process goes to the
database cache (`django.core.cache.backends.db.DatabaseCache`, the table `createcachetable`
makes, `registry_cache` by default) without trying Redis; after that the next call tries Redis
again (one short connection timeout), and so on until it answers. So while Redis is away the
sessions (`cached_db`: they are in the database anyway), the login limits (core.throttle) and
the bulletins' pages keep working, counted and kept in the database, shared by every server as
Redis is. One warning is logged when Redis is found away and one when it is back, per process.

Coming back, the keys written or deleted in the stand-in meanwhile are deleted from Redis, so
that Redis never serves a value older than one the stand-in had (a session logged out while
Redis was away stays logged out), and the stand-in's rows are removed: each such key starts
afresh in Redis (a count of failed logins made during the outage is forgotten when Redis
returns). The stand-in's rows are in the database, so whichever process finds Redis back first
does this for all, and a process does it at its first call too if rows are left.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections, router, transaction

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 15.0
FALLBACK_TABLE = "registry_cache"
FALLBACK_MAX_ENTRIES = 100_000
# A key deleted while Redis was away leaves a row under this mark in the stand-in, so that the
# key is deleted from Redis too when it returns.
DELETED = "fail-soft-deleted:"
DELETED_KEEP_SECONDS = 2 * 24 * 3600


class _Breaker:
    """One per Redis location and process: whether Redis is taken for away, until when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.away_until = 0.0  # time.monotonic(); 0 while Redis answers
        self.outage = False  # Redis was found away and has not answered since
        self.checked_leftovers = False

    def away(self) -> bool:
        return self.away_until > time.monotonic()

    def trip(self, seconds: float, error: Exception, location: str) -> None:
        with self.lock:
            first = not self.outage
            self.outage = True
            self.away_until = time.monotonic() + seconds
        if first:
            logger.warning(
                "Redis cache at %s unreachable (%s): using the database cache for now",
                location,
                type(error).__name__,
            )

    def answered(self) -> bool:
        """Redis answered: True if it was away until now (the caller reconciles)."""
        if not self.outage:
            return False
        with self.lock:
            was, self.outage, self.away_until = self.outage, False, 0.0
        return was


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


def reset_breakers() -> None:
    """Forget every breaker's state (tests)."""
    with _breakers_lock:
        _breakers.clear()


class FailSoftRedisCache(RedisCache):
    """RedisCache with the database cache standing in while Redis cannot be reached.

    OPTIONS, besides redis-py's: FALLBACK_TABLE (the stand-in's table, `registry_cache`),
    BREAKER_SECONDS (how long Redis is taken for away after a failed call, 15). Redis is given a
    short connection and socket timeout (1 and 2 s) unless OPTIONS set them, so that a Redis
    that does not answer costs a request at most that once per BREAKER_SECONDS.
    """

    def __init__(self, server: str, params: dict[str, Any]):
        options = dict(params.get("OPTIONS") or {})
        table = options.pop("FALLBACK_TABLE", FALLBACK_TABLE)
        self.breaker_seconds = float(options.pop("BREAKER_SECONDS", BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 2)
        super().__init__(server, {**params, "OPTIONS": options})
        shared = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
        self.fallback = DatabaseCache(
            table,
            {
                **{k: params[k] for k in shared if k in params},
                # Room for an outage's sessions and counters: Django's default (300 entries)
                # would cull them, and with them the marks of deleted keys.
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )
        self.location = server if isinstance(server, str) else ",".join(server)
        self.breaker = _breaker(self.location)

    def _redis_errors(self) -> tuple[type[Exception], ...]:
        import redis

        return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def _call(self, name: str, *args: Any, deleted: list | None = None, **kwargs: Any) -> Any:
        if self.breaker.away():
            return self._stand_in(name, args, kwargs, deleted)
        try:
            if self.breaker.outage or not self.breaker.checked_leftovers:
                self._catch_up()
            return getattr(super(), name)(*args, **kwargs)
        except self._redis_errors() as error:
            self.breaker.trip(self.breaker_seconds, error, self.location)
            return self._stand_in(name, args, kwargs, deleted)

    def _catch_up(self) -> None:
        """Before Redis serves again (back from an outage, or first asked by this process):
        the keys the stand-in holds are deleted from it (reconcile)."""
        if self.breaker.outage:
            self.reconcile()
            if self.breaker.answered():
                logger.warning("Redis cache at %s answers again", self.location)
        else:
            self.reconcile()
            self.breaker.checked_leftovers = True

    def _stand_in(self, name: str, args: tuple, kwargs: dict, deleted: list | None) -> Any:
        """The call, on the database cache; a delete also leaves its mark (DELETED)."""
        if deleted:
            version = kwargs.get("version", args[-1] if args else None)
            marks = {DELETED + key: 1 for key in deleted}
            self.fallback.set_many(marks, DELETED_KEEP_SECONDS, version=version)
        return getattr(self.fallback, name)(*args, **kwargs)

    def reconcile(self) -> int:
        """Delete from Redis every key the stand-in holds (written or deleted while Redis was
        away), then those rows; how many keys. Nothing when the table is missing or the
        database fails meanwhile; Redis's errors are raised (it is still away)."""
        database = router.db_for_write(self.fallback.cache_model_class)
        table = connections[database].ops.quote_name(self.fallback._table)
        try:
            with transaction.atomic(using=database):
                with connections[database].cursor() as cursor:
                    cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 - our table
                    rows = [row[0] for row in cursor.fetchall()]
        except DatabaseError:
            return 0
        if not rows:
            return 0
        keys = {row.replace(DELETED, "", 1) for row in rows}
        self._cache.get_client(write=True).delete(*keys)
        try:
            with transaction.atomic(using=database):
                with connections[database].cursor() as cursor:
                    for start in range(0, len(rows), 500):
                        part = rows[start : start + 500]
                        cursor.execute(
                            f"DELETE FROM {table} WHERE cache_key IN "  # noqa: S608
                            f"({', '.join(['%s'] * len(part))})",
                            part,
                        )
        except DatabaseError:
            pass
        logger.info(
            "Redis cache at %s: %d key(s) of its outage forgotten", self.location, len(keys)
        )
        return len(keys)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version, deleted=[key])

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call("delete_many", keys, version, deleted=keys)

    def clear(self):
        return self._call("clear")
