"""A counter search that finds a person of another bureau: audited and limited."""

from core import throttle
from practitioners.constants import AuditAction
from practitioners.models import Practitioner, User
from practitioners.services import record_event


def record_lookup_elsewhere(*, actor: User, practitioner: Practitioner) -> None:
    """A counter search found a person of another bureau: the staff member is told which bureau
    to send them to. Such lookups are audited (the person's bureau sees who asked) and limited
    per staff account (throttle.LOOKUP_ELSEWHERE); raises throttle.Throttled beyond it."""
    account = f"user:{actor.pk}"
    throttle.check(throttle.LOOKUP_ELSEWHERE, account=account)
    throttle.record(throttle.LOOKUP_ELSEWHERE, account=account)
    record_event(actor=actor, action=AuditAction.LOOKED_UP_ELSEWHERE, practitioner=practitioner)
