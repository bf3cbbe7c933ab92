"""One row of the register file, cleaned, and the problems found on the way.

A row is cleaned cell by cell, by its column (the file's ways of writing a value) and then by
the record's rule of that field (practitioners.fieldrules, the same as every form's); then the
ID number is checked, and for a resident ID the birth date and gender it encodes. A row with
any problem is not written: its problems are reported, with row, column, value and reason,
and `imports.import_register` decides what to do with the rows that are clean.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from practitioners import fieldrules
from practitioners.constants import RECORD_FIELDS, IdType
from practitioners.idnumbers import IdCheck, agreement_errors, check_id_number
from practitioners.registerfile.columns import BY_HEADER, CellError, Column, clean_text

_RECORD_FIELDS = frozenset(RECORD_FIELDS)


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    value: str
    reason: str


class Problems:
    """The problems (or warnings) of one import, in the order found.

    Kept in memory up to LIMIT, which is more than any bureau fixes in one go: beyond it they
    are only counted, with the rows they are on, so that a file of nothing but bad rows costs
    little. A value is kept to its first VALUE_CHARACTERS characters."""

    LIMIT = 100_000
    VALUE_CHARACTERS = 100

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0
        self.rows: set[int] = set()

    def append(self, problem: Problem) -> None:
        self.count += 1
        self.rows.add(problem.row)
        if len(self.items) < self.LIMIT:
            if len(problem.value) > self.VALUE_CHARACTERS:
                problem = Problem(
                    problem.row,
                    problem.column,
                    problem.value[: self.VALUE_CHARACTERS] + "…",
                    problem.reason,
                )
            self.items.append(problem)

    def sort(self) -> None:
        self.items.sort(key=lambda p: p.row)

    @property
    def omitted(self) -> int:
        """How many were counted but not kept."""
        return self.count - len(self.items)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __getitem__(self, index):
        return self.items[index]


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    earlier: dict[str, Any] = field(default_factory=dict)  # EARLIER_COLUMNS' values


def parse_row(
    number: int,
    raw: list[Any],
    columns: list[Column | None],
    problems: Problems | list[Problem],
    today: datetime.date | None = None,
) -> ParsedRow | None:
    """Clean one row; append its problems and return None when it has any."""
    values = _clean_cells(number, raw, columns, problems, today)
    if values is None:
        return None
    id_type = values.get("id_type", IdType.RESIDENT_ID)
    check = check_id_number(values["id_number"], id_type, today=today)
    if not check.ok:
        for reason in check.errors:
            problems.append(Problem(number, "证件号码", values["id_number"], reason))
        return None
    if id_type == IdType.RESIDENT_ID:
        if not _agree_with_id_number(number, values, check, problems):
            return None
    elif not values.get("gender"):
        problems.append(Problem(number, "性别", "", _("Required for this ID type.")))
        return None
    if not _earlier_after_birth(number, values, problems):
        return None
    return ParsedRow(number, values, warnings=list(check.warnings))


def _clean_cells(
    number: int,
    raw: list[Any],
    columns: list[Column | None],
    problems: Problems | list[Problem],
    today: datetime.date | None,
) -> dict[str, Any] | None:
    """Field -> cleaned value of each known column; None, the problems appended, when a
    cell is wrong or a required one is blank. Every cell is checked, so that one pass over
    the report shows all that is wrong with a row."""
    values: dict[str, Any] = {}
    failed = False
    for column, cell in zip(columns, raw, strict=False):
        if column is None:
            continue
        value, problem = _clean_cell(number, column, cell, today)
        if problem is None:
            values[column.field] = value
        else:
            problems.append(problem)
            failed = True
    for column in columns:
        # A short row (fewer cells than headers) still has its required cells checked.
        if column is not None and column.required and column.field not in values and not failed:
            problems.append(Problem(number, column.header, "", _("Required.")))
            failed = True
    return None if failed else values


def _clean_cell(
    number: int, column: Column, cell: Any, today: datetime.date | None
) -> tuple[Any, Problem | None]:
    """The cell's value, or the problem that keeps it from being used."""
    try:
        value = column.parse(cell)
        if column.field in _RECORD_FIELDS:
            value = fieldrules.clean(column.field, value, today=today)
    except CellError as exc:
        return None, Problem(number, column.header, clean_text(cell), str(exc))
    except ValidationError as exc:
        return None, Problem(number, column.header, clean_text(cell), " ".join(exc.messages))
    if column.required and value in ("", None):
        return None, Problem(number, column.header, "", _("Required."))
    return value, None


def _agree_with_id_number(
    number: int, values: dict[str, Any], check: IdCheck, problems: Problems | list[Problem]
) -> bool:
    """A resident ID encodes the birth date and gender: blank ones are taken from it, given
    ones must agree with it (False, the disagreements appended, when they do not)."""
    values.setdefault("birth_date", None)
    values.setdefault("gender", "")
    disagreements = agreement_errors(
        check, birth_date=values["birth_date"], gender=values["gender"] or None
    )
    header_of = {"birth_date": "出生日期", "gender": "性别"}
    for field_name, reason in disagreements.items():
        column = BY_HEADER[header_of[field_name]]
        problems.append(Problem(number, column.header, column.write(values[field_name]), reason))
    if disagreements:
        return False
    values["birth_date"] = values["birth_date"] or check.birth_date
    values["gender"] = values["gender"] or check.gender
    return True


def _earlier_after_birth(
    number: int, values: dict[str, Any], problems: Problems | list[Problem]
) -> bool:
    """Business done before the system (EARLIER_COLUMNS) comes after the person's birth: an
    on-post date, or a year of continuing education, before the birth date (given, or read
    from the resident ID) is a problem of the row (False, appended). The record's own dates
    are not compared here: see practitioners.fieldrules."""
    birth = values.get("birth_date")
    if birth is None:
        return True
    ok = True
    start = values.get("on_post_since")
    if start is not None and start <= birth:
        column = BY_HEADER["上岗日期"]
        problems.append(
            Problem(
                number,
                column.header,
                column.write(start),
                _("The on-post date is before the date of birth (%(birth)s).")
                % {"birth": birth.isoformat()},
            )
        )
        ok = False
    early = [year for year, _hours in values.get("education_hours") or [] if year < birth.year]
    if early:
        column = BY_HEADER["继续教育学时"]
        problems.append(
            Problem(
                number,
                column.header,
                column.write(values["education_hours"]),
                _("%(year)d is before the year of birth (%(birth)d).")
                % {"year": early[0], "birth": birth.year},
            )
        )
        ok = False
    return ok
