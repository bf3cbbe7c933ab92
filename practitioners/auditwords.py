"""The audit trail in words: who acted and what an event's detail says, as the audit page and
its exports show them.

An event's detail is the JSON object its service wrote (`changes`, `late`, `week`, …): exact
for the record, unreadable as it stands (`changes: []`, `late: False`). Each known key gets a
translated label and a formatter of its value; a key no formatter knows still reads as
"key: value" with its value spelled out (yes/no, lists joined), never as Python.

ID numbers are masked wherever they appear: a practitioner's account is named by the
holder's ID number, and the audit export's filters may hold the number searched for. The
full number stays in the database, which only the record's page shows (and audits).

Every app's audit actions live in practitioners.constants.AuditAction; the words for their
details live here for the same reason: this layer is the one every app writes events through.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from practitioners.constants import AuditAction, Role, Standing, return_reason_as_read
from practitioners.idnumbers import looks_like_resident_id, mask_id_number, normalize_id_number
from practitioners.models import Bureau, Practitioner, User
from practitioners.selectors import exact_number

Words = list[tuple[str, str]]


def actor_name(user: User | None) -> str:
    """Who acted, as the audit shows it: a practitioner's account (named by an ID number)
    masked like every other ID number; staff by their user name; "" for a command."""
    if user is None:
        return ""
    if user.role == Role.PRACTITIONER and not user.is_staff:
        return mask_id_number(user.username)
    return user.username


def bureau_names() -> dict[str, str]:
    """Division code -> short name, read once for a page or an export (a few dozen rows)."""
    return dict(Bureau.objects.values_list("code", "short_name"))


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def _listed(items: Iterable[str]) -> str:
    words = [item for item in items if item]
    return pgettext("list separator", ", ").join(words) if words else pgettext("audit", "none")


def _field_label(model, name: str, fallback: str = "") -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed: what the event stored, or its name
        return fallback or name


def _changes(value: Any, names: Mapping[str, str]) -> str:
    """A record's changes ([{field, label, old, new}]) or a bureau's hall ({field: {old, new}}):
    which fields changed, not the values (an ID number may be one of them)."""
    if isinstance(value, Mapping):
        return _listed(_field_label(Bureau, str(name)) for name in value)
    if isinstance(value, list):
        return _listed(
            _field_label(Practitioner, str(c.get("field", "")), str(c.get("label", "")))
            if isinstance(c, Mapping)
            else _field_label(Practitioner, str(c))
            for c in value
        )
    return _plain(value, names)


def _week(value: Any, names: Mapping[str, str]) -> str:
    text = str(value)
    try:
        year, number = text.split("-W")
        return _("%(year)s week %(number)s") % {"year": int(year), "number": int(number)}
    except ValueError:
        return text


def _chosen(choices: Mapping[str, Promise]) -> Callable[[Any, Mapping[str, str]], str]:
    def words(value: Any, names: Mapping[str, str]) -> str:
        return str(choices.get(str(value), value))

    return words


def _bureau(value: Any, names: Mapping[str, str]) -> str:
    code = str(value)
    return f"{names[code]} ({code})" if code in names else code


def _size(value: Any, names: Mapping[str, str]) -> str:
    try:
        return str(filesizeformat(int(value)))
    except (TypeError, ValueError):
        return str(value)


def _checklist(value: Any, names: Mapping[str, str]) -> str:
    count = len(value) if isinstance(value, list) else 0
    return _("%(count)s items") % {"count": count}


def _upper(value: Any, names: Mapping[str, str]) -> str:
    return str(value).upper()


def _short_hash(value: Any, names: Mapping[str, str]) -> str:
    text = str(value)
    return f"{text[:12]}…" if len(text) > 12 else text


def _person_searched(text: str) -> str:
    """The person filter holds a whole ID or certificate number (AuditFilterForm): masked."""
    return mask_id_number(text) if exact_number(text) else text


def _actor_searched(text: str) -> str:
    """The actor filter, masked when it names a practitioner's account or reads as a resident
    ID number (staff user names such as `city` stay as typed)."""
    number = normalize_id_number(text)
    if (
        looks_like_resident_id(number)
        or User.objects.filter(username=text, role=Role.PRACTITIONER).exists()
    ):
        return mask_id_number(number)
    return text


def _filters(value: Any, names: Mapping[str, str]) -> str:
    if not isinstance(value, Mapping) or not value:
        return pgettext("audit", "none")
    parts = []
    for key, text in value.items():
        text = str(text)
        if key == "person":
            text = _person_searched(text)
        elif key == "actor":
            text = _actor_searched(text)
        elif key == "action":
            text = str(_ACTION_LABELS.get(text, text))
        elif key == "bureau":
            text = names.get(text, text)
        label = _FILTER_LABELS.get(key, key)
        parts.append(pgettext("label", "%(label)s=%(value)s") % {"label": label, "value": text})
    return _listed(parts)


def _plain(value: Any, names: Mapping[str, str]) -> str:
    """Any value as words: yes/no, lists joined, objects as key=value; never Python's repr."""
    if isinstance(value, bool):
        return _yes_no(value)
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return _listed(_plain(item, names) for item in value)
    if isinstance(value, Mapping):
        return _listed(f"{key}={_plain(item, names)}" for key, item in value.items())
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _bool(value: Any, names: Mapping[str, str]) -> str:
    return _yes_no(value)


