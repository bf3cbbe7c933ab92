"""Progress reporting, end to end: the county admin of 青秀区 files the work plan and submits last
week's progress sheet (late: its cut-off has passed); city staff return it with feedback; the
county corrects and resubmits it; city staff accept it and publish last week's bulletin; an
anonymous visitor reads the bulletin, sees its two charts and downloads its PDF.

Everything is done through the pages (links, buttons, labelled fields, the file input); only
the register's history (two practitioners who submitted before last week's cut-off, one of
them confirmed) is made beforehand, with the services' clock set back. The pages are in
Chinese by default, so the texts compared are the Chinese a user reads: headings, statuses,
badges and the success messages.
"""

import datetime
import io
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reporting import weeks
from reporting.models import Bulletin, ProgressSheet
from tests.e2e.pages import PASSWORD, page_overflow
from tests.helpers import PLAN_PDF, confirm, make_submitted

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = reverse("login")
SUMMARY = "宣传：短信与公众号；人员：窗口两人、电话一人；每周二、四集中确认。"
NOTES = {
    "工作人员安排": "窗口：张三、李四；电话：王五",
    "窗口确认安排": "周二、周四 9:00—17:00",
    "问题明细": "无",
    "下周工作安排": "下乡宣传，电话提醒未报名人员",
}
FEEDBACK = "问题明细请写明未确认人员的原因。"
CORRECTED_PROBLEMS = "1人待窗口确认：本人外出，预约下周二到窗口。"
# A bulletin's publication draws the charts and makes the PDF with Chinese fonts: seconds.
PUBLISH_TIMEOUT_MS = 60_000


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def last_week(campaign) -> weeks.Week:
    """The week before the one whose sheet is due next: its cut-off has passed."""
    week = weeks.current_week(campaign).previous()
    assert weeks.cutoff(campaign, week) <= timezone.now()
    return week


@pytest.fixture
def history(campaign, county_a, clerk_a, last_week):
    """Before last week's cut-off two practitioners of 青秀区 submitted and one was confirmed:
    last week's figures are 2 holders, 1 confirmed (50.0%)."""
    cut = weeks.cutoff(campaign, last_week)
    with mock.patch.object(timezone, "now", return_value=cut - datetime.timedelta(hours=2)):
        _waiting, confirmed = make_submitted(county_a, campaign, 2)
    with mock.patch.object(timezone, "now", return_value=cut - datetime.timedelta(hours=1)):
        confirm(confirmed, clerk_a)


# --- Steps ------------------------------------------------------------------------------------


def week_label(campaign, week: weeks.Week) -> str:
    """第N周（M月D日HH:MM—M月D日HH:MM）: the week and its window, as the pages write it."""
    with translation.override("zh-hans"):
        return weeks.label(campaign, week)


def log_in(page: Page, live_server, username: str) -> None:
    """Through the login page, as anyone does; then the menu's 工作进度 (progress)."""
    page.goto(live_server.url + LOGIN)
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="工作进度", exact=True).click()


def expect_message(page: Page, text: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=text)).to_be_visible()


def expect_status(page: Page, text: str) -> None:
    """The sheet page's 状态 line."""
    line = page.locator("main > p", has_text=re.compile("^状态"))
    expect(line.locator("strong")).to_have_text(text)


def open_sheet_from_county_page(page: Page, label: str) -> None:
    sheets = page.get_by_role("region", name="每周进度表", exact=True)
    sheets.get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"青秀区财政局 · 进度表 · {label}")


def version_row(versions, name: str):
    return versions.get_by_role("row").filter(
        has=versions.page.get_by_role("rowheader", name=name, exact=True)
    )


def figure_cell(figures, name: str):
    """The value beside a figure's name in a sheet's table of figures."""
    return (
        figures.get_by_role("row")
        .filter(has=figures.page.get_by_role("rowheader", name=name, exact=True))
        .get_by_role("cell")
    )


def fits(page: Page, name: str) -> None:
    assert page_overflow(page) == 0, f"{name} scrolls sideways"


# --- The journey ------------------------------------------------------------------------------


