"""Demo progress reporting for `seed_demo`: the campaign's weeks so far, as the services would
have left them — plans filed, acknowledged, returned, late and missing; sheets submitted on
time and late, accepted and returned (with their versions); bulletins of past weeks.

Rows are written directly with past times (the services stamp the present); the figures are
the tallies' as of each moment, as the services compute them.
"""

import datetime
import functools
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounting_registry.pdf import render_html_to_pdf
from practitioners.constants import Role
from practitioners.models import Bureau, User
from reporting import permissions, services, weeks
from reporting.constants import PlanStatus, SheetStatus
from reporting.figures import Figures, progress
from reporting.models import ProgressSheet, ProgressSheetVersion, WorkPlan, WorkPlanVersion

_PLAN_HTML = """<html lang="zh-CN"><head><style>
@page {{ size: A4; margin: 25mm 20mm; }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.7; }}
h1 {{ font-size: 16pt; text-align: center; }}
</style></head><body>
<h1>{bureau}会计从业人员信息采集工作方案</h1>
<p>为做好会计从业人员信息采集工作，根据南宁市财政局的通知要求，结合本地实际，制定本方案。</p>
<h2>一、宣传动员</h2><p>通过单位通知、短信和门户网站，动员本系统全部持证人员（含不在会计岗位的持证人员）上网修改录入个人基本信息。</p>
<h2>二、组织分工</h2><p>会计管理股负责组织实施，受理窗口每周二、周四集中办理确认，专人负责电话提醒。</p>
<h2>三、进度安排</h2><p>按周报送进度表，{due}前完成全部采集确认工作。</p>
</body></html>"""


@functools.cache
def _plan_pdf(bureau_name: str, due: str) -> bytes:
    return render_html_to_pdf(_PLAN_HTML.format(bureau=bureau_name, due=due))


def _at(day: datetime.date, hour: int, campaign) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=weeks.zone(campaign))


SUMMARY = "宣传动员到人、会计管理股专人负责，窗口每周二、周四集中确认，按周报送进度。"
NOTES = {
    "staff": "会计管理股2人，受理窗口1人",
    "counter_days": "周二、周四全天",
    "problems": "部分持证人员联系方式已变更，正在逐一核实。",
    "next_week": "继续电话通知未采集人员，到乡镇宣传。",
}


def seed_reporting(*, campaign) -> dict[str, int]:
    """Plans, sheets and bulletins for the campaign's weeks so far (idempotent)."""
    if WorkPlan.objects.filter(campaign=campaign).exists():
        return {"plans": 0, "sheets": 0, "bulletins": 0}
    counties = [b for b in Bureau.objects.order_by("code") if permissions.reports(b)]
    admins = {
        u.bureau_id: u
        for u in User.objects.filter(role=Role.BUREAU_ADMIN, username__startswith="admin_")
    }
    city = User.objects.filter(username="city").first()
    with transaction.atomic():
        plans = _plans(campaign, counties, admins, city)
        sheets = _sheets(campaign, counties, admins, city)
    published = 0
    now = timezone.now()
    past = [w for w in weeks.campaign_weeks(campaign) if weeks.cutoff(campaign, w) <= now]
    if city is not None:
        # The two weeks before the last (each draws its charts and files, about a second);
        # the last is the city's to check and publish.
        for week in past[-3:-1]:
            services.publish_bulletin(campaign=campaign, week=week, actor=city)
            published += 1
    return {"plans": plans, "sheets": sheets, "bulletins": published}


def _plans(campaign, counties, admins, city) -> int:
    due = campaign.plan_due_date
    now = timezone.now()
    count = 0
    for i, county in enumerate(counties):
        if i == 3 or county.pk not in admins:
            continue  # never filed: overdue
        filed = _at(campaign.start_date + datetime.timedelta(days=2 + i % 6), 10, campaign)
        if i == 7:
            filed = _at(due + datetime.timedelta(days=2), 15, campaign)  # late, not decided yet
        if filed > now:
            continue
        plan = WorkPlan.objects.create(
            campaign=campaign, bureau=county, filed_at=filed, updated_at=filed, revision=1
        )
        _version(plan, 1, admins[county.pk], filed, due)
        if i == 7:
            count += 1
            continue
        decided = filed + datetime.timedelta(days=1, hours=2)
        if i in (1, 9):
            plan.status = PlanStatus.RETURNED
            plan.comments = "请补充受理窗口的人员安排和每周进度目标。"
            plan.decided_at, plan.decided_by = decided, city
            plan.revision = 2
            if i == 9:  # filed again, waiting for the city
                again = decided + datetime.timedelta(days=1)
                _version(plan, 2, admins[county.pk], again, due)
                plan.status, plan.updated_at, plan.revision = PlanStatus.FILED, again, 3
        else:
            plan.status = PlanStatus.ACKNOWLEDGED
            plan.decided_at, plan.decided_by = decided, city
            plan.revision = 2
            if i % 2 == 0:
                plan.paper_received_at = decided + datetime.timedelta(days=2)
                plan.paper_received_by = city
        plan.save()
        count += 1
    return count


