"""One truth for "what does the submission change": stored record versus application values.

Values travel as JSON-friendly canonical forms: dates as ISO strings, booleans as bool,
choices as their codes, text as str. The counter (confirmation app) shows these changes.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from collection.constants import APPLICATION_FIELDS, IDENTITY_FIELDS, ApplicationKind
from practitioners import fieldrules, records
from practitioners.models import Practitioner

_MODEL_FIELDS = {f.name: f for f in Practitioner._meta.get_fields() if f.name in APPLICATION_FIELDS}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str  # as shown to people
    new: str
    identity: bool  # needs the ID card at the counter


def canonical(field: str, value: Any) -> Any:
    """A value in the form stored in Application.data / Submission.data."""
    model_field = _MODEL_FIELDS[field]
    if value in (None, ""):
        return False if model_field.get_internal_type() == "BooleanField" else ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if model_field.get_internal_type() == "BooleanField":
        return value in (True, "on", "True", "true", "1")
    return str(value)


def as_read(field: str, value: Any) -> Any:
    """The value as the record's rulebook reads it, canonical: what a correction is judged on,
    so that a value typed another way (full-width digits, a lower-case x, spaces around it,
    2011年6月30日) is no correction and asks for no ID card. A value the rulebook refuses
    counts as typed (the form says what is wrong with it)."""
    if isinstance(value, str) and value.strip():
        try:
            value = fieldrules.clean(field, value)
        except (ValidationError, KeyError):
            pass
    return canonical(field, value)


def record_values(practitioner: Practitioner) -> dict[str, Any]:
    """The stored record's values of the application fields, canonical."""
    return {f: canonical(f, getattr(practitioner, f)) for f in APPLICATION_FIELDS}


def python_value(field: str, value: Any) -> Any:
    """Canonical -> the model field's Python value (for applying a submission to the record)."""
    model_field = _MODEL_FIELDS[field]
    kind = model_field.get_internal_type()
    if kind == "DateField":
        return datetime.date.fromisoformat(value) if value else None
    if kind == "BooleanField":
        return bool(value)
    return value or ""


def display(field: str, value: Any) -> str:
    """A canonical value as people read it (practitioners.records.display: one way for all)."""
    return records.display(field, value)


def compute_changes(practitioner: Practitioner, values: dict[str, Any]) -> list[Change]:
    """Field-by-field differences between the stored record and canonical application values."""
    return changes_between(record_values(practitioner), values)


def changes_between(stored: dict[str, Any], values: dict[str, Any]) -> list[Change]:
    """Field-by-field differences between a record's canonical values (as record_values gives
    them, now or as kept with a submission) and canonical application values."""
    changes = []
    for field in APPLICATION_FIELDS:
        if field not in values:
            continue
        old, new = stored.get(field, canonical(field, None)), canonical(field, values[field])
        if old != new:
            changes.append(
                Change(
                    field=field,
                    label=capfirst(str(_MODEL_FIELDS[field].verbose_name)),
                    old=display(field, old),
                    new=display(field, new),
                    identity=field in IDENTITY_FIELDS,
                )
            )
    return changes


def changes_to_confirm(
    *,
    kind: str,
    submitted: dict[str, Any],
    submitted_against: dict[str, Any],
    practitioner: Practitioner,
) -> list[Change]:
    """What confirming a submitted version would change in the record as it is now. A
    collection makes the version the record: every difference. A change request writes only the
    fields it changed against the record it was submitted against (`submitted_against`), and of
    those only what still differs: something else (an approved on-post registration, say) may
    have changed the record to the same values first."""
    changes = compute_changes(practitioner, submitted)
    if kind == ApplicationKind.CHANGE:
        asked = {c.field for c in changes_between(submitted_against, submitted)}
        changes = [c for c in changes if c.field in asked]
    return changes
