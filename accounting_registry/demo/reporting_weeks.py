"""The demo's fifth chapter: progress reporting. County admins file their work plans, which the
city acknowledges or returns; the cron job drafts each week's sheets and freezes the past weeks'
figures; counties submit their sheets (some late, some never), the city accepts or returns them
and publishes the bulletins.

`ReportingActs` is mixed into the demo (campaign.Demo), which gives it the story, the clock's
`now`, the bureaus, the campaign and its dates, the staff users and the counts.
"""

import datetime
import functools

from core.pdf import render_html_to_pdf
from practitioners.models import Bureau
from reporting import permissions as reporting_permissions
from reporting import services as reporting_services
from reporting import weeks
from reporting.constants import SheetStatus

from .clock import aware, office_time

PLAN_SUMMARY = "宣传动员到人、会计管理股专人负责，窗口每周二、周四集中确认，按周报送进度。"
SHEET_NOTES = {
    "staff": "会计管理股2人，受理窗口1人",
    "counter_days": "周二、周四全天",
    "problems": "部分持证人员联系方式已变更，正在逐一核实。",
    "next_week": "继续电话通知未采集人员，到乡镇宣传。",
}
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


class ReportingActs:
    """The counties' plans and weekly sheets, the city's decisions and bulletins, the cron job."""

    def reporting(self) -> None:
        counties = [b for b in self.bureaus if reporting_permissions.reports(b)]
        self.plans(counties)
        campaign = self.campaign
        # The cron job: each week's drafts on Monday 00:05, and the past weeks' figures frozen.
        for week in weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, self.now)):
            self.story.at(aware(week.monday, 0, 5), functools.partial(self.cron, week))
        past = []
        for k, week in enumerate(
            weeks.campaign_weeks(campaign, until=weeks.current_week(campaign, self.now))
        ):
            cutoff = weeks.cutoff(campaign, week)
            if cutoff >= self.now:
                # Two counties already sent this week's notes, in office hours since the last
                # cut-off.
                sent = max(
                    office_time(self.now, days_ago=0, hour=10),
                    weeks.cutoff(campaign, week.previous()) + datetime.timedelta(hours=1),
                )
                for i, county in enumerate(counties):
                    if (i * 7 + k * 3) % 10 in (0, 4):
                        self.story.at(sent, functools.partial(self.sheet, county, week, "submit"))
                continue
            past.append(week)
            last_past = weeks.cutoff(campaign, week.next()) >= self.now
            for i, county in enumerate(counties):
                roll = (i * 7 + k * 3) % 10
                if roll == 0:
                    continue  # never submitted
                submitted = (
                    cutoff + datetime.timedelta(days=1, hours=1)
                    if roll == 1
                    else cutoff - datetime.timedelta(hours=4)
                )
                self.story.at(submitted, functools.partial(self.sheet, county, week, "submit"))
                decided = submitted + datetime.timedelta(days=1)
                if roll in (2, 5):
                    self.story.at(decided, functools.partial(self.sheet, county, week, "return"))
                    if last_past and roll == 5:
                        continue  # returned, not resubmitted yet
                    self.story.at(
                        decided + datetime.timedelta(hours=5),
                        functools.partial(self.sheet, county, week, "submit"),
                    )
                    decided += datetime.timedelta(days=1)
                if not last_past and decided < self.now:
                    self.story.at(decided, functools.partial(self.sheet, county, week, "accept"))
        # The two weeks before the last are published; the last is the city's to publish.
        for week in past[-3:-1]:
            self.story.at(
                weeks.cutoff(campaign, week) + datetime.timedelta(days=1, hours=16),
                functools.partial(self.publish, week),
            )

    def plans(self, counties: list[Bureau]) -> None:
        start, _due = self.dates()
        due = start + datetime.timedelta(days=14)
        for i, county in enumerate(counties):
            if i == 3:
                continue  # never filed: overdue
            filed = aware(start + datetime.timedelta(days=2 + i % 6), 10)
            if i == 7:
                filed = aware(due + datetime.timedelta(days=2), 15)  # late, not decided yet
            if filed >= self.now:
                continue
            self.story.at(filed, functools.partial(self.file_plan, county, "file"))
            if i == 7:
                continue
            decided = filed + datetime.timedelta(days=1, hours=2)
            if i in (1, 9):
                self.story.at(decided, functools.partial(self.decide_plan, county, "returned"))
                if i == 9:  # filed again, waiting for the city
                    self.story.at(
                        decided + datetime.timedelta(days=1),
                        functools.partial(self.file_plan, county, "again"),
                    )
            else:
                self.story.at(decided, functools.partial(self.decide_plan, county, "acknowledged"))
                if i % 2 == 0:
                    self.story.at(
                        decided + datetime.timedelta(days=2),
                        functools.partial(self.plan_paper, county),
                    )

    def _work_plan(self, county: Bureau):
        from reporting.models import WorkPlan

        return WorkPlan.objects.filter(campaign=self.campaign, bureau=county).first()

    def file_plan(self, county: Bureau, which: str) -> None:
        plan = self._work_plan(county)
        reporting_services.file_work_plan(
            campaign=self.campaign,
            bureau=county,
            actor=self.users[f"admin_{county.code}"],
            data=_plan_pdf(county.short_name, f"{self.campaign.collection_due_date:%m月%d日}"),
            file_name=f"{county.short_name}信息采集工作方案{'（修改稿）' if which == 'again' else ''}.pdf",
            summary=PLAN_SUMMARY,
            revision=plan.revision if plan else None,
        )

    def decide_plan(self, county: Bureau, decision: str) -> None:
        plan = self._work_plan(county)
        reporting_services.decide_work_plan(
            plan=plan,
            actor=self.users["city"],
            decision=decision,
            comments="请补充受理窗口的人员安排和每周进度目标。" if decision == "returned" else "",
            revision=plan.revision,
        )

    def plan_paper(self, county: Bureau) -> None:
        reporting_services.record_plan_paper(
            plan=self._work_plan(county), actor=self.users["city"], received=True
        )

    def cron(self, week: weeks.Week) -> None:
        reporting_services.generate_progress_sheets(campaign=self.campaign, week=week)

    def sheet(self, county: Bureau, week: weeks.Week, act: str) -> None:
        sheet = reporting_services.sheet_for(campaign=self.campaign, bureau=county, week=week)
        if act == "submit":
            reporting_services.submit_sheet(
                sheet=sheet,
                actor=self.users[f"admin_{county.code}"],
                notes=SHEET_NOTES,
                revision=sheet.revision,
            )
            self.counts["sheets"] += 1
        else:
            reporting_services.decide_sheet(
                sheet=sheet,
                actor=self.users["city"],
                decision=SheetStatus.RETURNED if act == "return" else SheetStatus.ACCEPTED,
                feedback="请补充受理窗口的人员安排和下周的具体计划后重报。"
                if act == "return"
                else "",
                revision=sheet.revision,
            )

    def publish(self, week: weeks.Week) -> None:
        reporting_services.publish_bulletin(
            campaign=self.campaign, week=week, actor=self.users["city"]
        )
        self.counts["bulletins"] += 1
