"""Weekly progress sheets: generated per week, their figures frozen at the cut-off, a county's
notes, submission and the city's decision."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.models import Campaign
from practitioners.constants import AuditAction
from practitioners.models import Bureau, User
from practitioners.services import record_event
from reporting import permissions, weeks
from reporting.constants import (
    SHEET_NOTES,
    SHEET_TRANSITIONS,
    SheetStatus,
)
from reporting.figures import Figures, week_progress
from reporting.models import (
    ProgressSheet,
    ProgressSheetVersion,
)
from reporting.services.common import ReportingError, check_revision, checked_decision, move


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


def empty_notes(values: dict[str, Any]) -> list[str]:
    """The notes left empty, in form order: the confirmation step names them."""
    return [name for name, value in _notes(values).items() if not value]


def check_week_begun(campaign: Campaign, week: weeks.Week) -> None:
    """A sheet is written for a week that has begun (its window opened at the previous week's
    cut-off): a later week's figures and notes do not exist yet."""
    if week > weeks.current_week(campaign):
        raise ReportingError(
            _("%(week)s has not begun: its sheet can be written from %(start)s.")
            % {
                "week": weeks.label(campaign, week),
                "start": timezone.localtime(
                    weeks.cutoff(campaign, week.previous()), weeks.zone(campaign)
                ).strftime("%Y-%m-%d %H:%M"),
            }
        )


def check_submittable(*, sheet: ProgressSheet, notes: dict[str, Any]) -> None:
    """ReportingError unless the sheet may be submitted with these notes: its week has begun,
    it is a draft or returned, and at least one note is written. A sheet of four empty notes is refused, not confirmed:
    once submitted the county cannot add to it until the city returns it, and the figures
    alone the city has already."""
    check_week_begun(sheet.campaign, weeks.Week.parse(sheet.week))
    if SheetStatus.SUBMITTED not in SHEET_TRANSITIONS[sheet.status]:
        raise ReportingError(
            _("The sheet is submitted; it can change only if the city returns it.")
        )
    if len(empty_notes(notes)) == len(SHEET_NOTES):
        raise ReportingError(
            _(
                "Write at least one note before submitting: once submitted, the sheet can "
                "change only if the city returns it."
            )
        )


def save_sheet_notes(
    *, sheet: ProgressSheet, actor: User, notes: dict[str, Any], revision: int | None
) -> ProgressSheet:
    """The county admin keeps the notes written so far, without submitting."""
    if not permissions.can_write_sheet(actor, sheet.bureau):
        raise PermissionDenied("only the county's admin writes its sheets")
    check_week_begun(sheet.campaign, weeks.Week.parse(sheet.week))
    with transaction.atomic():
        locked = ProgressSheet.objects.select_for_update().get(pk=sheet.pk)
        check_revision(locked, revision)
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
    A first submission after the cut-off is late.

    Refused for a week that has not begun and without any note (check_submittable)."""
    if not permissions.can_write_sheet(actor, sheet.bureau):
        raise PermissionDenied("only the county's admin submits its sheets")
    check_submittable(sheet=sheet, notes=notes)
    with transaction.atomic():
        locked = (
            ProgressSheet.objects.select_for_update()
            .select_related("campaign", "bureau")
            .get(pk=sheet.pk)
        )
        check_revision(locked, revision)
        first = locked.status == SheetStatus.DRAFT
        move(locked, SheetStatus.SUBMITTED, SHEET_TRANSITIONS)
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
    feedback = checked_decision(
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
        check_revision(locked, revision)
        move(locked, decision, SHEET_TRANSITIONS)
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
