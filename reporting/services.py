"""State changes of progress reporting: work plans, weekly sheets, bulletins.

Each is one atomic function that takes the acting user, checks the permission and the current
status, writes its audit event and leaves the rest to the caller.
"""

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.models import Campaign
from practitioners.constants import AuditAction
from practitioners.models import Bureau, User
from practitioners.services import record_event
from reporting import bulletins, documents, permissions, weeks
from reporting.constants import (
    PLAN_SUMMARY_MAX,
    PLAN_TRANSITIONS,
    SHEET_NOTES,
    SHEET_TRANSITIONS,
    PlanStatus,
    SheetStatus,
)
from reporting.figures import Figures, week_progress
from reporting.models import (
    Bulletin,
    ProgressSheet,
    ProgressSheetVersion,
    WorkPlan,
    WorkPlanVersion,
)


class ReportingError(Exception):
    """A refusal with the reason the user sees."""


class ChangedMeanwhile(ReportingError):
    """The plan or sheet changed since the form was opened."""


def _check_revision(obj: WorkPlan | ProgressSheet, revision: int | None) -> None:
    if revision is None or obj.revision != revision:
        raise ChangedMeanwhile(
            _("This was changed by someone else since you opened the page. Check it and try again.")
        )


def _move(obj: WorkPlan | ProgressSheet, to: str, transitions: dict[str, frozenset[str]]) -> None:
    if to not in transitions[obj.status]:
        raise ReportingError(
            _("It is %(status)s and can no longer be changed that way.")
            % {"status": obj.get_status_display()}
        )
    obj.status = to


def _checked_decision(
    decision: str, note: str, *, allowed: tuple, returned: str, choose: str, explain: str
) -> str:
    """The city's decision is one of `allowed`, and a return says why; the note, stripped."""
    note = note.strip()
    if decision not in allowed:
        raise ReportingError(choose)
    if decision == returned and not note:
        raise ReportingError(explain)
    return note


# --- Work plans ---------------------------------------------------------------------------------


def file_work_plan(
    *,
    campaign: Campaign,
    bureau: Bureau,
    actor: User,
    data: bytes,
    file_name: str,
    summary: str,
    revision: int | None,
) -> WorkPlan:
    """A county admin files (or, until the city acts, replaces) the work plan: a new version,
    checked by its content; every version is kept."""
    if not permissions.can_file_plan(actor, bureau):
        raise PermissionDenied("only the county's admin files its work plan")
    summary = summary.strip()
    if not summary:
        raise ReportingError(_("Write a short summary of the plan."))
    if len(summary) > PLAN_SUMMARY_MAX:
        raise ReportingError(_("The summary is longer than 500 characters."))
    document = documents.identify(data, file_name)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                plan, created = WorkPlan.objects.get_or_create(
                    campaign=campaign, bureau=bureau, defaults={"filed_at": now}
                )
        except IntegrityError:
            created = False
        plan = WorkPlan.objects.select_for_update().get(campaign=campaign, bureau=bureau)
        if not created:
            _check_revision(plan, revision)
            _move(plan, PlanStatus.FILED, PLAN_TRANSITIONS)
        number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = WorkPlanVersion(
            plan=plan,
            number=number,
            file_name=file_name[-200:],
            kind=document.kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            summary=summary,
            uploaded_at=now,
            uploaded_by=actor,
        )
        version.file.save(f"plan-v{number}.{document.kind}", ContentFile(data), save=False)
        version.save()
        plan.status = PlanStatus.FILED
        plan.updated_at = now
        plan.comments = "" if created else plan.comments
        plan.revision += 1
        plan.save(update_fields=["status", "updated_at", "comments", "revision"])
        record_event(
            actor=actor,
            action=AuditAction.PLAN_FILED,
            bureau=bureau,
            campaign=campaign.pk,
            version=number,
            file=version.file_name,
            kind=document.kind,
            size=len(data),
            sha256=version.sha256,
        )
    return plan


