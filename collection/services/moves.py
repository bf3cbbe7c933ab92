"""City staff move a person to another bureau: the record through its writer, the applications
with it (collection.services.states), audited with both bureaus and the reason."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from collection.errors import CollectionError
from collection.services import states
from practitioners import permissions as register_permissions
from practitioners import records
from practitioners.constants import AuditAction
from practitioners.models import Bureau, Practitioner, User


def move_practitioner(
    *, practitioner: Practitioner, bureau: Bureau, actor: User, reason: str
) -> Practitioner:
    """City staff move a person to another bureau, with their applications (the application's
    bureau is the practitioner's: one truth) and their place in the weekly figures; audited with
    both bureaus. The counter's confirmations stay where they were made."""
    if not register_permissions.can_move_practitioner(actor):
        raise PermissionDenied("only city staff move a person to another bureau")
    reason = reason.strip()
    if not reason:
        raise CollectionError(_("Give the reason for the move."))
    with transaction.atomic():
        locked = records.locked(practitioner.pk, related=["bureau"])
        if locked.bureau_id == bureau.pk:
            raise CollectionError(_("The person already belongs to this bureau."))
        old = locked.bureau
        moved = states.move_applications(
            practitioner=locked, from_bureau_id=old.pk, to_bureau_id=bureau.pk
        )
        records.save_record(
            locked,
            {"bureau": bureau},
            actor=actor,
            action=AuditAction.MOVED,
            moved_from=old.code,
            moved_to=bureau.code,
            reason=reason,
            applications=moved,
        )
    return locked