def _version(plan, number, admin, when, due) -> None:
    version = WorkPlanVersion(
        plan=plan,
        number=number,
        file_name=f"{plan.bureau.short_name}信息采集工作方案{'（修改稿）' if number > 1 else ''}.pdf",
        kind="pdf",
        summary=SUMMARY,
        uploaded_at=when,
        uploaded_by=admin,
    )
    data = _plan_pdf(plan.bureau.short_name, f"{due:%m月%d日}")
    version.size = len(data)
    version.sha256 = hashlib.sha256(data).hexdigest()
    version.file.save(f"plan-v{number}.pdf", ContentFile(data), save=False)
    version.save()


def _sheets(campaign, counties, admins, city) -> int:
    now = timezone.now()
    count = 0
    all_weeks = weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, now))
    for k, week in enumerate(all_weeks):
        cutoff = weeks.cutoff(campaign, week)
        current = cutoff > now
        last_past = not current and weeks.cutoff(campaign, week.next()) > now
        at_cutoff = progress(campaign=campaign, as_of=min(cutoff, now), week=week)
        for i, county in enumerate(counties):
            admin = admins.get(county.pk)
            if admin is None:
                continue
            roll = (i * 7 + k * 3) % 10
            sheet = ProgressSheet(
                campaign=campaign,
                bureau=county,
                week=str(week),
                cutoff=cutoff,
                created_at=cutoff - datetime.timedelta(days=6),
            )
            if current:
                versions = []
                if roll in (0, 4):  # two counties already sent this week's
                    when = now - datetime.timedelta(hours=2)
                    versions.append(_submit(sheet, admin, when, at_cutoff, cutoff))
                    sheet.revision = 2
                sheet.save()
                for number, v in enumerate(versions, start=1):
                    ProgressSheetVersion.objects.create(sheet=sheet, number=number, **v)
                count += 1
                continue
            if roll == 0:
                sheet.save()  # never submitted
                count += 1
                continue
            late = roll == 1
            submitted = (
                cutoff + datetime.timedelta(days=1, hours=1)
                if late
                else cutoff - datetime.timedelta(hours=4)
            )
            versions = [_submit(sheet, admin, submitted, at_cutoff, cutoff)]
            if roll in (2, 5):
                returned_at = submitted + datetime.timedelta(days=1)
                versions[0].update(
                    decision=SheetStatus.RETURNED,
                    feedback="“本周确认”与窗口台账不一致，请核对后重报。",
                    decided_at=returned_at,
                )
                sheet.status, sheet.feedback, sheet.decided_at = (
                    SheetStatus.RETURNED,
                    versions[0]["feedback"],
                    returned_at,
                )
                if not (last_past and roll == 5):  # resubmitted
                    again = returned_at + datetime.timedelta(hours=5)
                    versions.append(_submit(sheet, admin, again, at_cutoff, cutoff))
            if sheet.status == SheetStatus.SUBMITTED and not last_past:
                accepted = sheet.submitted_at + datetime.timedelta(days=1)
                versions[-1].update(decision=SheetStatus.ACCEPTED, decided_at=accepted)
                sheet.status, sheet.decided_at = SheetStatus.ACCEPTED, accepted
            sheet.revision = len(versions) * 2
            sheet.save()
            for number, v in enumerate(versions, start=1):
                ProgressSheetVersion.objects.create(
                    sheet=sheet, number=number, decided_by=city if v.get("decision") else None, **v
                )
            count += 1
    return count


def _submit(sheet, admin, when, at_cutoff, cutoff) -> dict:
    """The sheet as submit_sheet leaves it at `when`; the version's values."""
    figures = at_cutoff.bureaus.get(sheet.bureau_id, Figures())
    if when < cutoff:  # before the cut-off: the figures of that moment
        figures = progress(
            campaign=sheet.campaign, as_of=when, week=weeks.Week.parse(sheet.week)
        ).bureaus.get(sheet.bureau_id, Figures())
    frozen = figures.as_dict()
    first = sheet.submitted_at is None
    for name, value in NOTES.items():
        setattr(sheet, name, value)
    sheet.status = SheetStatus.SUBMITTED
    sheet.figures, sheet.figures_as_of, sheet.submitted_at = frozen, min(when, cutoff), when
    if first:
        sheet.late = when >= cutoff
    return {
        "figures": frozen,
        "figures_as_of": min(when, cutoff),
        "notes": dict(NOTES),
        "submitted_at": when,
        "submitted_by": admin,
        "late": when >= cutoff,
    }