def decide_work_plan(
    *, plan: WorkPlan, actor: User, decision: str, comments: str, revision: int | None
) -> WorkPlan:
    """City staff acknowledge (备案) the plan, or return it with comments for a new version."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("only city staff decide on work plans")
    comments = _checked_decision(
        decision,
        comments,
        allowed=(PlanStatus.ACKNOWLEDGED, PlanStatus.RETURNED),
        returned=PlanStatus.RETURNED,
        choose=_("Choose to acknowledge or to return the plan."),
        explain=_("Say what the county should change."),
    )
    with transaction.atomic():
        locked = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        _check_revision(locked, revision)
        _move(locked, decision, PLAN_TRANSITIONS)
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.comments = comments
        locked.revision += 1
        locked.save(update_fields=["status", "decided_at", "decided_by", "comments", "revision"])
        record_event(
            actor=actor,
            action=AuditAction.PLAN_DECIDED,
            bureau=locked.bureau,
            campaign=locked.campaign_id,
            decision=decision,
            comments=comments,
        )
    return locked


def record_plan_paper(*, plan: WorkPlan, actor: User, received: bool) -> WorkPlan:
    """City staff tick (or untick) that the A4 paper copy of the plan arrived."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("only city staff record the paper copy")
    with transaction.atomic():
        locked = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if received == (locked.paper_received_at is not None):
            return locked
        locked.paper_received_at = timezone.now() if received else None
        locked.paper_received_by = actor if received else None
        locked.save(update_fields=["paper_received_at", "paper_received_by"])
        record_event(
            actor=actor,
            action=AuditAction.PLAN_PAPER,
            bureau=locked.bureau,
            campaign=locked.campaign_id,
            received=received,
        )
    return locked


# --- Weekly sheets ------------------------------------------------------------------------------


def generate_progress_sheets(*, campaign: Campaign, week: weeks.Week) -> int:
    """The week's draft sheet for every county that has none yet (idempotent), and the figures
    of every week whose cut-off has passed frozen into its sheets: the cron job."""
    if not weeks.in_campaign(campaign, week):
        last = weeks.last_week(campaign)
        raise ReportingError(
            _("%(week)s is outside the campaign (%(first)s to %(last)s).")
            % {
                "week": week,
                "first": weeks.first_week(campaign),
                "last": last if last is not None else _("its pending pool's week"),
            }
        )
    cutoff = weeks.cutoff(campaign, week)
    counties = [b for b in Bureau.objects.order_by("code") if permissions.reports(b)]
    have = set(
        ProgressSheet.objects.filter(campaign=campaign, week=str(week)).values_list(
            "bureau_id", flat=True
        )
    )
    new = [
        ProgressSheet(campaign=campaign, bureau=b, week=str(week), cutoff=cutoff)
        for b in counties
        if b.pk not in have
    ]
    # ignore_conflicts: a second run at the same moment adds nothing either.
    ProgressSheet.objects.bulk_create(new, ignore_conflicts=True)
    now = timezone.now()
    waiting = (
        ProgressSheet.objects.filter(campaign=campaign, figures__isnull=True, cutoff__lt=now)
        .values_list("week", flat=True)
        .distinct()
    )
    for past in sorted(set(waiting)):
        freeze_week(campaign=campaign, week=weeks.Week.parse(past))
    return len(new)


def freeze_week(*, campaign: Campaign, week: weeks.Week) -> int:
    """Once a week's cut-off has passed, store its figures at the cut-off in each of its sheets
    that lacks them (the sheets, the bulletin and the dashboard's history all read these
    figures as of the cut-off; storing them keeps what was stated). Returns how many."""
    cutoff = weeks.cutoff(campaign, week)
    if timezone.now() <= cutoff:
        return 0
    with transaction.atomic():
        sheets = list(
            ProgressSheet.objects.select_for_update().filter(
                campaign=campaign, week=str(week), figures__isnull=True
            )
        )
        if not sheets:
            return 0
        at_cutoff = week_progress(campaign=campaign, week=week)
        for sheet in sheets:
            sheet.figures = at_cutoff.bureaus.get(sheet.bureau_id, Figures()).as_dict()
            sheet.figures_as_of = cutoff
        ProgressSheet.objects.bulk_update(sheets, ["figures", "figures_as_of"])
    return len(sheets)


