"""Work plans: files told by their content, versions, the city's decision, the paper copy,
overdue plans, and who may do what."""

import datetime
import html
import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from practitioners.models import AuditEvent
from reporting import documents, selectors, services
from reporting.constants import PlanStatus
from reporting.models import WorkPlan, WorkPlanVersion
from tests.helpers import PLAN_PDF
from tests.reporting import plan_files as files

pytestmark = pytest.mark.django_db


OLD_PLAN_PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # no cross-reference
WORD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE = "http://schemas.microsoft.com/office/2006/relationships"


def relationship(kind: str, target: str, *, mode: str = "External") -> str:
    return f'<Relationship Id="rId9" Type="{kind}" Target="{target}" TargetMode="{mode}"/>'


def word_rels(*relationships: str) -> dict[str, str]:
    return {"word/_rels/document.xml.rels": files.relationships(*relationships)}


@pytest.mark.parametrize(
    "data, name, kind",
    [
        (PLAN_PDF, "方案.pdf", "pdf"),
        (PLAN_PDF, "方案.docx", "pdf"),  # the content decides, not the name
        (files.pdf_with_xref_stream(), "方案.pdf", "pdf"),
        (files.pdf_bytes(version=b"2.0", after=b"\0" * 600), "方案.pdf", "pdf"),
        (files.docx_bytes(), "方案.docx", "docx"),
        (
            files.docx_bytes(
                parts=word_rels(
                    relationship(f"{WORD}/image", "media/image1.png", mode="Internal"),
                )
            ),
            "方案.docx",
            "docx",
        ),
        (  # an embedded object without macros (a Package object, an old chart)
            files.docx_bytes(
                parts={
                    "word/embeddings/oleObject1.bin": files.ole2_bytes(
                        {"\x01Ole10Native": b"\0" * 5000}
                    )
                }
            ),
            "方案.docx",
            "docx",
        ),
        (files.odt_bytes(), "方案.odt", "odt"),
        (files.ole2_bytes(files.word_binary()), "方案.doc", "doc"),
        (files.ole2_bytes(files.word_binary(size=1500, table="0Table")), "方案.doc", "doc"),
        (files.ole2_bytes(files.word_binary()), "方案.wps", "wps"),  # Kingsoft: Word's layout
    ],
)
def test_plan_files_are_told_by_their_content(data, name, kind):
    assert documents.identify(data, name).kind == kind


