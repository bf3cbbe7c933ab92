"""The register file's import: every row judged, then all or nothing (or the valid rows), in one
transaction, through the record's one writer. Whose rows a user may import is
practitioners.permissions'; the business a row carries from before the system is written by the
writer the caller passes (business.registerimport)."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practitioners import permissions, records, registerfile
from practitioners.bulk import matching
from practitioners.constants import AuditAction
from practitioners.idnumbers import mask_id_number
from practitioners.models import Bureau, Practitioner, User
from practitioners.registerfile import Problem, Problems, RegisterFileError
from practitioners.services import IMPORT_FIELDS, record_event

_LOOKUP_CHUNK = 2000
# Writes the business done before the system that a register file carries:
# ({practitioner id: {"on_post_since", "education_hours", "employer", "position"}}, actor)
# -> how many records it wrote (business.registerimport.write_earlier_records).
EarlierWriter = Callable[[dict[int, dict[str, Any]], "User | None"], int]


@dataclass
class ImportResult:
    """What an import found and did. `written` is False for a dry run or a refused file."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_confirmed: list[tuple[int, str]] = field(default_factory=list)  # (row, masked ID)
    problems: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)
    unknown_headers: list[str] = field(default_factory=list)
    earlier_records: int = 0  # business before the system, written (registerfile.EARLIER_COLUMNS)
    written: bool = False

    @property
    def invalid_rows(self) -> int:
        return len(self.problems.rows)

    @property
    def ok(self) -> bool:
        return not self.problems


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_register(
    *,
    actor: User | None,
    data: bytes,
    filename: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
    write_earlier: EarlierWriter | None = None,
) -> ImportResult:
    """Load a register file: all or nothing unless skip_invalid; confirmed records are never overwritten.

    The rows may carry business done before the system (registerfile.EARLIER_COLUMNS), which
    belongs to an app above this one: `write_earlier` writes it, in the import's transaction,
    given {practitioner id: values} and the actor, and returns how many records it wrote
    (business.registerimport passes its writer; the register never imports business). A file
    that carries such business, given no writer, is refused rather than half imported.

    Whose records: a bureau admin creates and changes only their own bureau's people (a row of
    a person of another bureau is a row error naming that bureau); nobody moves a person to
    another bureau by import (collection.services.move_practitioner does, for city staff).
    `actor` None means the system (a management command run by an operator): every bureau.
    Raises RegisterFileError when the file as a whole is unusable.
    """
    result = ImportResult()
    sheet = registerfile.open_sheet(data)
    result.unknown_headers = sheet.unknown_headers
    present_fields = {c.field for c in sheet.columns if c is not None} - set(
        registerfile.EARLIER_FIELDS
    )
    allowed_codes = None if actor is None else permissions.importable_bureau_codes(actor)
    bureaus = {b.code: b for b in Bureau.objects.all()}

    parsed: list[registerfile.ParsedRow] = []
    today = timezone.localdate()
    for number, raw in sheet.rows:
        result.total_rows += 1
        row = registerfile.parse_row(number, raw, sheet.columns, result.problems, today=today)
        if row is None:
            continue
        code = row.values.pop("bureau_code")
        if code not in bureaus:
            result.problems.append(
                Problem(number, "发证机关代码", code, _("No bureau has this code."))
            )
            continue
        if allowed_codes is not None and code not in allowed_codes:
            result.problems.append(
                Problem(
                    number,
                    "发证机关代码",
                    code,
                    _(
                        "This row belongs to another bureau; you may import only your own bureau's practitioners."
                    ),
                )
            )
            continue
        row.values["bureau_id"] = bureaus[code].id
        row.earlier = {f: row.values.pop(f) for f in registerfile.EARLIER_FIELDS if f in row.values}
        for warning in row.warnings:
            result.warnings.append(Problem(number, "证件号码", row.values["id_number"], warning))
        parsed.append(row)
    if result.total_rows == 0:
        raise RegisterFileError(_("The file has column names but no rows."))

    parsed = _drop_duplicates_in_file(parsed, result)
    existing = _existing_by_id_number([r.values["id_number"] for r in parsed])
    parsed = _drop_other_bureaus_people(parsed, existing, result, allowed_codes, bureaus)
    parsed = _drop_certificate_conflicts(parsed, existing, result)

    creates: list[dict[str, Any]] = []
    updates: list[tuple[registerfile.ParsedRow, dict[str, Any], dict[str, Any]]] = []
    update_fields = present_fields - {"bureau_code"} | {"bureau_id"}
    for row in parsed:
        old = existing.get(row.values["id_number"])
        if old is None:
            creates.append(row.values)
            continue
        changes = {
            name: row.values[name]
            for name in update_fields
            if name in row.values and _comparable(old[name]) != row.values[name]
        }
        if not changes:
            result.unchanged += 1
        elif old["confirmed_at"] is not None:
            result.skipped_confirmed.append((row.row, mask_id_number(old["id_number"])))
        else:
            updates.append((row, old, changes))

    earlier = {
        row.values["id_number"]: {
            **row.earlier,
            "employer": row.values.get("employer", ""),
            "position": row.values.get("position", ""),
        }
        for row in parsed
        if row.earlier.get("on_post_since") or row.earlier.get("education_hours")
    }
    result.problems.sort()
    if earlier and write_earlier is None and not dry_run:
        raise TypeError(
            "This file carries earlier records: import it with business.registerimport."
        )
    if dry_run or (result.problems and not skip_invalid):
        result.created, result.updated = len(creates), len(updates)
        result.earlier_records = sum(
            bool(v.get("on_post_since")) + len(v.get("education_hours") or [])
            for v in earlier.values()
        )
        return result
    _write_import(
        actor=actor,
        creates=creates,
        updates=updates,
        result=result,
        filename=filename,
        earlier=earlier,
        write_earlier=write_earlier,
    )
    return result


