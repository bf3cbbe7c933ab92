"""Work plans (工作方案): a county files and replaces its plan; the city acknowledges or returns it
and records the paper copy."""

import hashlib

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
from reporting import documents, permissions
from reporting.constants import (
    PLAN_SUMMARY_MAX,
    PLAN_TRANSITIONS,
    PlanStatus,
)
from reporting.models import (
    WorkPlan,
    WorkPlanVersion,
)
from reporting.services.common import (
    ReportingError,
    check_revision,
    checked_decision,
    move,
)


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
            check_revision(plan, revision)
            move(plan, PlanStatus.FILED, PLAN_TRANSITIONS)
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
    comments = checked_decision(
        decision,
        comments,
        allowed=(PlanStatus.ACKNOWLEDGED, PlanStatus.RETURNED),
        returned=PlanStatus.RETURNED,
        choose=_("Choose to acknowledge or to return the plan."),
        explain=_("Say what the county should change."),
    )
    with transaction.atomic():
        locked = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        check_revision(locked, revision)
        move(locked, decision, PLAN_TRANSITIONS)
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
