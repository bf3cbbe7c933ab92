"""The menu at the top of every page (accounting_registry.navigation): who sees which entry,
and which one is marked as the current page."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu_of(client, user, url) -> tuple[list[str], list[str], list[str]]:
    """(the bar's links, the 更多 dropdown's links, the current ones) of the page at url."""
    client.force_login(user)
    page = client.get(url).content.decode()
    nav = page.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]
    bar = re.findall(r'class="nav-link[^"]*" href="([^"]+)"', nav)
    more = re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"', nav)
    current = re.findall(r'href="([^"]+)" aria-current="page"', nav)
    return bar, more, current


STAFF_BAR = [
    "confirmation:counter",
    "practitioners:list",
    "practitioners:bureau_overview",
    "business:decisions",
    "reporting:dashboard",
]


def test_a_clerk_sees_the_staff_menu_without_the_administrators_pages(client, clerk_a):
    bar, more, current = menu_of(client, clerk_a, reverse("practitioners:list"))
    assert bar == [reverse(name) for name in STAFF_BAR]
    assert more == [reverse("collection:campaigns"), reverse("two_factor")]
    assert current == [reverse("practitioners:list")]


def test_an_administrator_gets_the_printer_import_and_export(client, admin_a):
    _, more, current = menu_of(client, admin_a, reverse("confirmation:print_settings"))
    assert more == [
        reverse(name)
        for name in (
            "collection:campaigns",
            "confirmation:print_settings",
            "business:register_import",
            "practitioners:export",
            "two_factor",
        )
    ]
    # The printer page belongs to the counter's app, but its entry is under 更多, not 受理.
    assert current == [reverse("confirmation:print_settings")]
    page = client.get(reverse("confirmation:print_settings")).content.decode()
    assert 'class="nav-link dropdown-toggle active"' in page


def test_the_import_page_marks_its_own_entry_not_the_registrations(client, admin_a):
    # The import page is the business app's (it writes the earlier registrations too), but its
    # entry is 导入 under 更多, not 业务审核.
    _, _, current = menu_of(client, admin_a, reverse("business:register_import"))
    assert current == [reverse("business:register_import")]


def test_a_whole_app_marks_its_entry(client, clerk_a):
    _, _, current = menu_of(client, clerk_a, reverse("confirmation:queue"))
    assert current == [reverse("confirmation:counter")]


def test_city_staff_also_get_the_audit_trail(client, city_staff):
    city_staff.is_superuser = True
    city_staff.save()
    _, more, _ = menu_of(client, city_staff, reverse("reporting:dashboard"))
    assert reverse("practitioners:audit") in more
    assert reverse("two_factor_enrolment_codes") in more
    assert more[-1] == reverse("admin:index")


def test_a_practitioner_sees_their_own_pages_only(client, account_a, campaign):
    bar, more, current = menu_of(client, account_a, reverse("collection:photo_upload"))
    assert bar == [
        reverse(name)
        for name in ("collection:home", "collection:application", "collection:photo_upload")
    ]
    assert more == [] and current == [reverse("collection:photo_upload")]


def test_a_visitor_gets_no_menu(client):
    page = client.get(reverse("login")).content.decode()
    assert 'id="mainnav"' not in page


def test_the_pages_under_an_entry_mark_it(client, clerk_a, practitioner_a):
    _, _, current = menu_of(
        client, clerk_a, reverse("collection:staff_application", args=[practitioner_a.pk])
    )
    assert current == [reverse("practitioners:list")]
