"""After confirmation, in the browser: a confirmed_person practitioner of 青秀区 changes employer through
the change form and prints the change form; the clerk finds the change at the counter and
confirms it; the practitioner registers continuing education and the clerk approves it. An
unconfirmed practitioner who tries the same is refused with the reason and the way to the
application.

Writes test-artifacts/business-journey-*.png (the change form, the counter's review of the
change, the registrations page, the practitioner's page with the history, the refusal at phone
width) for a human to look at, and checks that no page scrolls sideways.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from business.constants import RegistrationStatus
from business.models import EducationRecord
from collection.constants import ApplicationKind, ApplicationStatus
from collection.models import Application
from tests.e2e.pages import LAPTOP, PASSWORD, PHONE, PHONE_OPTIONS, assert_accessible, page_overflow

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EMPLOYER = "南宁市青秀区新竹会计服务有限公司"
LOGIN = reverse("login")
HOME = reverse("collection:home")


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + LOGIN)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: LOGIN not in url)


def shoot(page: Page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"business-journey-{name}.png"), full_page=True)
    assert page_overflow(page) == 0, f"{name} scrolls sideways"


def test_a_confirmed_practitioner_changes_employer_and_registers_continuing_education(
    live_server, page, new_page, confirmed_person, clerk_a, artifacts
):
    # The practitioner opens the change from their page, changes the employer and submits.
    log_in(page, live_server, confirmed_person.account.username)
    page.goto(live_server.url + HOME)
    page.locator("#link-change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信息变更")
    expect(page.get_by_label("手机")).to_be_disabled()
    page.get_by_label("工作单位", exact=True).fill(NEW_EMPLOYER)
    shoot(page, artifacts, "change-form")
    assert_accessible(page)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#change-submitted")).to_be_visible()
    change = Application.objects.get(practitioner=confirmed_person, kind=ApplicationKind.CHANGE)
    assert change.status == ApplicationStatus.SUBMITTED
    form = page.context.request.get(live_server.url + reverse("collection:change_pdf"))
    assert form.ok and form.body()[:5] == b"%PDF-"

    # The clerk finds it by the ID number, sees the change marked, ticks and confirms.
    clerk = new_page(LAPTOP)
    log_in(clerk, live_server, clerk_a.username)
    clerk.goto(live_server.url + reverse("confirmation:counter"))
    clerk.locator("#counter-q").fill(confirmed_person.id_number)
    clerk.keyboard.press("Enter")
    expect(clerk.locator("#review-kind")).to_be_visible()
    row = clerk.locator('#side-by-side tr[data-field="employer"]')
    expect(row).to_have_class(re.compile("registry-changed"))
    expect(row).to_contain_text(NEW_EMPLOYER)
    shoot(clerk, artifacts, "counter-review")
    assert_accessible(clerk)
    ticks = clerk.locator("#confirm-form input[type=checkbox]")
    assert ticks.count() == 1  # only the sealed change form: nothing else changed
    ticks.first.check()
    clerk.locator("#confirm-button").click()
    expect(clerk.locator("#archive-number")).to_be_visible()
    confirmed_person.refresh_from_db()
    assert confirmed_person.employer == NEW_EMPLOYER

    # The practitioner registers continuing education.
    page.goto(live_server.url + HOME)
    expect(page.locator("#record-history [data-action=change_confirmed]")).to_contain_text(
        NEW_EMPLOYER
    )
    page.locator("#link-education").click()
    page.get_by_label("年度").fill("2025")
    page.get_by_label("学时").fill("24")
    page.get_by_label("培训机构").fill("南宁市会计学会")
    page.get_by_label("学习内容").fill("政府会计制度")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator('#records tr[data-status="submitted"]')).to_have_count(1)

    # The clerk approves it from the registrations page.
    clerk.get_by_role("navigation").get_by_role("link", name="业务审核", exact=True).click()
    record = EducationRecord.objects.get(practitioner=confirmed_person)
    row = clerk.locator(f"#education-{record.pk}")
    expect(row).to_contain_text("南宁市会计学会")
    shoot(clerk, artifacts, "registrations")
    assert_accessible(clerk)
    row.get_by_role("button", name="核准").click()
    expect(clerk.locator(f"#education-{record.pk}")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == RegistrationStatus.APPROVED and record.decided_by == clerk_a

    page.reload()
    expect(page.locator('#records tr[data-status="approved"]')).to_have_count(1)
    page.goto(live_server.url + HOME)
    shoot(page, artifacts, "home-after")
    assert_accessible(page)


def test_an_unconfirmed_practitioner_is_refused_with_the_explanation(
    live_server, new_page, submitted_a, account_a, artifacts
):
    phone = new_page(PHONE, **PHONE_OPTIONS)
    log_in(phone, live_server, account_a.username)
    phone.goto(live_server.url + HOME)
    expect(phone.locator("#business-refused")).to_contain_text("须先完成个人信息采集")
    phone.locator("#link-education").click()
    refusal = phone.locator("#not-collected")
    expect(refusal).to_contain_text("须先完成个人信息采集")
    shoot(phone, artifacts, "refused-phone")
    assert_accessible(phone)
    refusal.get_by_role("link", name="前往信息采集").click()
    expect(phone).to_have_url(live_server.url + reverse("collection:application"))
    assert not EducationRecord.objects.exists()
