"""Work plans: files told by their content, versions, the city's decision, the paper copy,
overdue plans, and who may do what."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practitioners.models import AuditEvent
from reporting import documents, selectors, services
from reporting.constants import PlanStatus
from tests.helpers import PLAN_PDF

pytestmark = pytest.mark.django_db


def docx_bytes(*, macros=False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if macros:
            z.writestr("word/vbaProject.bin", b"\0")
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


DOC = documents.OLE2 + b"\0" * 100 + "WordDocument".encode("utf-16-le") + b"\0" * 100


@pytest.mark.parametrize(
    "data, name, kind",
    [
        (PLAN_PDF, "方案.pdf", "pdf"),
        (PLAN_PDF, "方案.docx", "pdf"),  # the content decides, not the name
        (docx_bytes(), "方案.docx", "docx"),
        (odt_bytes(), "方案.odt", "odt"),
        (DOC, "方案.doc", "doc"),
        (documents.OLE2 + b"\0" * 200, "方案.wps", "wps"),
    ],
)
def test_plan_files_are_told_by_their_content(data, name, kind):
    assert documents.identify(data, name).kind == kind


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"MZ\x90\x00 an executable", "方案.pdf", "not a PDF"),
        (b"<html><script>alert(1)</script>", "方案.doc", "not a PDF"),
        (documents.OLE2 + b"\0" * 200, "方案.doc", "not a PDF"),  # no Word stream
        (docx_bytes(macros=True), "方案.docx", "macros"),
        (b"PK\x03\x04 broken zip", "方案.docx", "damaged"),
        (b"", "方案.pdf", "empty"),
        (b"%PDF-" + b"0" * (20 * 1024 * 1024), "big.pdf", "20 MB"),
    ],
)
def test_files_that_are_no_plan_are_refused_with_the_reason(data, name, message):
    with pytest.raises(documents.DocumentError, match=message):
        documents.identify(data, name)


def file_plan(campaign, bureau, actor, *, revision=None, summary="宣传、人员、进度"):
    return services.file_work_plan(
        campaign=campaign,
        bureau=bureau,
        actor=actor,
        data=PLAN_PDF,
        file_name="方案.pdf",
        summary=summary,
        revision=revision,
    )


def test_the_county_replaces_its_plan_until_the_city_acts_and_every_version_is_kept(
    campaign, county_a, admin_a, city_staff
):
    plan = file_plan(campaign, county_a, admin_a)
    plan = file_plan(campaign, county_a, admin_a, revision=plan.revision, summary="第二版")
    assert plan.status == PlanStatus.FILED
    assert [v.number for v in plan.versions.all()] == [2, 1]
    services.decide_work_plan(
        plan=plan,
        actor=city_staff,
        decision=PlanStatus.ACKNOWLEDGED,
        comments="",
        revision=plan.revision,
    )
    plan.refresh_from_db()
    with pytest.raises(services.ReportingError):
        file_plan(campaign, county_a, admin_a, revision=plan.revision)
    assert plan.versions.count() == 2
    assert AuditEvent.objects.filter(action="plan_filed", bureau=county_a).count() == 2
    assert AuditEvent.objects.filter(action="plan_decided", actor=city_staff).count() == 1


def test_a_returned_plan_needs_comments_and_is_filed_again(campaign, county_a, admin_a, city_staff):
    plan = file_plan(campaign, county_a, admin_a)
    with pytest.raises(services.ReportingError, match="change"):
        services.decide_work_plan(
            plan=plan,
            actor=city_staff,
            decision=PlanStatus.RETURNED,
            comments=" ",
            revision=plan.revision,
        )
    plan = services.decide_work_plan(
        plan=plan,
        actor=city_staff,
        decision=PlanStatus.RETURNED,
        comments="补充进度安排",
        revision=plan.revision,
    )
    assert plan.status == PlanStatus.RETURNED
    plan = file_plan(campaign, county_a, admin_a, revision=plan.revision)
    assert plan.status == PlanStatus.FILED and plan.versions.count() == 2


def test_a_form_opened_before_a_change_is_refused(campaign, county_a, admin_a, city_staff):
    plan = file_plan(campaign, county_a, admin_a)
    stale = plan.revision
    file_plan(campaign, county_a, admin_a, revision=stale)
    with pytest.raises(services.ChangedMeanwhile):
        services.decide_work_plan(
            plan=plan,
            actor=city_staff,
            decision=PlanStatus.ACKNOWLEDGED,
            comments="",
            revision=stale,
        )


@pytest.mark.parametrize("persona", ["clerk_a", "admin_b", "city_staff"])
def test_only_the_countys_admin_files_its_plan(request, campaign, county_a, persona):
    with pytest.raises(PermissionDenied):
        file_plan(campaign, county_a, request.getfixturevalue(persona))


def test_the_paper_copy_is_ticked_separately(campaign, county_a, admin_a, city_staff):
    plan = file_plan(campaign, county_a, admin_a)
    plan = services.record_plan_paper(plan=plan, actor=city_staff, received=True)
    assert plan.paper_received_at and plan.paper_received_by == city_staff
    assert plan.status == PlanStatus.FILED
    plan = services.record_plan_paper(plan=plan, actor=city_staff, received=False)
    assert plan.paper_received_at is None
    with pytest.raises(PermissionDenied):
        services.record_plan_paper(plan=plan, actor=admin_a, received=True)


def test_a_plan_not_filed_by_its_due_date_is_overdue_to_both_sides(
    client, campaign, county_a, admin_a, city_staff
):
    # The campaign fixture's plan was due a week ago.
    state = selectors.plan_state(campaign=campaign, plan=None)
    assert state.overdue
    client.force_login(city_staff)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "工作方案逾期未报" in page and "青秀区" in page
    client.force_login(admin_a)
    page = client.get(reverse("reporting:bureau", args=["450103"])).content.decode()
    assert "已逾期" in page
    plan = file_plan(campaign, county_a, admin_a)
    state = selectors.plan_state(campaign=campaign, plan=plan)
    assert not state.overdue and state.filed_late


def test_the_upload_page_keeps_the_summary_and_says_why_a_file_is_refused(
    client, campaign, admin_a
):
    client.force_login(admin_a)
    url = reverse("reporting:plan", args=["450103"])
    response = client.post(
        url,
        {"file": SimpleUploadedFile("方案.pdf", b"MZ not a pdf"), "summary": "我写的摘要"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "我写的摘要" in page and "不是 PDF" in page
    response = client.post(
        url, {"file": SimpleUploadedFile("方案.pdf", PLAN_PDF), "summary": "摘要"}
    )
    assert response.status_code == 302
    assert client.get(url).status_code == 200


def test_an_error_of_the_whole_form_is_said_once(client, campaign, county_a, admin_a):
    file_plan(campaign, county_a, admin_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("reporting:plan", args=["450103"]),
        {"file": SimpleUploadedFile("方案.pdf", PLAN_PDF), "summary": "新摘要", "revision": 99},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("其他人已修改了此内容") == 1
    assert "新摘要" in page


def test_the_plan_file_is_served_only_to_its_county_and_the_city(
    client, campaign, county_a, admin_a, clerk_a, clerk_b, city_staff
):
    file_plan(campaign, county_a, admin_a)
    url = reverse("reporting:plan_file", args=["450103", 1])
    for user, status in ((clerk_a, 200), (city_staff, 200), (clerk_b, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
    client.force_login(clerk_a)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PLAN_PDF
    assert "no-store" in response["Cache-Control"]
    client.logout()
    assert client.get(url).status_code == 302


def test_the_city_has_no_plan_page(client, city_staff):
    client.force_login(city_staff)
    assert client.get(reverse("reporting:plan", args=["450100"])).status_code == 404


def test_overdue_turns_on_at_midnight_after_the_due_day(campaign):
    from reporting import weeks

    due = weeks.plan_deadline(campaign)
    assert not selectors.plan_state(
        campaign=campaign, plan=None, now=due - datetime.timedelta(seconds=1)
    ).overdue
    assert selectors.plan_state(campaign=campaign, plan=None, now=due).overdue


def test_a_zip_declaring_thousands_of_parts_is_refused_before_its_directory_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(documents.MAX_ZIP_PARTS):
            z.writestr(f"p/{i}", "")
    with pytest.raises(documents.DocumentError, match="not a PDF"):
        documents.identify(out.getvalue(), "方案.docx")