def sheet_for(*, campaign: Campaign, bureau: Bureau, week: weeks.Week) -> ProgressSheet:
    """The bureau's sheet of a week, created as a draft when the cron job has not yet."""
    sheet, _created = ProgressSheet.objects.get_or_create(
        campaign=campaign,
        bureau=bureau,
        week=str(week),
        defaults={"cutoff": weeks.cutoff(campaign, week)},
    )
    return sheet


def _notes(values: dict[str, Any]) -> dict[str, str]:
    return {name: str(values.get(name, "")).strip()[:2000] for name in SHEET_NOTES}


def save_sheet_notes(
    *, sheet: ProgressSheet, actor: User, notes: dict[str, Any], revision: int | None
) -> ProgressSheet:
    """The county admin keeps the notes written so far, without submitting."""
    if not permissions.can_write_sheet(actor, sheet.bureau):
        raise PermissionDenied("only the county's admin writes its sheets")
    with transaction.atomic():
        locked = ProgressSheet.objects.select_for_update().get(pk=sheet.pk)
        _check_revision(locked, revision)
        if locked.status not in (SheetStatus.DRAFT, SheetStatus.RETURNED):
            raise ReportingError(
                _("The sheet is submitted; it can change only if the city returns it.")
            )
        for name, value in _notes(notes).items():
            setattr(locked, name, value)
        locked.revision += 1
        locked.save(update_fields=[*SHEET_NOTES, "revision"])
        record_event(
            actor=actor, action=AuditAction.SHEET_SAVED, bureau=locked.bureau, week=locked.week
        )
    return locked


def submit_sheet(
    *, sheet: ProgressSheet, actor: User, notes: dict[str, Any], revision: int | None
) -> ProgressSheet:
    """The county admin submits the sheet's notes (a new version). Its figures are the week's at
    the cut-off whenever it is submitted: provisional before it, frozen once it has passed.
    A first submission after the cut-off is late."""
    if not permissions.can_write_sheet(actor, sheet.bureau):
        raise PermissionDenied("only the county's admin submits its sheets")
    with transaction.atomic():
        locked = (
            ProgressSheet.objects.select_for_update()
            .select_related("campaign", "bureau")
            .get(pk=sheet.pk)
        )
        _check_revision(locked, revision)
        first = locked.status == SheetStatus.DRAFT
        _move(locked, SheetStatus.SUBMITTED, SHEET_TRANSITIONS)
        now = timezone.now()
        late = now > locked.cutoff
        for name, value in _notes(notes).items():
            setattr(locked, name, value)
        locked.submitted_at = now
        if first:
            locked.late = late
        locked.feedback = ""
        locked.decided_at = None
        locked.revision += 1
        locked.save()
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        ProgressSheetVersion.objects.create(
            sheet=locked,
            number=number,
            notes=_notes(notes),
            submitted_at=now,
            submitted_by=actor,
            late=late,
        )
        freeze_week(campaign=locked.campaign, week=weeks.Week.parse(locked.week))
        record_event(
            actor=actor,
            action=AuditAction.SHEET_SUBMITTED,
            bureau=locked.bureau,
            week=locked.week,
            version=number,
            late=late,
        )
    locked.refresh_from_db(fields=["figures", "figures_as_of"])
    return locked


