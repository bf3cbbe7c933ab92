"""Reads of progress reporting, scoped to who is asking (404 outside their scope)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from collection import tallies as application_tallies
from collection.models import Application, Campaign
from practitioners.models import Bureau, Practitioner, User
from reporting import permissions, weeks
from reporting.constants import PlanStatus, SheetStatus
from reporting.figures import PEOPLE_FIGURES, Figures, Forecast, forecast, progress, week_progress
from reporting.models import Bulletin, ProgressSheet, WorkPlan, WorkPlanVersion


def bureau_for(*, user: User | AnonymousUser, code: str) -> Bureau:
    """A bureau whose progress the user may see; 404 otherwise (as for a bureau that isn't)."""
    bureau = Bureau.objects.filter(code=code).first()
    if bureau is None or not permissions.can_see_progress(user, bureau):
        raise Http404
    return bureau


def plan_of(*, campaign: Campaign, bureau: Bureau) -> WorkPlan | None:
    """The bureau's work plan with its versions (newest first), or None when not filed."""
    return (
        WorkPlan.objects.filter(campaign=campaign, bureau=bureau)
        .select_related("decided_by", "paper_received_by")
        .prefetch_related(
            Prefetch("versions", queryset=WorkPlanVersion.objects.select_related("uploaded_by"))
        )
        .first()
    )


def plan_version(*, plan: WorkPlan, number: int) -> WorkPlanVersion:
    version = plan.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def sheet_of(*, campaign: Campaign, bureau: Bureau, week: weeks.Week) -> ProgressSheet | None:
    return (
        ProgressSheet.objects.filter(campaign=campaign, bureau=bureau, week=str(week))
        .prefetch_related("versions__submitted_by", "versions__decided_by")
        .first()
    )


def sheets_of(*, campaign: Campaign, bureau: Bureau) -> dict[str, ProgressSheet]:
    return {s.week: s for s in ProgressSheet.objects.filter(campaign=campaign, bureau=bureau)}


@dataclass(frozen=True)
class PlanState:
    """How a county stands with its work plan, for both sides."""

    plan: WorkPlan | None
    overdue: bool  # not filed (or returned and not refiled) after the due date
    filed_late: bool

    @property
    def status(self) -> str | None:
        return self.plan.status if self.plan else None


@dataclass(frozen=True)
class PlanComments:
    """The city's comments and the version they were written on; `replaced_by` is the newest
    version when the county has filed one since, so the page reads them as history."""

    text: str
    version: int | None
    replaced_by: int | None


def plan_comments(plan: WorkPlan) -> PlanComments | None:
    """The comments of the city's last decision, told apart from the version now on file: the
    plan keeps one set of comments, written on the newest version filed before the decision."""
    if not plan.comments:
        return None
    versions = list(plan.versions.all())  # newest first (prefetched by plan_of)
    latest = versions[0].number if versions else None
    if plan.decided_at is None:
        return PlanComments(text=plan.comments, version=None, replaced_by=None)
    read = [v.number for v in versions if v.uploaded_at <= plan.decided_at]
    version = max(read) if read else None
    replaced = latest if version is not None and latest is not None and latest > version else None
    return PlanComments(text=plan.comments, version=version, replaced_by=replaced)


def plan_state(
    *, campaign: Campaign, plan: WorkPlan | None, now: datetime.datetime | None = None
) -> PlanState:
    due = weeks.plan_deadline(campaign)
    now = now or timezone.now()
    waiting = plan is None or plan.status == PlanStatus.RETURNED
    return PlanState(
        plan=plan,
        overdue=waiting and now >= due,
        filed_late=plan is not None and plan.filed_at >= due,
    )


@dataclass(frozen=True)
class BureauProgress:
    bureau: Bureau
    figures: Figures
    forecast: Forecast
    plan: PlanState | None  # None for the city, which files none
    sheet: ProgressSheet | None  # this week's


def overview(*, campaign: Campaign, bureaus: list[Bureau] | None = None) -> list[BureauProgress]:
    """Every bureau's live figures, forecast, plan and this week's sheet: the city's dashboard
    (a fixed number of queries whatever the size of the register)."""
    now = timezone.now()
    live = progress(campaign=campaign)
    week = weeks.current_week(campaign, now)
    today = weeks.local_today(campaign, now)
    bureaus = bureaus if bureaus is not None else list(Bureau.objects.order_by("code"))
    plans = {p.bureau_id: p for p in WorkPlan.objects.filter(campaign=campaign)}
    sheets = {
        s.bureau_id: s for s in ProgressSheet.objects.filter(campaign=campaign, week=str(week))
    }
    rows = []
    for bureau in bureaus:
        figures = live.bureaus.get(bureau.pk, Figures())
        rows.append(
            BureauProgress(
                bureau=bureau,
                figures=figures,
                forecast=forecast(
                    figures=figures,
                    recent=live.pace.get(bureau.pk, 0),
                    today=today,
                    deadline=campaign.collection_due_date,
                ),
                plan=(
                    plan_state(campaign=campaign, plan=plans.get(bureau.pk), now=now)
                    if permissions.reports(bureau)
                    else None
                ),
                sheet=sheets.get(bureau.pk),
            )
        )
    return rows


@dataclass(frozen=True)
class WeekFigures:
    """A bureau's figures of a week, as its sheet shows them."""

    figures: Figures
    as_of: datetime.datetime
    final: bool  # the cut-off has passed: these are the week's figures for good


def week_figures(
    *, campaign: Campaign, bureau: Bureau, week: weeks.Week, sheet: ProgressSheet | None
) -> WeekFigures:
    """The week's figures of a bureau: as frozen into its sheet, else as of the cut-off once it
    has passed (the same figures), else as of now, provisional until the cut-off."""
    # The freeze writes the figures and their time together.
    if sheet is not None and sheet.figures is not None and sheet.figures_as_of is not None:
        return WeekFigures(Figures.from_dict(sheet.figures), sheet.figures_as_of, True)
    computed = week_progress(campaign=campaign, week=week)
    cutoff = weeks.cutoff(campaign, week)
    return WeekFigures(
        computed.bureaus.get(bureau.pk, Figures()),
        min(computed.as_of, cutoff),
        computed.as_of >= cutoff,
    )


def never_submitted(sheet: ProgressSheet | None) -> bool:
    return sheet is None or sheet.status == SheetStatus.DRAFT


def sheet_missing(sheet: ProgressSheet | None) -> bool:
    return sheet is None or sheet.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)