def test_a_county_reports_the_city_checks_and_publishes_the_public_reads_it(
    new_page, live_server, admin_a, city_staff, campaign, history, last_week
):
    label = week_label(campaign, last_week)

    # 1. The county admin opens the county's progress page and files the work plan.
    county = new_page()
    log_in(county, live_server, admin_a.username)
    expect(county).to_have_url(live_server.url + reverse("reporting:bureau", args=["450103"]))
    expect(county.get_by_role("heading", level=1)).to_have_text("青秀区财政局 · 信息采集进度")
    plan_card = county.get_by_role("region", name="工作方案", exact=True)
    expect(plan_card).to_contain_text("未报送")
    expect(plan_card.locator(".badge", has_text="已逾期")).to_be_visible()  # due a week ago
    plan_card.get_by_role("link", name="报送工作方案").click()
    expect(county.get_by_role("heading", level=1)).to_have_text("青秀区财政局 · 工作方案")
    county.get_by_label("方案文件").set_input_files(
        {"name": "青秀区工作方案.pdf", "mimeType": "application/pdf", "buffer": PLAN_PDF}
    )
    county.get_by_label("内容摘要").fill(SUMMARY)
    county.get_by_role("button", name="报送市局").click()
    expect(county).to_have_url(live_server.url + reverse("reporting:plan", args=["450103"]))
    expect_message(county, "工作方案已报送市局。")
    status = county.get_by_role("region", name="状态", exact=True)
    expect(status).to_contain_text("已报送，待市局备案")
    expect(status.locator(".badge", has_text="逾期报送")).to_be_visible()
    versions = county.get_by_role("region", name="版本", exact=True)
    expect(versions.get_by_role("listitem")).to_have_count(1)
    expect(versions.get_by_role("link")).to_have_text("第 1 版 · 青秀区工作方案.pdf")
    expect(versions).to_contain_text(SUMMARY)
    fits(county, "plan page")

    # 2. Back on the county page: last week's sheet, its notes, submitted after the cut-off.
    county.get_by_role("link", name="青秀区 · 工作进度").click()
    open_sheet_from_county_page(county, label)
    expect_status(county, "未报送")
    expect(county.locator("main p .badge", has_text="已逾期")).to_be_visible()
    for field, text in NOTES.items():
        county.get_by_label(field).fill(text)
    county.get_by_role("button", name="报送市局").click()
    # Asked once: the notes as they will be sent, then the one button that sends them.
    confirmation = county.locator("main")
    for text in NOTES.values():
        expect(confirmation).to_contain_text(text)
    expect(county.locator("#empty-notes")).to_have_count(0)  # every note written
    fits(county, "sheet confirmation")
    county.locator('button[name="confirm"]').click()
    expect_message(county, "进度表已报送市局。")
    expect_status(county, "已报送，待市局核对")
    expect(county.locator("main p .badge", has_text="逾期")).to_have_text("逾期")  # late
    figures = county.get_by_role("region", name=re.compile("^本周数据"))
    # As of the cut-off (final: it has passed): the confirmation of an hour before it, 1 of 2.
    expect(figure_cell(figures, "持证人数")).to_have_text("2")
    expect(figure_cell(figures, "累计确认")).to_have_text("1")
    expect(figure_cell(figures, "确认率")).to_have_text("50.0%")
    notes = county.get_by_role("region", name="说明", exact=True)
    for text in NOTES.values():
        expect(notes).to_contain_text(text)
    expect(county.get_by_role("button", name="报送市局")).to_have_count(0)

    # 3. City staff go from the dashboard to that sheet and return it with feedback.
    city = new_page()
    log_in(city, live_server, city_staff.username)
    expect(city).to_have_url(live_server.url + reverse("reporting:dashboard"))
    expect(city.get_by_role("heading", level=1)).to_have_text("各县区工作进度")
    city.get_by_role("table").get_by_role("rowheader").get_by_role(
        "link", name="青秀区", exact=True
    ).click()
    open_sheet_from_county_page(city, label)
    expect_status(city, "已报送，待市局核对")
    decide = city.get_by_role("region", name="采纳或退回进度表", exact=True)
    decide.get_by_label("退回修改", exact=True).check()
    decide.get_by_label("给县（区）的反馈").fill(FEEDBACK)
    decide.get_by_role("button", name="记录处理意见").click()
    expect_message(city, "对进度表的处理意见已记录。")
    expect_status(city, "已退回修改")
    expect(city.get_by_role("region", name="采纳或退回进度表", exact=True)).to_have_count(0)

    # 4. The county reads the feedback, corrects a note and submits again: two versions.
    county.reload()
    expect_status(county, "已退回修改")
    returned = county.locator("main .alert", has_text="市局退回")
    expect(returned).to_be_visible()
    expect(returned).to_contain_text(FEEDBACK)
    expect(county.get_by_label("工作人员安排")).to_have_value(NOTES["工作人员安排"])  # kept
    county.get_by_label("问题明细").fill(CORRECTED_PROBLEMS)
    county.get_by_role("button", name="报送市局").click()
    expect(county.locator("main")).to_contain_text(CORRECTED_PROBLEMS)
    county.locator('button[name="confirm"]').click()
    expect_message(county, "进度表已报送市局。")
    expect_status(county, "已报送，待市局核对")
    notes = county.get_by_role("region", name="说明", exact=True)
    expect(notes).to_contain_text(CORRECTED_PROBLEMS)
    versions = county.get_by_role("region", name="已提交版本", exact=True)
    expect(versions.locator("tbody tr")).to_have_count(2)
    first, second = (version_row(versions, f"第 {n} 版") for n in (1, 2))
    expect(first).to_contain_text("已退回修改")
    expect(first).to_contain_text(FEEDBACK)
    expect(second.get_by_role("cell").last).to_have_text("—")  # not decided yet
    expect(second).to_contain_text(CORRECTED_PROBLEMS[:20])
    for row in (first, second):
        expect(row.locator(".badge")).to_have_text("逾期")
    # The figures stay the week's at its cut-off through the return and the resubmission.
    figures = county.get_by_role("region", name=re.compile("^本周数据"))
    expect(figure_cell(figures, "确认率")).to_have_text("50.0%")
    fits(county, "sheet page")

    # 5. City staff accept it, then publish last week's bulletin.
    city.reload()
    expect_status(city, "已报送，待市局核对")
    decide = city.get_by_role("region", name="采纳或退回进度表", exact=True)
    decide.get_by_label("采纳", exact=True).check()
    decide.get_by_role("button", name="记录处理意见").click()
    expect_message(city, "对进度表的处理意见已记录。")
    expect_status(city, "已采纳")
    sheet = ProgressSheet.objects.get(bureau__code="450103", week=str(last_week))
    assert (sheet.status, sheet.late, sheet.versions.count()) == ("accepted", True, 2)

    city.get_by_role("navigation").get_by_role("link", name="工作进度", exact=True).click()
    city.get_by_role("link", name="发布进度通报").click()
    expect(city.get_by_role("heading", level=1)).to_have_text("发布进度通报")
    this_week = weeks.current_week(campaign)  # its cut-off is still ahead: nothing to publish
    this_preview = reverse("reporting:publish_preview", args=[this_week])
    expect(city.locator(f'a[href="{this_preview}"]')).to_have_count(0)
    row = city.get_by_role("row").filter(has=city.get_by_role("rowheader", name=label))
    preview = reverse("reporting:publish_preview", args=[last_week])
    row.locator(f'a[href="{preview}"]').click()  # a preview first, never one click to publish
    expect(city.locator("#bulletin-preview")).to_contain_text("青秀区")
    expect(city.locator("#not-accepted")).to_be_visible()  # other counties' sheets never came
    fits(city, "bulletin preview")
    bulletin_url = live_server.url + reverse("reporting:bulletin", args=[campaign.pk, last_week])
    with city.expect_navigation(url=bulletin_url, timeout=PUBLISH_TIMEOUT_MS):
        city.get_by_role("button", name=f"发布 第{last_week.number}周", exact=True).click(
            no_wait_after=True
        )
    expect_message(city, "进度通报已发布。")
    assert Bulletin.objects.filter(campaign=campaign, week=str(last_week)).count() == 1

    # 6. Anyone, without logging in, reads it: the charts, the table, the PDF.
    visitor = new_page()
    visitor.goto(live_server.url + reverse("reporting:bulletins"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("进度通报")
    expect(visitor.get_by_role("button", name="退出登录")).to_have_count(0)  # not logged in
    visitor.get_by_role("link", name=f"{campaign.name} · {label}").click()
    expect(visitor).to_have_url(bulletin_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        f"{campaign.name} · 进度通报 · {label}"
    )
    charts = visitor.locator("main figure img")
    expect(charts).to_have_count(2)
    for index in range(2):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
        chart.evaluate("img => img.decode()")  # rejects when the picture cannot be drawn
        width = chart.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0, f"chart {index + 1} is not drawn"
        assert chart.bounding_box()["height"] > 100, f"chart {index + 1} has no height"
    expect(visitor.get_by_role("figure").filter(has_text="各县区确认率")).to_be_visible()
    table = visitor.get_by_role("table")
    qingxiu = table.locator("tbody tr").filter(
        has=visitor.get_by_role("rowheader", name="青秀区", exact=True)
    )
    expect(qingxiu).to_have_count(1)
    cells = qingxiu.locator("td")
    expect(cells.first).to_have_text("1")  # the only county with a confirmation ranks first
    expect(qingxiu).to_contain_text("50.0%")
    expect(qingxiu).to_contain_text("已采纳（逾期）")
    expect(table.locator("tbody tr")).to_have_count(13)
    fits(visitor, "bulletin page")

    href = visitor.get_by_role("link", name="PDF（A4）").get_attribute("href")
    response = visitor.context.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "青秀区" in text and label in text
