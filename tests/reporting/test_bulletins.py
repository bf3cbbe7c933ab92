"""Publishing a week's bulletin, and the public pages and files."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from practitioners.models import AuditEvent
from reporting import services, weeks
from reporting.models import Bulletin
from tests.helpers import confirm, make_submitted

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_publishing_ranks_every_bureau_and_freezes_the_figures(
    campaign, county_a, clerk_a, admin_a, city_staff, clock
):
    week = weeks.current_week(campaign).previous()
    cut = weeks.cutoff(campaign, week)
    with clock(cut - datetime.timedelta(hours=2)):
        waiting, confirmed = make_submitted(county_a, campaign, 2)
    with clock(cut - datetime.timedelta(hours=1)):
        confirm(confirmed, clerk_a)
    confirm(waiting, clerk_a)  # after the cut-off: not in this bulletin
    sheet = services.sheet_for(campaign=campaign, bureau=county_a, week=week)
    services.submit_sheet(
        sheet=sheet, actor=admin_a, notes={"staff": "2人"}, revision=sheet.revision
    )
    bulletin = services.publish_bulletin(campaign=campaign, week=week, actor=city_staff)
    assert len(bulletin.rows) == 13
    first = bulletin.rows[0]
    assert first["bureau_code"] == "450103" and first["rank"] == 1
    assert first["confirmed"] == 1 and first["confirmed_week"] == 1 and first["waiting"] == 1
    assert (first["sheet_status"], first["sheet_late"]) == ("submitted", True)
    assert [r["rate"] for r in bulletin.rows] == sorted(
        (r["rate"] for r in bulletin.rows), reverse=True
    )
    assert bulletin.totals["confirmed"] == 1
    assert bulletin.trend[-1]["week"] == str(week) and bulletin.trend[0]["week"] == str(
        weeks.first_week(campaign)
    )
    city_row = next(r for r in bulletin.rows if r["bureau_code"] == "450100")
    assert city_row["sheet_status"] == ""
    assert AuditEvent.objects.filter(action="bulletin_published", actor=city_staff).exists()
    with pytest.raises(services.ReportingError, match="already published"):
        services.publish_bulletin(campaign=campaign, week=week, actor=city_staff)


def test_a_week_is_published_only_after_its_cut_off_and_only_by_the_city(
    campaign, city_staff, admin_a
):
    this_week = weeks.current_week(campaign)
    with pytest.raises(services.ReportingError, match="cut-off"):
        services.publish_bulletin(campaign=campaign, week=this_week, actor=city_staff)
    with pytest.raises(PermissionDenied):
        services.publish_bulletin(campaign=campaign, week=this_week.previous(), actor=admin_a)
    assert not Bulletin.objects.exists()


def test_the_public_sees_published_bulletins_only_without_personal_data(
    client, campaign, county_a, city_staff, django_assert_max_num_queries
):
    (application,) = make_submitted(county_a, campaign, 1)
    person = application.practitioner
    week = weeks.current_week(campaign).previous()
    unpublished = week.previous()
    bulletin = services.publish_bulletin(campaign=campaign, week=week, actor=city_staff)
    url = reverse("reporting:bulletin", args=[campaign.pk, bulletin.week])
    client.get(url)  # renders the charts and the table once (then cached)
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "青秀区" in page
        and "data:image/svg+xml;base64," in page
        and "<script" not in page.split("</main>")[0]
    )
    assert person.name not in page and person.id_number not in page
    assert (
        client.get(reverse("reporting:bulletin", args=[campaign.pk, str(unpublished)])).status_code
        == 404
    )
    listing = client.get(reverse("reporting:bulletins")).content.decode()
    assert url in listing
    with django_assert_max_num_queries(1):
        client.get(reverse("reporting:bulletins"))


def test_the_bulletins_files_are_the_ones_made_at_publication(client, campaign, city_staff):
    week = weeks.current_week(campaign).previous()
    services.publish_bulletin(campaign=campaign, week=week, actor=city_staff)
    pdf = client.get(reverse("reporting:bulletin_file", args=[campaign.pk, str(week), "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "青秀区" in text and "进度通报" in text
    xlsx = client.get(reverse("reporting:bulletin_file", args=[campaign.pk, str(week), "xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.worksheets[0]
    names = [c.value for c in sheet["B"] if c.value]
    assert "青秀区财政局" in " ".join(map(str, names)) or "青秀区" in " ".join(map(str, names))
    assert client.get(f"/bulletins/{campaign.pk}/{week}/bulletin.exe").status_code == 404


def test_the_publish_page_lists_the_weeks_and_publishes_a_past_one(client, campaign, city_staff):
    client.force_login(city_staff)
    page = client.get(reverse("reporting:publish"))
    assert page.status_code == 200
    week = str(weeks.current_week(campaign).previous())
    response = client.post(reverse("reporting:publish"), {"week": week, "confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:bulletin", args=[campaign.pk, week])
    again = client.post(reverse("reporting:publish"), {"week": week, "confirm": "1"})
    assert again.status_code == 400 and "已经发布" in again.content.decode()
    bad = client.post(reverse("reporting:publish"), {"week": "2026-W99", "confirm": "1"})
    assert bad.status_code == 400


def test_publishing_shows_the_bulletin_and_the_sheets_not_accepted_then_asks_once(
    client, campaign, county_a, county_b, admin_a, city_staff
):
    """The publish page offers previews, not publishing; a POST without the preview's confirm
    publishes nothing; the preview is the bulletin's page with this week's figures, names the
    counties whose sheets wait for the city, and its one button publishes."""
    week = weeks.current_week(campaign).previous()
    sheet = services.sheet_for(campaign=campaign, bureau=county_a, week=week)
    services.submit_sheet(
        sheet=sheet, actor=admin_a, notes={"staff": "2人"}, revision=sheet.revision
    )
    client.force_login(city_staff)
    listing = client.get(reverse("reporting:publish")).content.decode()
    preview_url = reverse("reporting:publish_preview", args=[str(week)])
    table = listing.split("<table")[1].split("</table>")[0]
    assert f'href="{preview_url}"' in table and "<form" not in table and "<button" not in table

    unasked = client.post(reverse("reporting:publish"), {"week": str(week)})
    assert unasked.status_code == 302 and unasked["Location"] == preview_url
    assert not Bulletin.objects.exists()

    preview = client.get(preview_url)
    assert preview.status_code == 200 and not Bulletin.objects.exists()
    text = preview.content.decode()
    waiting = {r["short_name"]: r["sheet"] for r in preview.context["preview"]["not_accepted"]}
    assert waiting[county_a.short_name].startswith("已报送")  # submitted (late), not accepted
    assert waiting[county_b.short_name] == "未报送" and len(waiting) == 12
    shown = text.split('id="bulletin-preview"')[1]
    assert county_a.short_name in shown and "<img" in shown  # the table and the charts
    assert 'name="confirm" value="1"' in text

    published = client.post(reverse("reporting:publish"), {"week": str(week), "confirm": "1"})
    bulletin = Bulletin.objects.get(campaign=campaign, week=str(week))
    assert published["Location"] == reverse("reporting:bulletin", args=[campaign.pk, str(week)])
    assert bulletin.rows == preview.context["preview"]["rows"]
    assert client.get(preview_url)["Location"] == published["Location"]  # nothing to preview


def test_a_week_before_its_cut_off_has_no_preview(client, campaign, city_staff, admin_a):
    this_week = str(weeks.current_week(campaign))
    client.force_login(city_staff)
    response = client.get(reverse("reporting:publish_preview", args=[this_week]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:publish")
    assert "截止" in response.content.decode() and not Bulletin.objects.exists()
    client.force_login(admin_a)
    last = str(weeks.current_week(campaign).previous())
    assert client.get(reverse("reporting:publish_preview", args=[last])).status_code == 403


def test_the_change_reads_the_same_on_the_page_in_the_pdf_and_the_excel(
    client, campaign, county_a, clerk_a, city_staff, clock
):
    """青秀区 goes from 1 of 2 confirmed to 2 of 2: "+50.0 个百分点" wherever it is read; the PDF
    prints the day it was published, in Beijing time."""
    week = weeks.current_week(campaign).previous()
    cut = weeks.cutoff(campaign, week)
    with clock(weeks.cutoff(campaign, week.previous()) - datetime.timedelta(hours=1)):
        first, second = make_submitted(county_a, campaign, 2)
        confirm(first, clerk_a)
    with clock(cut - datetime.timedelta(hours=1)):
        confirm(second, clerk_a)
    # Just past midnight in Beijing, still the day before in UTC.
    moment = cut.astimezone(SHANGHAI).replace(hour=0, minute=30) + datetime.timedelta(days=1)
    assert moment.astimezone(datetime.UTC).date() != moment.date()
    with clock(moment):
        bulletin = services.publish_bulletin(campaign=campaign, week=week, actor=city_staff)
    assert bulletin.published_at == moment
    (row,) = [r for r in bulletin.rows if r["bureau_code"] == county_a.code]

    page = client.get(reverse("reporting:bulletin", args=[campaign.pk, bulletin.week]))
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page.content.decode(), re.S)
    ]
    at = cells.index(row["short_name"])
    assert "+50.0 个百分点" in cells[at : at + 14]
    assert cells.count("+50.0 个百分点") == 2  # and the city's total (2 holders in all)
    assert "较上周" in cells and "较上周（百分点）" not in cells

    text = "\n".join(page.extract_text() for page in PdfReader(bulletin.pdf.open()).pages)
    (line,) = [line for line in text.splitlines() if row["bureau_name"] in line]
    assert line.endswith("+50.0 个百分点") or " +50.0 个百分点 " in line
    assert f"发布日期：{moment:%Y-%m-%d}" in text.splitlines()
    # No header split inside its word (持证人/数): each stands whole on the header's line.
    (header,) = [line for line in text.splitlines() if line.startswith("名次")]
    for word in ("持证人数", "在会计岗位", "待现场确认", "本周确认", "累计确认", "待处理库"):
        assert f" {word} " in f" {header} ", header

    sheet = load_workbook(bulletin.xlsx.open()).worksheets[0]
    (excel,) = [r for r in sheet.iter_rows(min_row=5) if r[1].value == row["bureau_name"]]
    change = excel[12]
    assert change.value == 50.0 and change.data_type == "n"  # a number, to sort and sum
    assert change.number_format == '+0.0" 个百分点";-0.0" 个百分点";0.0" 个百分点"'
