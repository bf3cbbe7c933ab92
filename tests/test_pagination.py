"""core.pagination: pages by primary key hold exactly what plain pages hold."""

import pytest
from django.core.paginator import Paginator

from core.pagination import DeferredJoinPaginator
from practitioners.models import Practitioner
from tests.factories import PractitionerFactory


@pytest.fixture
def register(county_a):
    for name in ("周七", "王二", "李四", "王二", "赵六", "张三", "孙五"):  # one name twice
        PractitionerFactory(bureau=county_a, name=name)
    return (
        Practitioner.objects.filter(bureau=county_a).select_related("bureau").order_by("name", "id")
    )


@pytest.mark.parametrize("per_page, orphans", [(3, 0), (3, 1), (2, 0), (7, 0), (10, 0)])
def test_every_page_is_the_plain_paginator_s_page(register, per_page, orphans):
    plain = Paginator(register, per_page, orphans=orphans)
    deferred = DeferredJoinPaginator(register, per_page, orphans=orphans)
    assert deferred.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [p.pk for p in plain.page(number)]
        page = deferred.page(number)
        assert [p.pk for p in page] == expected
        assert (page.start_index(), page.end_index()) == (
            plain.page(number).start_index(),
            plain.page(number).end_index(),
        )


def test_a_page_is_one_query_with_its_joins(register, django_assert_max_num_queries):
    """The page's keys and its rows come in one query (the keys in a subquery), the joined
    bureau with them: no second query for the keys, none per row."""
    paginator = DeferredJoinPaginator(register, 3)
    assert paginator.count == 7
    with django_assert_max_num_queries(1):
        rows = list(paginator.get_page(3))
        assert [row.bureau.code for row in rows] == ["450103"]


def test_an_empty_list_has_one_empty_page(county_b):
    empty = Practitioner.objects.filter(bureau=county_b).order_by("name", "id")
    page = DeferredJoinPaginator(empty, 3).get_page(1)
    assert list(page) == []
    assert page.paginator.num_pages == 1


def test_out_of_range_and_garbage_page_numbers_fall_back_like_django_s(register):
    paginator = DeferredJoinPaginator(register, 3)
    assert paginator.get_page(99).number == 3
    assert paginator.get_page("abc").number == 1
