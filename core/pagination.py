"""Pagination of long, indexed lists: the register of a bureau, the counter's queue.

Django's Paginator takes a page as ``queryset[offset:offset + n]``: the database reads, joins
and throws away every row before the page (OFFSET), so page 40 of a queue costs forty times
page 1. ``DeferredJoinPaginator`` finds the page's primary keys first, in a subquery that an
index holding the filter, the ordering and the key answers by itself (an index-only scan),
then reads and joins only the rows of those keys, in one query all the same.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class DeferredJoinPaginator(Paginator):
    """A Paginator over an ordered QuerySet whose pages select their rows by primary key.

    The ordering must end with a unique column (e.g. ``("submitted_at", "id")``), as for any
    stable pagination; an index on the filter columns followed by the ordering columns makes
    the subquery index-only.
    """

    object_list: QuerySet

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
