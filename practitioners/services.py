"""State changes of the register. Views, commands and admin call these; nothing else writes."""

import datetime
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from core.clients import current_address
from practitioners import auditchain, permissions, records, registerfile, selectors
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, Bureau, Practitioner, User

# Fields an import may set (every column but the bureau code, which becomes bureau_id).
IMPORT_FIELDS = tuple(c.field for c in registerfile.COLUMNS if c.field != "bureau_code") + (
    "bureau_id",
)


def record_event(
    *,
    actor: User | None,
    action: str,
    practitioner: Practitioner | None = None,
    bureau: Bureau | None = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit event (with the client's address when serving a request), sealed by
    its own keyed hash (practitioners.auditchain; the sealer chains it within a minute)."""
    event = AuditEvent(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        practitioner=practitioner,
        bureau=bureau or (practitioner.bureau if practitioner else None),
        detail=detail,
        address=current_address(),
    )
    auditchain.stamp(event)
    event.save(force_insert=True)
    return event


def record_practitioner_viewed(
    *, actor: User, practitioner: Practitioner, what: str = "record"
) -> None:
    """Audit that a staff member was shown a person's whole ID number or photo: the record,
    the application, the counter's review, the printed form or the photo (`what`)."""
    record_event(actor=actor, action=AuditAction.VIEWED, practitioner=practitioner, shown=what)


HALL_FIELDS = ("hall_name", "hall_address", "hall_phone", "hall_hours")


def update_bureau_hall(*, bureau: Bureau, values: dict[str, str], actor: User) -> Bureau:
    """Correct a bureau's service hall (name, address, phone, hours): city staff; audited with
    the old and new values. The forms printed from now on show the new details."""
    if not permissions.is_city_staff(actor):
        raise PermissionDenied("only city staff change the service halls")
    with transaction.atomic():
        locked = Bureau.objects.select_for_update().get(pk=bureau.pk)
        changes = {
            name: {"old": getattr(locked, name), "new": values[name]}
            for name in HALL_FIELDS
            if name in values and getattr(locked, name) != values[name]
        }
        for name, change in changes.items():
            setattr(locked, name, change["new"])
        locked.full_clean()
        if changes:
            locked.save(update_fields=list(changes))
        record_event(actor=actor, action=AuditAction.UPDATED, bureau=locked, changes=changes)
    return locked


def create_practitioner(*, actor: User, values: dict[str, Any]) -> Practitioner:
    """Add one holder the register lacks (values as a PractitionerForm cleans them, bureau
    included), after the model's own checks; audited."""
    if not permissions.can_add_practitioner(actor, values["bureau"]):
        raise PermissionDenied("not allowed to add practitioners to this bureau")
    with transaction.atomic():
        return records.create_record(values=values, actor=actor, action=AuditAction.CREATED)


def export_records(
    *, bureau: Bureau | None = None, queryset: QuerySet[Practitioner] | None = None
) -> Iterator[dict[str, Any]]:
    """Register records for writing to a file, in a stable order, streamed from the database."""
    qs = queryset if queryset is not None else Practitioner.objects.all()
    if bureau is not None:
        qs = qs.filter(bureau=bureau)
    fields = [f for f in IMPORT_FIELDS if f != "bureau_id"]
    for record in (
        qs.order_by("bureau__code", "id").values(*fields, "bureau__code").iterator(chunk_size=5000)
    ):
        record["bureau_code"] = record.pop("bureau__code")
        yield record


class _Counter:
    def __init__(self, records: Iterator[dict[str, Any]]):
        self.records, self.count = records, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for record in self.records:
            self.count += 1
            yield record


def export_register(
    *,
    actor: User | None,
    fmt: str,
    out: IO[Any],
    bureau: Bureau | None = None,
    queryset: QuerySet[Practitioner] | None = None,
) -> int:
    """Write the register (or one bureau's) as csv, xlsx or json to `out`; audited. Returns the row count."""
    records = _Counter(export_records(bureau=bureau, queryset=queryset))
    registerfile.write_file(fmt, records, out)
    record_event(
        actor=actor, action=AuditAction.EXPORTED, bureau=bureau, format=fmt, rows=records.count
    )
    return records.count


def stream_register(
    *,
    actor: User,
    fmt: str,
    bureau: Bureau | None = None,
    queryset: QuerySet[Practitioner] | None = None,
) -> Iterator[str]:
    """The register as csv or json text in pieces, for a streaming download; audited up front."""
    record_event(actor=actor, action=AuditAction.EXPORTED, bureau=bureau, format=fmt)
    return registerfile.TEXT_FORMATS[fmt](export_records(bureau=bureau, queryset=queryset))


def disable_unused_staff(*, now: datetime.datetime | None = None) -> list[User]:
    """Disable the unused staff accounts (GB/T 22239: no dormant accounts), each audited; the
    accounts disabled, for the security administrator to be told (the command mails them).
    An account comes back when an administrator makes it active again."""
    with transaction.atomic():
        accounts = list(selectors.unused_staff_accounts(now=now).select_for_update())
        for account in accounts:
            User.objects.filter(pk=account.pk).update(is_active=False)
            record_event(
                actor=None,
                action=AuditAction.STAFF_DISABLED_UNUSED,
                bureau=account.bureau,
                account=account.username,
                last_login=account.last_login.isoformat() if account.last_login else None,
            )
    return accounts
