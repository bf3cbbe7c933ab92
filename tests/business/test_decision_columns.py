"""业务审核 and the practitioner's own registrations: each column says what it holds. The on-post
date was headed 时间 (any time at all), and hours showed as 24.0, a figure that reads as money."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from business import services
from practitioners.templatetags.registry import study_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(confirmed_a, account_a):
    services.register_on_post(
        practitioner=confirmed_a,
        actor=account_a,
        values={
            "employer": "南宁会计服务有限公司",
            "post": "出纳",
            "start_date": datetime.date(2025, 3, 1),
        },
    )
    services.register_education(
        practitioner=confirmed_a,
        actor=account_a,
        values={"year": 2025, "hours": 24, "provider": "南宁市会计学会", "content": "准则"},
    )
    return confirmed_a


def header_and_cells(html: str, section: str) -> str:
    start = html.index(f'id="section-{section}"')
    return html[start : html.index("</table>", start)]


def test_the_decisions_table_names_the_on_post_date_and_counts_hours(client, clerk_a, waiting):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(reverse("business:decisions")).text
    on_post = header_and_cells(html, "on-post")
    assert "<th>Start date in the post</th>" in on_post and ">Since<" not in on_post
    assert 'data-label="Start date in the post">2025-03-01<' in on_post
    education = header_and_cells(html, "education")
    assert 'data-label="Hours">24 hours<' in education
    assert "24.0" not in education


def test_the_practitioners_own_list_counts_hours_too(client, account_a, waiting):
    client.force_login(account_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(reverse("business:education")).text
    assert ">24 hours<" in html and "24.0" not in html


@pytest.mark.parametrize(
    ("value", "english"),
    [
        (Decimal("24.0"), "24 hours"),
        (Decimal("1.00"), "1 hour"),
        (Decimal("1.50"), "1.5 hours"),
        (12, "12 hours"),
        (None, "—"),
    ],
)
def test_hours_are_a_count_of_hours(value, english):
    with translation.override("en"):
        assert study_hours(value) == english
