"""A county clerk logs in, finds a practitioner by ID number and opens the record.

Assertions are on data (names, ID numbers, URLs, status codes), not on UI wording, so they
hold whether the interface is shown in Chinese or English.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from practitioners.idnumbers import mask_id_number

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Pass-word-2026"  # tests/factories.py: UserFactory.password


def log_in(page: Page, live_server, username: str) -> None:
    """Open the site as a stranger, get sent to the login page, log in, land on the register."""
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next=/$"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form").get_by_role("button").click()
    expect(page).to_have_url(live_server.url + reverse("practitioners:list"))


def search(page: Page, text: str) -> None:
    """Type into the search box, which has the focus when the list opens, and press Enter."""
    box = page.locator("input[name=q]")
    expect(box).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=" + re.escape(text) + "$"))


def test_clerk_finds_practitioner_of_own_county_by_id_number(
    page: Page, live_server, clerk_a, practitioner_a, practitioner_b
):
    full_id = practitioner_a.id_number
    masked_id = mask_id_number(full_id)
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", masked_id)

    log_in(page, live_server, "clerk_a")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)  # county A's register holds only practitioner_a

    search(page, full_id)
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text(practitioner_a.name)
    expect(row).to_contain_text(masked_id)
    expect(page.locator("table")).not_to_contain_text(full_id)
    expect(page.locator("main")).not_to_contain_text(practitioner_b.name)

    row.get_by_role("link", name=practitioner_a.name).click()
    expect(page).to_have_url(
        live_server.url + reverse("practitioners:detail", args=[practitioner_a.pk])
    )
    expect(page.locator("h1")).to_have_text(practitioner_a.name)
    expect(page.locator("main")).to_contain_text(full_id)
    expect(page.locator("main")).to_contain_text(practitioner_a.cert_number)


def test_clerk_cannot_find_or_open_practitioner_of_other_county(
    page: Page, live_server, clerk_a, practitioner_a, practitioner_b
):
    other_id = practitioner_b.id_number
    log_in(page, live_server, "clerk_a")

    search(page, other_id)
    expect(page.locator("table tbody tr")).to_have_count(0)
    main = page.locator("main")
    expect(main.locator(".alert")).to_be_visible()  # the "no match" notice
    expect(main).not_to_contain_text(practitioner_b.name)
    expect(main).not_to_contain_text(mask_id_number(other_id))

    response = page.goto(
        live_server.url + reverse("practitioners:detail", args=[practitioner_b.pk])
    )
    assert response is not None and response.status == 404
    expect(main.locator("h1")).to_be_visible()  # the site's 404 page, inside the normal layout
    expect(page.locator("nav.navbar")).to_be_visible()
    expect(main).not_to_contain_text(practitioner_b.name)
    expect(main).not_to_contain_text(other_id)
