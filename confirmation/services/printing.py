"""The certificate page's printer settings per bureau, and the log of every print and reprint."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confirmation import permissions
from confirmation.constants import PrintKind
from confirmation.models import (
    Confirmation,
    PrintLog,
    PrintSettings,
)
from confirmation.services.errors import (
    CounterError,
)
from practitioners.constants import AuditAction
from practitioners.models import Bureau, User
from practitioners.services import record_event


def print_settings_for(bureau: Bureau) -> PrintSettings:
    """The bureau's printer settings: the saved ones, or the defaults (not saved) until its
    admin saves some."""
    return PrintSettings.objects.filter(bureau=bureau).first() or PrintSettings(bureau=bureau)


def save_print_settings(*, bureau: Bureau, values: dict[str, Any], actor: User) -> PrintSettings:
    """Store page size and offsets (values as PrintSettingsForm cleans them); audited."""
    if not permissions.can_manage_printer(actor, bureau):
        raise PermissionDenied("only the bureau's admin sets its printer")
    with transaction.atomic():
        settings, _created = PrintSettings.objects.select_for_update().get_or_create(bureau=bureau)
        for name, value in values.items():
            setattr(settings, name, value)
        settings.updated_at = timezone.now()
        settings.updated_by = actor
        settings.full_clean()
        settings.save()
        record_event(
            actor=actor,
            action=AuditAction.PRINT_SETTINGS,
            bureau=bureau,
            width=str(settings.page_width_mm),
            height=str(settings.page_height_mm),
            x=str(settings.offset_x_mm),
            y=str(settings.offset_y_mm),
        )
    return settings


def log_print(
    *,
    confirmation: Confirmation | None,
    bureau: Bureau,
    actor: User,
    reason: str = "",
    calibration: bool = False,
) -> PrintLog:
    """Record a print of the confirmation record (a reprint needs a reason), or of the
    calibration page; audited."""
    reason = reason.strip()
    with transaction.atomic():
        if calibration:
            if not (
                permissions.can_manage_printer(actor, bureau) or permissions.can_act(actor, bureau)
            ):
                raise CounterError(
                    _("Only this bureau's counter or admin prints its calibration page.")
                )
            kind = PrintKind.CALIBRATION
        else:
            if confirmation is None:
                raise ValueError("a print of a confirmation record needs the confirmation")
            if not permissions.can_act(actor, bureau):
                raise CounterError(
                    _("Only the counter of this bureau prints its confirmation records.")
                )
            # Locked: two clicks at once make one first print and one reprint, never two firsts.
            Confirmation.objects.select_for_update().filter(pk=confirmation.pk).first()
            kind = PrintKind.REPRINT if confirmation.prints.exists() else PrintKind.FIRST
            if kind == PrintKind.REPRINT and not reason:
                raise CounterError(_("Give the reason for printing again."))
        entry = PrintLog.objects.create(
            bureau=bureau, confirmation=confirmation, kind=kind, printed_by=actor, reason=reason
        )
        record_event(
            actor=actor,
            action=AuditAction.PRINTED,
            bureau=bureau,
            practitioner=confirmation.practitioner if confirmation else None,
            kind=kind,
            reason=reason,
        )
    return entry
