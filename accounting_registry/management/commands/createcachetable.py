"""Django's createcachetable, which also makes the table of the database cache that stands in for
Redis while it is away (core.cache.FailSoftRedisCache): Django's own makes only the tables of
caches that are database caches themselves."""

from django.conf import settings
from django.core.cache import caches
from django.core.management.commands import createcachetable

from core.cache import FailSoftRedisCache


class Command(createcachetable.Command):
    def handle(self, *tablenames, **options):
        super().handle(*tablenames, **options)
        if tablenames:
            return
        for alias in settings.CACHES:
            cache = caches[alias]
            if isinstance(cache, FailSoftRedisCache):
                self.create_table(options["database"], cache.fallback._table, options["dry_run"])
