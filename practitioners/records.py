"""The register record's one writer.

Every change to a practitioner's record goes through here: the counter's confirmation of a
collection or of an information change, an approved on-post registration, a contact change,
an account's activation, the register import, a move to another bureau, the pending pool, a
person added by staff. Each function compares the record before and after, writes the audit
event of the act (with what changed) and keeps the register's weekly tallies
(practitioners.tallies) in the same transaction. Nothing else assigns a record's fields or
touches the tallies, so that the figures the city publishes cannot drift from the register.

A record is locked by the caller (`locked`, or `lock_many` for many) before it is written: the
values read under the lock are the "before" the tallies and the audit compare with.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clients import current_address
from core.languages import in_every_language
from practitioners import auditchain, tallies
from practitioners.bulk import insert_practitioners
from practitioners.constants import ETHNIC_NAMES, RECORD_FIELDS, ethnic_name
from practitioners.models import AuditEvent, Practitioner, User

# The fields a record's writers may change: the record's own, and what the apps add to it.
WRITABLE = frozenset(
    (
        *RECORD_FIELDS,
        "bureau",
        "bureau_id",
        "account",
        "account_id",
        "confirmed_at",
        "pending_since",
    )
)
_CHUNK = 2000


def locked(pk: int, *, related: Iterable[str] = ()) -> Practitioner:
    """The record, locked until the transaction ends (only its row: `related` rows come along
    unlocked)."""
    records = Practitioner.objects.select_for_update(of=("self",))
    if related:
        records = records.select_related(*related)
    return records.get(pk=pk)


def lock_many(pks: Iterable[int], *, where: Q | None = None) -> dict[int, dict[str, Any]]:
    """pk -> the record's values (attnames), for the records among `pks` that match `where`,
    each locked until the transaction ends."""
    found: dict[int, dict[str, Any]] = {}
    pks = sorted(set(pks))
    names = [f.attname for f in Practitioner._meta.concrete_fields]
    for start in range(0, len(pks), _CHUNK):
        rows = Practitioner.objects.select_for_update().filter(pk__in=pks[start : start + _CHUNK])
        if where is not None:
            rows = rows.filter(where)
        for row in rows.order_by("pk").values(*names):
            found[row["id"]] = row
    return found


def _attname(name: str) -> str:
    return {"bureau": "bureau_id", "account": "account_id"}.get(name, name)


def _value_of(value: Any) -> Any:
    # A model instance given for a foreign key is written (and compared) as its key.
    return value.pk if hasattr(value, "_meta") else value


def display(field: str, value: Any) -> str:
    """A value of the record as people read it (the audit trail, the counter, the history):
    choice labels, 是/否, dates as YYYY-MM-DD (given as dates or ISO text), — for nothing."""
    model_field = Practitioner._meta.get_field(field)
    if model_field.get_internal_type() == "BooleanField":
        return _("Yes") if value else _("No")
    choices = dict(model_field.flatchoices) if model_field.choices else {}
    if value in (None, "") and "" not in choices:
        return "—"
    if field == "ethnicity":
        return ethnic_name(value)
    if choices:
        return str(choices.get(value or "", value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def as_read(field: str, stored: Any) -> Any:
    """A value as a history entry keeps it (shown then, in the writer's language: "男", "是",
    "壮族") as the reader reads it now; text people typed stays as typed."""
    try:
        model_field = Practitioner._meta.get_field(field)
    except FieldDoesNotExist:
        return stored
    if model_field.get_internal_type() == "BooleanField":
        known = _written_booleans()
    elif field == "ethnicity":
        known = _written_ethnic_names()
    elif model_field.choices:
        known = _written_choices(field)
    else:
        return stored
    if isinstance(stored, str) and stored in known:
        return display(field, known[stored])
    return stored


@functools.cache
def _written_booleans() -> dict[str, Any]:
    return in_every_language([(True, gettext_lazy("Yes")), (False, gettext_lazy("No"))])


@functools.cache
def _written_ethnic_names() -> dict[str, Any]:
    return in_every_language(ETHNIC_NAMES.items())


@functools.cache
def _written_choices(field: str) -> dict[str, Any]:
    return in_every_language(Practitioner._meta.get_field(field).flatchoices)


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str]]:
    """What changed in the record's own fields, as people read it (the audit trail and the
    record's history show these)."""
    return [
        {
            "field": field,
            "label": str(Practitioner._meta.get_field(field).verbose_name),
            "old": display(field, before[field]),
            "new": display(field, after[field]),
        }
        for field in RECORD_FIELDS
        if field in after and after[field] != before[field]
    ]


def _event(*, actor, action, practitioner_id, bureau_id, at, detail) -> AuditEvent:
    return auditchain.stamp(
        AuditEvent(
            at=at,
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            practitioner_id=practitioner_id,
            bureau_id=bureau_id,
            detail=detail,
            address=current_address(),
        )
    )