def _zip_named(*names: str) -> bytes:
    """A zip of the named members, in that order, each holding ODF text's media type."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "application/vnd.oasis.opendocument.text")
    return out.getvalue()


def _lying_zip() -> bytes:
    """A DOCX whose content-types part inflates to 50 MB while its directory says 429 bytes."""
    data = bytearray(files.docx_bytes(types=files.content_types() + " " * (50 * 1024 * 1024)))
    at = data.index(b"PK\x01\x02")  # the directory's first entry: [Content_Types].xml
    data[at + 24 : at + 28] = (429).to_bytes(4, "little")
    return bytes(data)


MACROS = "macros"
EXTERNAL = "outside itself"
NOT_A_PLAN = "not a PDF"
DAMAGED_PDF = "PDF file could not be read"
HOSTILE = {
    # PDF: the header at offset 0, and a structure behind it.
    "html with %PDF- in its first kilobyte": (
        b"<html><!-- %PDF-1.7 --><script>alert(document.cookie)</script></html>",
        "方案.pdf",
        NOT_A_PLAN,
    ),
    "svg with %PDF-": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><!-- %PDF-1.4 --><script>alert(1)</script></svg>',
        "方案.pdf",
        NOT_A_PLAN,
    ),
    "exe with %PDF-": (
        b"MZ\x90\x00" + b"\0" * 60 + b"%PDF-1.7\n" + b"\0" * 500,
        "方案.pdf",
        NOT_A_PLAN,
    ),
    "pdf behind html": (
        files.pdf_bytes(before=b"<html><script>x()</script>"),
        "方案.pdf",
        NOT_A_PLAN,
    ),
    "zip with %PDF- in its first kilobyte": (
        _zip_named("%PDF-1.7.txt"),
        "方案.pdf",
        NOT_A_PLAN,
    ),
    "html after a pdf header": (
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n",
        "方案.pdf",
        DAMAGED_PDF,
    ),
    "pdf without cross-reference": (OLD_PLAN_PDF, "方案.pdf", DAMAGED_PDF),
    "startxref beyond the file": (
        PLAN_PDF.replace(b"startxref\n", b"startxref\n99999"),
        "方案.pdf",
        DAMAGED_PDF,
    ),
    "startxref at no cross-reference": (
        PLAN_PDF[: PLAN_PDF.rindex(b"startxref")] + b"startxref\n9\n%%EOF\n",
        "方案.pdf",
        DAMAGED_PDF,
    ),
    "pdf with a kilobytes-long tail after %%EOF": (
        files.pdf_bytes(after=b"<html>" * 400),
        "方案.pdf",
        DAMAGED_PDF,
    ),
    # DOC and WPS: Word's layout, no macros.
    "doc with a Macros storage": (
        files.ole2_bytes(
            {**files.word_binary(), "Macros": {"VBA": {"_VBA_PROJECT": b"\xcc\x61", "dir": b"x"}}}
        ),
        "方案.doc",
        MACROS,
    ),
    "doc embedding a workbook with macros": (
        files.ole2_bytes(
            {
                **files.word_binary(),
                "ObjectPool": {"_1234": {"_VBA_PROJECT_CUR": {"VBA": {"dir": b"x"}}}},
            }
        ),
        "方案.doc",
        MACROS,
    ),
    "wps with a Macros storage": (
        files.ole2_bytes({**files.word_binary(), "Macros": {"VBA": {"dir": b"x"}}}),
        "方案.wps",
        MACROS,
    ),
    "any OLE2 file named .wps": (
        files.ole2_bytes({"CONTENTS": b"\0" * 5000, "MatOST": b"\0" * 100}),
        "方案.wps",
        "WPS file is not in WPS Writer",
    ),
    "OLE2 of another layout named .doc": (
        files.ole2_bytes({"Workbook": b"\0" * 5000}),
        "方案.doc",
        NOT_A_PLAN,
    ),
    "WordDocument without Word's header": (
        files.ole2_bytes(files.word_binary(ident=0x1234)),
        "方案.doc",
        NOT_A_PLAN,
    ),
    "WordDocument without its table stream": (
        files.ole2_bytes({"WordDocument": files.word_binary()["WordDocument"]}),
        "方案.doc",
        NOT_A_PLAN,
    ),
    "an OLE2 header and nothing else": (documents.OLE2 + b"\0" * 200, "方案.doc", "damaged"),
    # DOCX: no macros or ActiveX under any name, no remote template, picture or object.
    "docx with word/vbaProject.bin": (
        files.docx_bytes(parts={"word/vbaProject.bin": b"\0"}),
        "方案.docx",
        MACROS,
    ),
    "docx with word/VBAPROJECT.BIN": (
        files.docx_bytes(parts={"word/VBAPROJECT.BIN": b"\0"}),
        "方案.docx",
        MACROS,
    ),
    "docx with a VBA project named word/macros.bin": (
        files.docx_bytes(parts={"word/macros.bin": files.vba_project()}),
        "方案.docx",
        MACROS,
    ),
    "docx declaring word/macros.bin a VBA project": (
        files.docx_bytes(
            types=files.content_types(
                extra='<Override PartName="/word/macros.bin" '
                'ContentType="application/vnd.ms-office.vbaProject"/>'
            ),
            parts={"word/macros.bin": b"\0"},
        ),
        "方案.docx",
        MACROS,
    ),
    "docx relating to a VBA project": (
        files.docx_bytes(
            parts=word_rels(relationship(f"{OFFICE}/vbaProject", "m.bin", mode="Internal"))
        ),
        "方案.docx",
        MACROS,
    ),
    "macro-enabled main document": (
        files.docx_bytes(
            types=files.content_types(main="application/vnd.ms-word.document.macroEnabled.main+xml")
        ),
        "方案.docx",
        MACROS,
    ),
    "docx with an ActiveX control": (
        files.docx_bytes(parts={"word/activeX/activeX1.xml": "<ax:ocx/>"}),
        "方案.docx",
        MACROS,
    ),
    "docx embedding a workbook with macros": (
        files.docx_bytes(
            parts={
                "word/embeddings/oleObject1.bin": files.ole2_bytes(
                    {"_VBA_PROJECT_CUR": {"VBA": {"dir": b"x"}}, "Workbook": b"\0" * 5000}
                )
            }
        ),
        "方案.docx",
        MACROS,
    ),
    "docx with a remote template": (
        files.docx_bytes(
            parts={
                "word/_rels/settings.xml.rels": files.relationships(
                    relationship(f"{WORD}/attachedTemplate", "https://evil.example/t.dotm")
                )
            }
        ),
        "方案.docx",
        EXTERNAL,
    ),
    "docx with a remote picture": (
        files.docx_bytes(
            parts=word_rels(
                relationship(f"{WORD}/image", "http://evil.example/p.png", mode="EXTERNAL")
            )
        ),
        "方案.docx",
        EXTERNAL,
    ),
    "docx with a hyperlink to a web address": (
        files.docx_bytes(
            parts=word_rels(relationship(f"{WORD}/hyperlink", "https://czj.nanning.gov.cn/"))
        ),
        "方案.docx",
        EXTERNAL,
    ),
    "docx with a hyperlink to a Windows share": (
        files.docx_bytes(parts=word_rels(relationship(f"{WORD}/hyperlink", "file://evil/share/x"))),
        "方案.docx",
        EXTERNAL,
    ),
    "docx with a DTD in its relationships": (
        files.docx_bytes(
            parts={"word/_rels/document.xml.rels": '<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'}
        ),
        "方案.docx",
        "damaged",
    ),
    "xlsx named .docx": (
        files.docx_bytes(
            types=files.content_types(
                main="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
            )
        ),
        "方案.docx",
        NOT_A_PLAN,
    ),
    "a 1 GB zip bomb named .docx": (files.zip_bomb(), "方案.docx", "unpacks to 1.0"),
    "a zip lying about its sizes": (_lying_zip(), "方案.docx", "damaged"),
    # ODT: mimetype first, no macros.
    "odt with Basic macros": (
        files.odt_bytes(parts={"Basic/Standard/Module1.xml": "<script:module/>"}),
        "方案.odt",
        MACROS,
    ),
    "odt without its mimetype first": (
        _zip_named("content.xml", "mimetype"),
        "方案.odt",
        NOT_A_PLAN,
    ),
    # Everything else.
    "broken zip": (b"PK\x03\x04 broken zip", "方案.docx", "damaged"),
    "empty": (b"", "方案.pdf", "empty"),
    "too large": (b"%PDF-" + b"0" * (20 * 1024 * 1024), "big.pdf", "20 MB"),
}


@pytest.mark.parametrize("data, name, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_files_that_are_no_plan_or_carry_danger_are_refused_with_the_reason(data, name, message):
    with pytest.raises(documents.DocumentError, match=message):
        documents.identify(data, name)


def test_a_lying_zip_is_refused_having_inflated_no_more_than_it_declared():
    data = _lying_zip()
    tracemalloc.start()
    try:
        with pytest.raises(documents.DocumentError):
            documents.identify(data, "方案.docx")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # the part inflates to 50 MB


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
    with pytest.raises(documents.DocumentError, match="more than 5000 parts"):
        documents.identify(out.getvalue(), "方案.docx")


UPLOADED = [
    "html with %PDF- in its first kilobyte",
    "docx with a VBA project named word/macros.bin",
    "docx with a remote template",
    "doc with a Macros storage",
    "any OLE2 file named .wps",
    "a 1 GB zip bomb named .docx",
]


@pytest.mark.parametrize("case", UPLOADED)
def test_a_dangerous_upload_is_refused_at_the_file_field_and_nothing_is_stored(
    client, campaign, admin_a, case
):
    data, name, _message = HOSTILE[case]
    client.force_login(admin_a)
    response = client.post(
        reverse("reporting:plan", args=["450103"]),
        {"file": SimpleUploadedFile(name, data), "summary": "我写的摘要"},
    )
    assert response.status_code == 400
    with (
        translation.override(response["Content-Language"]),
        pytest.raises(documents.DocumentError) as refusal,
    ):
        documents.identify(data, name)  # the reason, in the page's language
    form = response.context["upload"]
    assert form.errors["file"] == [str(refusal.value)]
    page = html.unescape(response.content.decode())
    assert str(refusal.value) in page and "我写的摘要" in page
    assert not WorkPlan.objects.exists() and not WorkPlanVersion.objects.exists()


@pytest.mark.parametrize(
    "data, name, disposition, content_type",
    [
        (PLAN_PDF, "方案.pdf", "inline", "application/pdf"),
        (files.docx_bytes(), "方案.docx", "attachment", documents.KINDS["docx"]),
        (files.odt_bytes(), "方案.odt", "attachment", documents.KINDS["odt"]),
        (files.ole2_bytes(files.word_binary()), "方案.doc", "attachment", "application/msword"),
        (files.ole2_bytes(files.word_binary()), "方案.wps", "attachment", documents.KINDS["wps"]),
    ],
)
def test_only_a_pdf_that_passed_opens_in_the_browser_everything_else_is_downloaded(
    client, campaign, county_a, admin_a, city_staff, data, name, disposition, content_type
):
    services.file_work_plan(
        campaign=campaign,
        bureau=county_a,
        actor=admin_a,
        data=data,
        file_name=name,
        summary="摘要",
        revision=None,
    )
    client.force_login(city_staff)
    response = client.get(reverse("reporting:plan_file", args=["450103", 1]))
    assert response["Content-Disposition"].startswith(disposition)
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_a_pdf_stored_before_the_check_was_strict_is_downloaded_not_shown(
    client, campaign, county_a, admin_a, city_staff
):
    """A version filed under the old check (`%PDF-` anywhere in the first kilobyte) may be an
    HTML page: it is served as a download of unknown type, never inline."""
    plan = services.file_work_plan(
        campaign=campaign,
        bureau=county_a,
        actor=admin_a,
        data=PLAN_PDF,
        file_name="方案.pdf",
        summary="摘要",
        revision=None,
    )
    version = plan.versions.get()
    old = b"<html><!-- %PDF-1.7 --><script>alert(1)</script></html>"
    version.file.save("plan-v1.pdf", ContentFile(old))
    client.force_login(city_staff)
    response = client.get(reverse("reporting:plan_file", args=["450103", 1]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == old


def test_after_a_new_version_the_citys_comments_read_as_history(
    client, campaign, county_a, admin_a, city_staff
):
    plan = file_plan(campaign, county_a, admin_a)
    plan = services.decide_work_plan(
        plan=plan,
        actor=city_staff,
        decision=PlanStatus.RETURNED,
        comments="补充进度安排",
        revision=plan.revision,
    )
    client.force_login(admin_a)
    url = reverse("reporting:plan", args=["450103"])
    page = client.get(url).content.decode()
    history = translation.gettext(
        "The city's comments on version %(n)s (replaced by version %(m)s):"
    ) % {"n": 1, "m": 2}
    assert "补充进度安排" in page and history not in page  # still the instruction to act on
    file_plan(campaign, county_a, admin_a, revision=plan.revision, summary="第二版")
    page = client.get(url).content.decode()
    assert "补充进度安排" in page  # kept, as history
    assert history in page
    assert translation.gettext("The city's comments:") not in page
