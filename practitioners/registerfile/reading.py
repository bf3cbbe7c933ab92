"""Reading a register file: bytes -> a header row and raw rows, whatever the file's kind.

The kind is told by the content, not the name: .xlsx (python-calamine, after guards.
check_workbook), CSV in the encodings Excel writes, or a JSON list of objects. An old .xls is
refused with a way out. Reading knows nothing of the database and does not clean a cell:
open_sheet finds the columns, rows.parse_row cleans each row as it is iterated.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from practitioners.registerfile.columns import (
    BY_HEADER,
    HEADERS,
    REQUIRED_HEADERS,
    Column,
    clean_header,
    clean_text,
)
from practitioners.registerfile.guards import (
    BLANK_ROW_SLACK,
    MAX_COLUMNS,
    RegisterFileError,
    check_workbook,
    damaged_workbook,
    max_rows,
    too_many_columns,
    too_many_rows,
)


@dataclass
class Sheet:
    """The readable content of a register file."""

    columns: list[Column | None]  # per position; None for an unknown column
    unknown_headers: list[str]
    rows: Iterable[tuple[int, list[Any]]]  # (row number as a spreadsheet shows it, cells)


def open_sheet(data: bytes) -> Sheet:
    """Find the header row and check the columns; RegisterFileError when the file is unusable.

    The rows are read as they are iterated; reading raises RegisterFileError when the file
    turns out unusable further on (damaged, or more rows than a file may hold)."""
    rows = read_rows(data)
    header, header_row = _find_header(rows)
    columns, unknown = _columns_of(header)
    return Sheet(columns=columns, unknown_headers=unknown, rows=_numbered(rows, header_row))


def read_rows(data: bytes) -> Iterator[list[Any]]:
    """Raw rows of an .xlsx, .csv (UTF-8 with/without BOM, UTF-16, GB18030/GBK) or .json file, by content."""
    if not data or not data.strip():
        raise RegisterFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _rows_from_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegisterFileError(
            _("This is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV and upload again.")
        )
    if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith((b"[", b"{")):
        return _rows_from_json(data)
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RegisterFileError(_("This is not a register file: use .xlsx or .csv."))
    return _rows_from_csv(data)


# --- The header --------------------------------------------------------------------------


def _find_header(rows: Iterator[list[Any]]) -> tuple[list[Any], int]:
    """The first row with anything in it, and its number: bureaus leave a title or blank rows
    above the header, but not more than BLANK_ROW_SLACK of them."""
    for number, raw in enumerate(rows, 1):
        if any(clean_text(v) for v in raw):
            while raw and not clean_text(raw[-1]):
                raw = raw[:-1]  # blank cells after the last column name
            return raw, number
        if number > BLANK_ROW_SLACK:
            break
    raise RegisterFileError(_("The file is empty."))


def _columns_of(header: list[Any]) -> tuple[list[Column | None], list[str]]:
    """The column of each position (None for one the register does not know) and the unknown
    headers, which the page shows so that a misspelt header is noticed."""
    if len(header) > MAX_COLUMNS:
        raise too_many_columns(len(header))
    seen: set[str] = set()
    columns: list[Column | None] = []
    unknown: list[str] = []
    for name in (clean_header(h) for h in header):
        if name in seen and name:
            raise RegisterFileError(_("Column %(name)s appears twice.") % {"name": name})
        seen.add(name)
        columns.append(BY_HEADER.get(name))
        if columns[-1] is None and name:
            unknown.append(name)
    missing = [h for h in REQUIRED_HEADERS if h not in seen]
    if missing:
        raise RegisterFileError(
            _(
                "Required columns are missing: %(missing)s. The first row must hold the column names (姓名, 证件类型, 证件号码, ...)."
            )
            % {"missing": "、".join(missing)}
        )
    return columns, unknown


def _numbered(rows: Iterator[list[Any]], header_row: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows below the header that hold anything, with their numbers; more than max_rows()
    of them, or a long run of blank rows after that many, is refused as it is met."""
    last_row = header_row + max_rows()
    for number, raw in enumerate(rows, header_row + 1):
        if any(v not in (None, "") and clean_text(v) for v in raw):
            if number > last_row:
                raise too_many_rows()
            yield number, raw
        elif number > last_row + BLANK_ROW_SLACK:
            raise too_many_rows()


# --- Workbooks ---------------------------------------------------------------------------