def create_record(
    *, values: Mapping[str, Any], actor: User | None, action: str, **detail: Any
) -> Practitioner:
    """Add one person to the register (values checked by the caller's form and the model's own
    rules); counted as a holder from now; audited with `action`."""
    now = timezone.now()
    practitioner = Practitioner(**values)
    practitioner.created_at = practitioner.updated_at = now
    practitioner.full_clean()
    practitioner.save()
    tallies.count([(None, tallies.counted(practitioner.__dict__))], at=now)
    _event(
        actor=actor,
        action=action,
        practitioner_id=practitioner.pk,
        bureau_id=practitioner.bureau_id,
        at=now,
        detail=detail,
    ).save()
    return practitioner


def create_records(rows: list[dict[str, Any]]) -> int:
    """Add many people at once (the register import: PostgreSQL's COPY), counted as holders
    from now. The caller audits the import as a whole."""
    if not rows:
        return 0
    now = timezone.now()
    created = insert_practitioners([{**row, "created_at": now, "updated_at": now} for row in rows])
    tallies.count([(None, tallies.counted(row)) for row in rows], at=now)
    return created


def save_record(
    practitioner: Practitioner,
    changes: Mapping[str, Any],
    *,
    actor: User | None,
    action: str,
    **detail: Any,
) -> list[dict[str, str]]:
    """Write `changes` (field -> new value) into a record locked by the caller, and audit the
    act with what changed in the record's fields (`detail` added to the event). Returns those
    changes (field, label, old, new)."""
    unknown = set(changes) - WRITABLE
    if unknown:
        raise ValueError(f"not a field a record's writer changes: {sorted(unknown)}")
    now = timezone.now()
    before = {_attname(name): getattr(practitioner, _attname(name)) for name in changes}
    before.update((name, getattr(practitioner, name)) for name in tallies.COUNTED)
    after = {**before, **{_attname(name): _value_of(value) for name, value in changes.items()}}
    written = [name for name in after if after[name] != before[name]]
    for name in written:
        setattr(practitioner, name, after[name])
    if written:
        practitioner.updated_at = now
        practitioner.save(update_fields=[*written, "updated_at"])
        # A foreign key set by its id keeps a stale related object in the instance's cache.
        for name, relation in (("bureau_id", "bureau"), ("account_id", "account")):
            if name in written and relation in changes and hasattr(changes[relation], "_meta"):
                setattr(practitioner, relation, changes[relation])
    tallies.count([(tallies.counted(before), tallies.counted(after))], at=now)
    changed = _changes(before, after)
    _event(
        actor=actor,
        action=action,
        practitioner_id=practitioner.pk,
        bureau_id=practitioner.bureau_id,
        at=now,
        detail={**detail, "changes": changed},
    ).save()
    return changed


def update_records(
    rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    actor: User | None,
    action: str,
    each: bool = True,
    detail_of=None,
    **detail: Any,
) -> int:
    """Write many records at once: `rows` are (before, changes), `before` as `lock_many` read
    it under its lock. Audited one event per record (`each`; `detail_of(before, changes)` adds
    to each) or, for a mass act such as the pending pool, one event per bureau with the count.
    Returns how many records changed."""
    now = timezone.now()
    moves, events = [], []
    # Records given the same values are written by one UPDATE; the others by bulk_update.
    same: dict[tuple, list[int]] = defaultdict(list)
    afters: dict[int, dict[str, Any]] = {}
    per_bureau: dict[int, int] = defaultdict(int)
    for before, changes in rows:
        if set(changes) - WRITABLE:
            raise ValueError(f"not a field a record's writer changes: {sorted(changes)}")
        after = {**before, **{_attname(name): _value_of(v) for name, v in changes.items()}}
        written = {name: after[name] for name in after if after[name] != before[name]}
        if not written:
            continue
        pk = before["id"]
        same[tuple(sorted(written.items()))].append(pk)
        afters[pk] = after
        moves.append((tallies.counted(before), tallies.counted(after)))
        per_bureau[after["bureau_id"]] += 1
        if each:
            extra = detail_of(before, changes) if detail_of else {}
            changed = _changes(before, after)
            events.append(
                _event(
                    actor=actor,
                    action=action,
                    practitioner_id=pk,
                    bureau_id=after["bureau_id"],
                    at=now,
                    detail={**detail, **extra, "changes": changed},
                )
            )
    _write(same, afters, now)
    tallies.count(moves, at=now)
    if not each:
        events = [
            _event(
                actor=actor,
                action=action,
                practitioner_id=None,
                bureau_id=bureau_id,
                at=now,
                detail={**detail, "count": count},
            )
            for bureau_id, count in sorted(per_bureau.items())
        ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(moves)


def _write(same: dict[tuple, list[int]], afters: dict[int, dict], now: datetime.datetime) -> None:
    varied: list[Practitioner] = []
    fields: set[str] = {"updated_at"}
    for values, pks in same.items():
        if len(pks) > 1:
            for start in range(0, len(pks), _CHUNK):
                Practitioner.objects.filter(pk__in=pks[start : start + _CHUNK]).update(
                    **dict(values), updated_at=now
                )
            continue
        # A whole row as read under the lock, with its new values: bulk_update writes each
        # named field of every object, so each keeps its own values of the others.
        varied.append(Practitioner(**{**afters[pks[0]], "updated_at": now}))
        fields.update(name for name, _value in values)
    if varied:
        Practitioner.objects.bulk_update(varied, sorted(fields), batch_size=500)