def people(*, campaign: Campaign, bureau: Bureau, figure: str) -> QuerySet[Practitioner]:
    """The people behind one of a bureau's figures now, in the register's order (name, id)."""
    if figure not in PEOPLE_FIGURES:
        raise Http404
    in_bureau = Practitioner.objects.filter(bureau=bureau)
    own = Application.objects.filter(campaign=campaign, practitioner=OuterRef("pk"))
    if figure == "not_started":
        chosen = in_bureau.filter(~Exists(own))
    else:
        chosen = in_bureau.filter(Exists(own.filter(application_tallies.STATE_FILTERS[figure])))
    return chosen.order_by("name", "id")


def applications_of(*, campaign: Campaign, practitioners: list[Practitioner]) -> dict:
    """practitioner id -> their application in the campaign, for one page of a people list."""
    return {
        a.practitioner_id: a
        for a in Application.objects.filter(
            campaign=campaign, practitioner__in=[p.pk for p in practitioners]
        ).only(
            "practitioner_id",
            "status",
            "submitted_at",
            "returned_at",
            "return_reason",
            "updated_at",
            "reference",
        )
    }


def published_bulletins() -> QuerySet[Bulletin]:
    return (
        Bulletin.objects.select_related("campaign")
        .defer("rate_svg", "trend_svg", "rows", "trend")
        .order_by("-campaign__start_date", "-week")
    )


def published_bulletin(*, campaign_id: int, week: str, light: bool = False) -> Bulletin:
    """A published bulletin (404 otherwise); `light` leaves its charts and rows to be read
    only if the page asks for them (the page caches what it renders from them)."""
    bulletins = Bulletin.objects.select_related("campaign")
    if light:
        bulletins = bulletins.defer("rows", "trend", "rate_svg", "trend_svg")
    bulletin = bulletins.filter(campaign_id=campaign_id, week=week).first()
    if bulletin is None:
        raise Http404
    return bulletin