def _drop_duplicates_in_file(rows, result: ImportResult):
    first_id: dict[str, int] = {}
    first_cert: dict[str, int] = {}
    kept = []
    for row in rows:
        id_number, cert = row.values["id_number"], row.values["cert_number"]
        if id_number in first_id:
            result.problems.append(
                Problem(
                    row.row,
                    "证件号码",
                    id_number,
                    _("Same ID number as row %(row)d.") % {"row": first_id[id_number]},
                )
            )
        elif cert in first_cert:
            result.problems.append(
                Problem(
                    row.row,
                    "会计从业资格证号",
                    cert,
                    _("Same certificate number as row %(row)d.") % {"row": first_cert[cert]},
                )
            )
        else:
            first_id[id_number] = row.row
            first_cert[cert] = row.row
            kept.append(row)
    return kept


def _existing_by_id_number(id_numbers: list[str]) -> dict[str, dict[str, Any]]:
    return {
        record["id_number"]: record
        for record in matching("id_number", id_numbers, "id", "confirmed_at", *IMPORT_FIELDS)
    }


def _drop_other_bureaus_people(rows, existing, result: ImportResult, allowed_codes, bureaus):
    """A row for a person the register holds under another bureau is an error: a bureau admin
    changes only their own bureau's people, and nobody moves a person by import."""
    by_id = {b.id: b for b in bureaus.values()}
    kept = []
    for row in rows:
        old = existing.get(row.values["id_number"])
        if old is None:
            kept.append(row)
            continue
        owner = by_id[old["bureau_id"]]
        if allowed_codes is not None and owner.code not in allowed_codes:
            result.problems.append(
                Problem(
                    row.row,
                    "证件号码",
                    row.values["id_number"],
                    _(
                        "This person belongs to %(bureau)s; only that bureau or the city bureau may change the record."
                    )
                    % {"bureau": owner.name},
                )
            )
        elif owner.id != row.values["bureau_id"]:
            result.problems.append(
                Problem(
                    row.row,
                    "发证机关代码",
                    by_id[row.values["bureau_id"]].code,
                    _(
                        "This person belongs to %(bureau)s. City staff move a person to another bureau on the person's record page, not by import."
                    )
                    % {"bureau": owner.name},
                )
            )
        else:
            kept.append(row)
    return kept


def _drop_certificate_conflicts(rows, existing, result: ImportResult):
    """A certificate number already held by another person's record is an error."""
    certs = [r.values["cert_number"] for r in rows]
    holder = {
        r["cert_number"]: r["id_number"]
        for r in matching("cert_number", certs, "cert_number", "id_number")
    }
    kept = []
    for row in rows:
        owner = holder.get(row.values["cert_number"])
        if owner is not None and owner != row.values["id_number"]:
            result.problems.append(
                Problem(
                    row.row,
                    "会计从业资格证号",
                    row.values["cert_number"],
                    _("This certificate number belongs to another practitioner (%(id)s).")
                    % {"id": mask_id_number(owner)},
                )
            )
        else:
            kept.append(row)
    return kept


class _RegisterChanged(Exception):
    pass


def _write_import(
    *,
    actor,
    creates,
    updates,
    result: ImportResult,
    filename: str,
    earlier: dict[str, dict],
    write_earlier: EarlierWriter | None,
) -> None:
    try:
        with transaction.atomic():
            result.created = records.create_records(creates)
            # Lock the rows to update; one confirmed meanwhile at the counter is left alone.
            locked = records.lock_many(
                [old["id"] for _row, old, _changes in updates], where=Q(confirmed_at__isnull=True)
            )
            rows, row_of = [], {}
            for row, old, changes in updates:
                current = locked.get(old["id"])
                if current is None:
                    result.skipped_confirmed.append((row.row, mask_id_number(old["id_number"])))
                    continue
                if current["bureau_id"] != old["bureau_id"]:
                    raise _RegisterChanged  # moved to another bureau while the file was read
                rows.append((current, changes))
                row_of[old["id"]] = row.row
            result.updated = records.update_records(
                rows,
                actor=actor,
                action=AuditAction.UPDATED,
                detail_of=lambda before, _changes: {"row": row_of[before["id"]]},
                source=filename or "import",
            )
            result.skipped_confirmed.sort()
            if earlier and write_earlier is not None:
                ids: dict[str, int] = {}
                for chunk in _chunks(list(earlier), _LOOKUP_CHUNK):
                    ids.update(
                        Practitioner.objects.filter(id_number__in=chunk).values_list(
                            "id_number", "pk"
                        )
                    )
                records_by_pk = {ids[n]: values for n, values in earlier.items() if n in ids}
                result.earlier_records = write_earlier(records_by_pk, actor)
            record_event(
                actor=actor,
                action=AuditAction.IMPORTED,
                file=filename,
                rows=result.total_rows,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                skipped_confirmed=len(result.skipped_confirmed),
                invalid_rows=result.invalid_rows,
                earlier_records=result.earlier_records,
            )
    except (IntegrityError, _RegisterChanged):
        raise RegisterFileError(
            _(
                "The register changed while the file was being imported (a number was taken meanwhile). Import the file again."
            )
        ) from None
    result.written = True