def _reason(value: Any, names: Mapping[str, str]) -> str:
    return return_reason_as_read(str(value)) if value else "—"


def _field(value: Any, names: Mapping[str, str]) -> str:
    return _field_label(Practitioner, str(value))


_ACTION_LABELS = dict(AuditAction.choices)

_FILTER_LABELS: dict[str, Promise] = {
    "person": gettext_lazy("Person"),
    "actor": gettext_lazy("Done by"),
    "action": gettext_lazy("Action"),
    "bureau": gettext_lazy("Bureau"),
    "since": gettext_lazy("From"),
    "until": gettext_lazy("To"),
}

# key -> (label, formatter of the value); in the order the words are shown.
_KEYS: dict[str, tuple[Promise, Callable[[Any, Mapping[str, str]], str]]] = {
    "changes": (pgettext_lazy("audit", "Changed"), _changes),
    "changed": (pgettext_lazy("audit", "Changed"), _changes),
    "field": (gettext_lazy("Field"), _field),
    "identity": (pgettext_lazy("audit", "Identity field"), _bool),
    "shown": (
        pgettext_lazy("audit", "Shown"),
        _chosen(
            {
                "record": pgettext_lazy("audit shown", "the record"),
                "application": pgettext_lazy("audit shown", "the application"),
                "form": pgettext_lazy("audit shown", "the printed form"),
                "review": pgettext_lazy("audit shown", "the counter's review"),
                "photo": pgettext_lazy("audit shown", "the photo"),
            }
        ),
    ),
    "reference": (gettext_lazy("Reference"), _plain),
    "archive_number": (gettext_lazy("Archive number"), _plain),
    "checklist": (pgettext_lazy("audit", "Originals checked"), _checklist),
    "week": (pgettext_lazy("audit", "Week"), _week),
    "version": (gettext_lazy("Version"), _plain),
    "revision": (pgettext_lazy("audit", "Draft revision"), _plain),
    "late": (pgettext_lazy("audit", "Late"), _bool),
    "decision": (
        pgettext_lazy("audit", "Decision"),
        _chosen(
            {
                "accepted": gettext_lazy("Accept"),
                "acknowledged": gettext_lazy("Acknowledge (file for the record)"),
                "returned": gettext_lazy("Return for changes"),
            }
        ),
    ),
    "reason": (gettext_lazy("Reason"), _reason),
    "feedback": (pgettext_lazy("audit", "Feedback"), _plain),
    "comments": (pgettext_lazy("audit", "Comments"), _plain),
    "received": (pgettext_lazy("audit", "Paper copy received"), _bool),
    "registration": (pgettext_lazy("audit", "Registration no."), _plain),
    "start": (pgettext_lazy("audit", "Start date in the post"), _plain),
    "year": (gettext_lazy("Year"), _plain),
    "hours": (gettext_lazy("Hours"), _plain),
    "photo": (pgettext_lazy("audit", "Photo no."), _plain),
    "moved_from": (pgettext_lazy("audit", "Moved from"), _bureau),
    "moved_to": (pgettext_lazy("audit", "Moved to"), _bureau),
    "applications": (pgettext_lazy("audit", "Applications moved along"), _plain),
    "campaign": (pgettext_lazy("audit", "Campaign no."), _plain),
    "name": (pgettext_lazy("audit", "Title"), _plain),
    "active": (pgettext_lazy("audit", "Running"), _bool),
    "figure": (
        pgettext_lazy("audit", "List"),
        _chosen(
            {
                "not_started": Standing.NOT_STARTED.label,
                "waiting": Standing.WAITING.label,
                "returned": Standing.RETURNED.label,
            }
        ),
    ),
    "kind": (
        gettext_lazy("Kind"),
        _chosen(
            {
                "first": gettext_lazy("First print"),
                "reprint": gettext_lazy("Reprint"),
                "calibration": gettext_lazy("Calibration page"),
                "pdf": "PDF",
                "docx": "DOCX",
                "doc": "DOC",
                "wps": "WPS",
                "odt": "ODT",
            }
        ),
    ),
    "file": (pgettext_lazy("audit", "File"), _plain),
    "source": (pgettext_lazy("audit", "File"), _plain),
    "size": (pgettext_lazy("audit", "Size"), _size),
    "sha256": ("SHA-256", _short_hash),
    "format": (gettext_lazy("Format"), _upper),
    "rows": (pgettext_lazy("audit", "Rows"), _plain),
    "row": (gettext_lazy("Row"), _plain),
    "count": (pgettext_lazy("audit", "People"), _plain),
    "created": (pgettext_lazy("audit", "Added"), _plain),
    "updated": (pgettext_lazy("audit", "Updated"), _plain),
    "unchanged": (pgettext_lazy("audit", "Unchanged"), _plain),
    "skipped_confirmed": (pgettext_lazy("audit", "Skipped, already confirmed"), _plain),
    "invalid_rows": (pgettext_lazy("audit", "Rows with errors"), _plain),
    "earlier_records": (pgettext_lazy("audit", "Earlier business records"), _plain),
    "filters": (pgettext_lazy("audit", "Filters"), _filters),
    "during": (
        pgettext_lazy("audit", "While"),
        _chosen(
            {
                "setup": pgettext_lazy("audit during", "turning it on"),
                "login": pgettext_lazy("audit during", "signing in"),
            }
        ),
    ),
    "width": (gettext_lazy("page width (mm)"), _plain),
    "height": (gettext_lazy("page height (mm)"), _plain),
    "x": (gettext_lazy("horizontal offset (mm)"), _plain),
    "y": (gettext_lazy("vertical offset (mm)"), _plain),
}
# Texts said only when there is something to say (an acknowledged plan has no comments).
_SKIP_WHEN_EMPTY = {"reason", "feedback", "comments", "file", "source"}


def describe(detail: Mapping[str, Any] | None, names: Mapping[str, str] | None = None) -> Words:
    """An event's detail as (label, words) pairs: known keys first, in a fixed order, with
    their own words; any other key after them, spelled out plainly. `names` maps bureau codes
    to short names (bureau_names())."""
    if not isinstance(detail, Mapping):
        return []
    names = names or {}
    words: Words = []
    for key, (label, formatter) in _KEYS.items():
        if key not in detail:
            continue
        value = detail[key]
        if key in _SKIP_WHEN_EMPTY and (value is None or value == ""):
            continue
        words.append((str(label), formatter(value, names)))
    for key, value in detail.items():
        if key not in _KEYS:
            words.append((str(key), _plain(value, names)))
    return words


def detail_text(detail: Mapping[str, Any] | None, names: Mapping[str, str] | None = None) -> str:
    """The detail as one line, for a spreadsheet cell: 修改：姓名、手机号码；版本：2."""
    return pgettext("audit separator", "; ").join(
        pgettext("label", "%(label)s: %(value)s") % {"label": label, "value": value}
        for label, value in describe(detail, names)
    )