def _rows_from_xlsx(data: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows. The guards run first: calamine holds the sheet in memory."""
    check_workbook(data)
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:
        raise damaged_workbook() from None
    row = 0
    try:
        for values in rows:
            row += 1
            yield values
    except Exception:  # a sheet cut off or damaged part-way
        raise RegisterFileError(
            _("The Excel file is damaged: it cannot be read after row %(row)s.")
            % {"row": intcomma(row)}
        ) from None


# --- CSV ---------------------------------------------------------------------------------


def _rows_from_csv(data: bytes) -> Iterator[list[Any]]:
    """Rows of CSV text; the delimiter is the one the first line uses most (Excel writes ;
    in some locales, and a tab when saving "Unicode text")."""
    text = _decode_text(data)
    end = text.find("\n")
    first_line = text if end == -1 else text[:end]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    del text
    try:
        yield from reader
    except csv.Error:
        raise RegisterFileError(
            _(
                "Line %(line)s cannot be read: a cell there is longer than %(limit)s characters, or a quotation mark is not closed."
            )
            % {"line": intcomma(reader.line_num), "limit": intcomma(csv.field_size_limit())}
        ) from None


def _decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 or UTF-16 as its BOM says, else UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # GB18030 is a superset of GBK and GB2312: what Excel on Chinese Windows writes.
        return _decode(data, "gb18030")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise RegisterFileError(
            _(
                "The file's text encoding was not recognised; save it as CSV (UTF-8) or Excel (.xlsx)."
            )
        ) from None


# --- JSON --------------------------------------------------------------------------------


def _rows_from_json(data: bytes) -> Iterator[list[Any]]:
    """A JSON list of objects keyed by column name (what writing.iter_json writes), as a
    header row of every key met, the register's columns first, and a row per object.

    The file is decoded whole by json.loads: an upload is at most REGISTRY_IMPORT_MAX_BYTES,
    and _load_json bounds what the decoded values can cost."""
    records = _load_json(data)
    if not isinstance(records, list):
        raise RegisterFileError(_("The JSON file must hold a list of records."))
    if len(records) > max_rows():
        raise too_many_rows()
    headers = dict.fromkeys(HEADERS)
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise RegisterFileError(
                _("Record %(n)s of the JSON file is not an object of column names and values.")
                % {"n": intcomma(number)}
            )
        headers.update(dict.fromkeys(record))
    if len(headers) > MAX_COLUMNS:
        raise too_many_columns(len(headers))
    yield list(headers)
    for record in records:
        yield [record.get(h, "") for h in headers]


def _load_json(data: bytes) -> Any:
    """The file's JSON value; RegisterFileError, saying why, for a file that is not JSON or
    would decode to far more than a register file holds.

    json.loads makes a Python object of every value, at up to 25 times the bytes the value
    takes in the file (30 MB of [[],[],…] is 750 MB): the values are bounded before it runs
    (_check_json_values), and the objects while it runs (_CountObjects), so that no file
    costs more than the largest register would."""
    _check_json_values(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterFileError(
            _("The JSON file could not be read: it is not UTF-8 text.")
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_CountObjects(2 * max_rows()))
    except json.JSONDecodeError as error:
        raise RegisterFileError(
            _("The file is not valid JSON: the error is at line %(line)s, column %(column)s.")
            % {"line": intcomma(error.lineno), "column": intcomma(error.colno)}
        ) from None
    except RecursionError:
        raise RegisterFileError(
            _("The JSON file nests lists or objects too deeply to be a register file.")
        ) from None


def _check_json_values(data: bytes) -> None:
    """Refuse a file with more values than a register of max_rows() rows could hold, before
    it is decoded. Every value but the first of a list or object follows a comma, so commas
    and opening brackets bound the values; a row holds at most MAX_COLUMNS. Commas inside
    strings count too: a full register of 26 columns would need more than 34 of them a row to
    be refused."""
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > (max_rows() + 1) * (MAX_COLUMNS + 1):
        raise _too_many_values()


def _too_many_values() -> RegisterFileError:
    return RegisterFileError(
        _(
            "The JSON file holds far more values than a register of %(n)s rows; split it into smaller files."
        )
        % {"n": intcomma(max_rows())}
    )


class _CountObjects:
    """json.loads' maker of objects, counting them: an object costs four times what a list
    or a string does, and a register has one a row. Decoding stops at twice the rows a file
    may hold, leaving a list of a few rows too many to the clearer check of its length."""

    def __init__(self, limit: int):
        self.left = limit

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        self.left -= 1
        if self.left < 0:
            raise _too_many_values()
        return dict(pairs)