def decide_sheet(
    *, sheet: ProgressSheet, actor: User, decision: str, feedback: str, revision: int | None
) -> ProgressSheet:
    """City staff accept the submitted sheet, or return it with feedback to be resubmitted."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("only city staff decide on sheets")
    feedback = _checked_decision(
        decision,
        feedback,
        allowed=(SheetStatus.ACCEPTED, SheetStatus.RETURNED),
        returned=SheetStatus.RETURNED,
        choose=_("Choose to accept or to return the sheet."),
        explain=_("Say what the county should correct."),
    )
    with transaction.atomic():
        locked = (
            ProgressSheet.objects.select_for_update()
            .select_related("bureau", "campaign")
            .get(pk=sheet.pk)
        )
        _check_revision(locked, revision)
        _move(locked, decision, SHEET_TRANSITIONS)
        now = timezone.now()
        if decision == SheetStatus.ACCEPTED and now <= locked.cutoff:
            raise ReportingError(
                _(
                    "The week's figures are final at its cut-off, %(cutoff)s: accept the sheet after that (you may return its notes with feedback now)."
                )
                % {"cutoff": timezone.localtime(locked.cutoff).strftime("%Y-%m-%d %H:%M")}
            )
        locked.decided_at = now
        locked.feedback = feedback
        locked.revision += 1
        locked.save(update_fields=["status", "decided_at", "feedback", "revision"])
        freeze_week(campaign=locked.campaign, week=weeks.Week.parse(locked.week))
        latest = locked.versions.select_for_update().order_by("-number").first()
        if latest is None:
            # Only a submitted sheet is decided, and submitting writes its version.
            raise RuntimeError(f"submitted progress sheet {locked.pk} has no version")
        latest.decision = decision
        latest.feedback = feedback
        latest.decided_at = now
        latest.decided_by = actor
        latest.save(update_fields=["decision", "feedback", "decided_at", "decided_by"])
        record_event(
            actor=actor,
            action=AuditAction.SHEET_DECIDED,
            bureau=locked.bureau,
            week=locked.week,
            version=latest.number,
            decision=decision,
            feedback=feedback,
        )
    return locked


# --- Bulletins ----------------------------------------------------------------------------------


def publish_bulletin(*, campaign: Campaign, week: weeks.Week, actor: User) -> Bulletin:
    """City staff publish a week's progress of every bureau, as of the week's cut-off: the
    ranked table, the change since last week, the trend, the charts and the files, made once."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied("only city staff publish bulletins")
    cutoff = weeks.cutoff(campaign, week)
    if timezone.now() <= cutoff:
        raise ReportingError(
            _("The week's figures are final at its cut-off, %(cutoff)s; publish it after that.")
            % {"cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")}
        )
    if not weeks.in_campaign(campaign, week):
        raise ReportingError(_("This week is outside the campaign."))
    freeze_week(campaign=campaign, week=week)
    content = bulletins.build(campaign=campaign, week=week)
    files = bulletins.files(campaign=campaign, week=week, content=content)
    with transaction.atomic():
        if Bulletin.objects.select_for_update().filter(campaign=campaign, week=str(week)).exists():
            raise ReportingError(_("This week's bulletin is already published."))
        bulletin = Bulletin(
            campaign=campaign,
            week=str(week),
            cutoff=cutoff,
            rows=content["rows"],
            totals=content["totals"],
            trend=content["trend"],
            rate_svg=files["rate_svg"],
            trend_svg=files["trend_svg"],
            published_by=actor,
        )
        bulletin.pdf.save(f"bulletin-{week}.pdf", ContentFile(files["pdf"]), save=False)
        bulletin.xlsx.save(f"bulletin-{week}.xlsx", ContentFile(files["xlsx"]), save=False)
        try:
            with transaction.atomic():
                bulletin.save()
        except IntegrityError:
            raise ReportingError(_("This week's bulletin is already published.")) from None
        record_event(
            actor=actor,
            action=AuditAction.BULLETIN_PUBLISHED,
            campaign=campaign.pk,
            week=str(week),
        )
    return bulletin


# --- Call lists ---------------------------------------------------------------------------------

CALL_LIST_FORMATS = ("csv", "xlsx")


def export_call_list(
    *, actor: User, campaign: Campaign, bureau: Bureau, figure: str, fmt: str
) -> bytes:
    """The people behind one of a bureau's figures as a call list (ID numbers masked, with
    their mobile numbers): its own staff or city staff; audited, since it carries contacts."""
    from reporting import calllists, selectors

    if not permissions.can_see_progress(actor, bureau):
        raise PermissionDenied("not this bureau's staff")
    if fmt not in CALL_LIST_FORMATS:
        raise ReportingError(_("Choose CSV or Excel."))
    people = selectors.people(campaign=campaign, bureau=bureau, figure=figure)
    data, count = calllists.write(campaign=campaign, people=people, figure=figure, fmt=fmt)
    record_event(
        actor=actor,
        action=AuditAction.CALL_LIST_EXPORTED,
        bureau=bureau,
        campaign=campaign.pk,
        figure=figure,
        format=fmt,
        rows=count,
    )
    return data
