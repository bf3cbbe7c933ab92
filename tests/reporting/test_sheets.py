"""Weekly progress sheets: drafts for cron, submission freezing the figures, late sheets, the
city's return and the county's resubmission, earlier versions, and who may do what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, Bureau
from reporting import services, weeks
from reporting.constants import SheetStatus
from reporting.models import ProgressSheet
from tests.helpers import confirm, make_submitted

pytestmark = pytest.mark.django_db
NOTES = {
    "staff": "张三、李四",
    "counter_days": "周二、周四",
    "problems": "无",
    "next_week": "下乡宣传",
}


def test_the_cron_command_creates_each_countys_draft_once(campaign, capsys):
    week = weeks.current_week(campaign)
    call_command("generate_progress_sheets")
    call_command("generate_progress_sheets", "--week", str(week))
    counties = Bureau.objects.exclude(kind="city").count()
    assert ProgressSheet.objects.filter(week=str(week)).count() == counties == 12
    out = capsys.readouterr().out
    assert "12 new draft sheet(s)" in out and "0 new draft sheet(s)" in out
    assert not ProgressSheet.objects.filter(bureau__code="450100").exists()
    sheet = ProgressSheet.objects.filter(week=str(week)).first()
    assert sheet.status == SheetStatus.DRAFT and sheet.cutoff == weeks.cutoff(campaign, week)


@pytest.mark.parametrize(
    "week, message",
    [("2026-W99", "no ISO week"), ("49", "not an ISO week"), ("2001-W01", "outside")],
)
def test_the_cron_command_refuses_a_week_it_cannot_use(campaign, week, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_progress_sheets", "--week", week)


def submitted_sheet(campaign, county, admin, week=None, **notes):
    week = week or weeks.current_week(campaign)
    sheet = services.sheet_for(campaign=campaign, bureau=county, week=week)
    return services.submit_sheet(
        sheet=sheet, actor=admin, notes=NOTES | notes, revision=sheet.revision
    )


def test_a_sheet_submitted_early_shows_the_weeks_figures_at_the_cut_off(
    campaign, county_a, admin_a, clerk_a
):
    """Submitted before the cut-off, the sheet's figures are provisional; a confirmation made
    between the submission and the cut-off still counts in the week; at the cut-off the
    figures become final, whenever the sheet was submitted."""
    import time_machine

    waiting, confirmed = make_submitted(county_a, campaign, 2)
    confirm(confirmed, clerk_a)
    week = weeks.current_week(campaign)
    sheet = submitted_sheet(campaign, county_a, admin_a)
    assert sheet.status == SheetStatus.SUBMITTED and not sheet.late
    assert sheet.figures is None  # provisional until the cut-off
    confirm(waiting, clerk_a)  # after the submission, before the cut-off: this week's
    (version,) = sheet.versions.all()
    assert version.notes == NOTES and version.submitted_by == admin_a
    with time_machine.travel(weeks.cutoff(campaign, week) + datetime.timedelta(hours=1)):
        call_command("generate_progress_sheets")  # the cron freezes the past week's figures
    sheet.refresh_from_db()
    assert (sheet.figures["waiting"], sheet.figures["confirmed"]) == (0, 2)
    assert sheet.figures["confirmed_week"] == 2
    assert sheet.figures_as_of == weeks.cutoff(campaign, week)


def test_a_sheet_submitted_after_its_cut_off_is_late_with_figures_as_of_the_cut_off(
    campaign, county_a, admin_a, clerk_a
):
    week = weeks.current_week(campaign).previous()
    (application,) = make_submitted(county_a, campaign, 1)
    confirm(application, clerk_a)  # after last week's cut-off: not in last week's sheet
    sheet = submitted_sheet(campaign, county_a, admin_a, week=week)
    assert sheet.late and sheet.figures_as_of == weeks.cutoff(campaign, week)
    assert sheet.figures["confirmed"] == 0


def test_a_returned_sheet_keeps_the_cut_off_figures_and_changes_only_its_notes(
    campaign, county_a, admin_a, clerk_a, city_staff
):
    week = weeks.current_week(campaign).previous()  # its cut-off has passed
    (application,) = make_submitted(county_a, campaign, 1)
    sheet = submitted_sheet(campaign, county_a, admin_a, week=week)
    at_cutoff = dict(sheet.figures)
    with pytest.raises(services.ReportingError, match="correct"):
        services.decide_sheet(
            sheet=sheet,
            actor=city_staff,
            decision=SheetStatus.RETURNED,
            feedback="",
            revision=sheet.revision,
        )
    sheet = services.decide_sheet(
        sheet=sheet,
        actor=city_staff,
        decision=SheetStatus.RETURNED,
        feedback="请补充柜台安排",
        revision=sheet.revision,
    )
    assert sheet.status == SheetStatus.RETURNED
    confirm(application, clerk_a)
    sheet = services.submit_sheet(
        sheet=sheet,
        actor=admin_a,
        notes=NOTES | {"counter_days": "周二至周五"},
        revision=sheet.revision,
    )
    # Confirmed after the cut-off: the week's figures, and the sheet's, do not change.
    assert sheet.status == SheetStatus.SUBMITTED and sheet.figures == at_cutoff
    second, first = sheet.versions.all()
    assert first.decision == SheetStatus.RETURNED and first.feedback == "请补充柜台安排"
    assert second.notes["counter_days"] == "周二至周五" and not second.decision
    sheet = services.decide_sheet(
        sheet=sheet,
        actor=city_staff,
        decision=SheetStatus.ACCEPTED,
        feedback="",
        revision=sheet.revision,
    )
    assert sheet.status == SheetStatus.ACCEPTED
    with pytest.raises(services.ReportingError):
        services.submit_sheet(sheet=sheet, actor=admin_a, notes=NOTES, revision=sheet.revision)
    with pytest.raises(services.ReportingError):
        services.decide_sheet(
            sheet=sheet,
            actor=city_staff,
            decision=SheetStatus.RETURNED,
            feedback="x",
            revision=sheet.revision,
        )


def test_a_draft_cannot_be_decided_and_a_submitted_sheet_not_resubmitted(
    campaign, county_a, admin_a, city_staff
):
    sheet = services.sheet_for(
        campaign=campaign, bureau=county_a, week=weeks.current_week(campaign)
    )
    with pytest.raises(services.ReportingError):
        services.decide_sheet(
            sheet=sheet,
            actor=city_staff,
            decision=SheetStatus.ACCEPTED,
            feedback="",
            revision=sheet.revision,
        )
    sheet = submitted_sheet(campaign, county_a, admin_a)
    with pytest.raises(services.ReportingError):
        services.submit_sheet(sheet=sheet, actor=admin_a, notes=NOTES, revision=sheet.revision)
    with pytest.raises(services.ReportingError):
        services.save_sheet_notes(sheet=sheet, actor=admin_a, notes=NOTES, revision=sheet.revision)


@pytest.mark.parametrize("persona", ["clerk_a", "admin_b", "city_staff"])
def test_only_the_countys_admin_submits_its_sheet(request, campaign, county_a, persona):
    sheet = services.sheet_for(
        campaign=campaign, bureau=county_a, week=weeks.current_week(campaign)
    )
    with pytest.raises(PermissionDenied):
        services.submit_sheet(
            sheet=sheet,
            actor=request.getfixturevalue(persona),
            notes=NOTES,
            revision=sheet.revision,
        )


def test_the_sheet_page_saves_submits_and_keeps_the_notes_of_a_stale_form(
    client, campaign, county_a, admin_a
):
    week = str(weeks.current_week(campaign))
    url = reverse("reporting:sheet", args=["450103", week])
    client.force_login(admin_a)
    page = client.get(url)
    assert page.status_code == 200 and "报送市局" in page.content.decode()
    response = client.post(url, NOTES | {"revision": 0, "save": "1"})
    assert response.status_code == 302
    response = client.post(url, NOTES | {"problems": "网络慢", "revision": 0, "submit": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "网络慢" in page and "其他人已修改" in page
    response = client.post(url, NOTES | {"revision": 1, "submit": "1", "confirm": "1"})
    assert response.status_code == 302
    sheet = ProgressSheet.objects.get(bureau=county_a, week=week)
    assert sheet.status == SheetStatus.SUBMITTED and sheet.staff == NOTES["staff"]
    page = client.get(url).content.decode()
    assert "暂定数据" in page and "报送市局</button>" not in page


def test_submitting_asks_once_with_the_notes_and_the_empty_ones_named(
    client, campaign, county_a, admin_a
):
    """报送市局 shows what will be sent and asks; only its confirming button submits. Going
    back keeps the notes as typed; neither step writes anything."""
    week = weeks.current_week(campaign)
    url = reverse("reporting:sheet", args=["450103", str(week)])
    client.force_login(admin_a)
    typed = NOTES | {"problems": "", "next_week": "", "revision": 0}
    asked = client.post(url, typed | {"submit": "1"})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert weeks.label(campaign, week) in page and NOTES["staff"] in page
    empty = asked.context["empty"]  # named in the page's language
    assert "问题明细" in empty and "下周工作安排" in empty and "工作人员安排" not in empty
    assert 'id="empty-notes"' in page
    assert 'name="confirm"' in page and 'name="edit"' in page
    assert not ProgressSheet.objects.filter(bureau=county_a, week=str(week)).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SHEET_SUBMITTED).exists()

    back = client.post(url, typed | {"submit": "1", "edit": "1"})
    assert back.status_code == 200 and NOTES["counter_days"] in back.content.decode()
    assert back.context["form"]["staff"].value() == NOTES["staff"]
    assert not ProgressSheet.objects.filter(bureau=county_a, week=str(week)).exists()

    sent = client.post(url, typed | {"submit": "1", "confirm": "1"})
    assert sent.status_code == 302
    sheet = ProgressSheet.objects.get(bureau=county_a, week=str(week))
    assert sheet.status == SheetStatus.SUBMITTED and sheet.problems == ""


def test_a_sheet_with_every_note_empty_is_refused(client, campaign, county_a, admin_a):
    """Refused rather than confirmed: once submitted the county cannot add a note until the
    city returns the sheet."""
    week = weeks.current_week(campaign)
    url = reverse("reporting:sheet", args=["450103", str(week)])
    client.force_login(admin_a)
    empty = dict.fromkeys(NOTES, "  ") | {"revision": 0, "submit": "1"}
    for data in (empty, empty | {"confirm": "1"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "报送前请至少填写一项说明" in str(response.context["form"].non_field_errors())
    assert not ProgressSheet.objects.filter(status=SheetStatus.SUBMITTED).exists()
    sheet = services.sheet_for(campaign=campaign, bureau=county_a, week=week)
    with translation.override("en"), pytest.raises(services.ReportingError, match="at least one"):
        services.submit_sheet(sheet=sheet, actor=admin_a, notes={}, revision=sheet.revision)


def test_a_week_that_has_not_begun_has_no_sheet(client, campaign, county_a, admin_a):
    """Editing the URL to a later week finds nothing, and the service refuses it anyway."""
    later = weeks.current_week(campaign).next().next().next().next()
    url = reverse("reporting:sheet", args=["450103", str(later)])
    client.force_login(admin_a)
    assert client.get(url).status_code == 404
    data = NOTES | {"revision": 0, "submit": "1", "confirm": "1"}
    assert client.post(url, data).status_code == 404
    assert client.get(reverse("reporting:sheet", args=["450103", str(later)])).status_code == 404
    sheet = services.sheet_for(campaign=campaign, bureau=county_a, week=later)
    with translation.override("en"):
        with pytest.raises(services.ReportingError, match="has not begun"):
            services.submit_sheet(sheet=sheet, actor=admin_a, notes=NOTES, revision=sheet.revision)
        with pytest.raises(services.ReportingError, match="has not begun"):
            services.save_sheet_notes(sheet=sheet, actor=admin_a, notes=NOTES, revision=0)
    assert ProgressSheet.objects.get(pk=sheet.pk).status == SheetStatus.DRAFT


def test_a_week_outside_the_campaign_has_no_sheet_page(client, campaign, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("reporting:sheet", args=["450103", "2001-W01"])).status_code == 404
    assert client.get("/reporting/450103/sheets/2026-W99/").status_code == 404


def test_the_county_page_shows_the_change_since_last_weeks_sheet(
    client, campaign, county_a, admin_a, clerk_a
):
    last = weeks.current_week(campaign).previous()
    submitted_sheet(campaign, county_a, admin_a, week=last)
    (application,) = make_submitted(county_a, campaign, 1)
    confirm(application, clerk_a)
    client.force_login(admin_a)
    response = client.get(reverse("reporting:bureau", args=["450103"]))
    rows = {r["definition"].key: r for r in response.context["comparison"]}
    assert rows["confirmed"]["then"] == 0 and rows["confirmed"]["now"] == 1
    assert rows["confirmed"]["change"] == 1
    assert str(last) in response.content.decode()


def test_the_cut_off_of_a_sheet_is_stored_when_it_is_created(campaign, county_a):
    campaign.report_weekday, campaign.report_hour = 5, 12
    campaign.save()
    week = weeks.current_week(campaign)
    sheet = services.sheet_for(campaign=campaign, bureau=county_a, week=week)
    assert sheet.cutoff == weeks.cutoff(campaign, week)
    assert sheet.cutoff.astimezone(weeks.zone(campaign)).time() == datetime.time(12)


def test_a_sheet_is_accepted_only_once_its_figures_are_final(
    campaign, county_a, admin_a, city_staff
):
    sheet = submitted_sheet(campaign, county_a, admin_a)  # this week's: the cut-off is ahead
    with pytest.raises(services.ReportingError, match="final at its cut-off"):
        services.decide_sheet(
            sheet=sheet,
            actor=city_staff,
            decision=SheetStatus.ACCEPTED,
            feedback="",
            revision=sheet.revision,
        )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    # Its notes may be returned at once.
    sheet = services.decide_sheet(
        sheet=sheet,
        actor=city_staff,
        decision=SheetStatus.RETURNED,
        feedback="请补充下周计划",
        revision=sheet.revision,
    )
    assert sheet.status == SheetStatus.RETURNED
