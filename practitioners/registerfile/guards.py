"""Limits a register file must keep, checked before the part of the file they guard is parsed,
so that a hostile file costs little.

The upload's size is the form's (REGISTRY_IMPORT_MAX_BYTES). For a workbook, then: the number
of parts its zip directory declares, the sizes it declares for them (zipfile never inflates a
part beyond its declared size, so a lying part fails its CRC check), and one streaming pass over
the sheets and the shared string table counting rows, cells and characters, with no DTD or
entity allowed, all before the reader (calamine, which holds a sheet in memory) sees it. The
rows and columns of every kind of file are limited by the readers, with the errors made here.
"""

import io
import xml.parsers.expat
import zipfile

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core import archives
from practitioners.registerfile.columns import COLUMNS

MAX_COLUMNS = 60  # a register file has 26
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for a cell
MAX_ZIP_MEMBERS = 1_000
# What a workbook may unpack to: a 50 000-row sheet written with inline strings (openpyxl's
# way, and this project's exports) is 87 MB; Excel's own, with a shared string table, about
# half. The reader holds a sheet in memory: this bounds it.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 48 * 1024 * 1024
# Rows of nothing but formatting that a sheet may hold below or between the data.
BLANK_ROW_SLACK = 1_000
# Cells a sheet may name per row allowed, shared strings included: room for a register's 26
# columns and some unknown ones, far below what would make the reader's grid costly.
CELLS_PER_ROW = 40


class RegisterFileError(Exception):
    """The file as a whole cannot be read (empty, binary, wrong headers, beyond a limit...);
    the message is shown to the user."""


def max_rows() -> int:
    """The most data rows one file may hold (REGISTRY_IMPORT_MAX_ROWS)."""
    return settings.REGISTRY_IMPORT_MAX_ROWS


def too_many_rows() -> RegisterFileError:
    return RegisterFileError(
        _("The file has more than %(n)s rows; split it into files of at most %(n)s rows.")
        % {"n": intcomma(max_rows())}
    )


def too_many_columns(count: int) -> RegisterFileError:
    return RegisterFileError(
        _(
            "The file has %(count)s columns; a register file has %(expected)d, and at most %(limit)d are read. Delete the columns that do not belong to the register."
        )
        % {"count": intcomma(count), "expected": len(COLUMNS), "limit": MAX_COLUMNS}
    )


def damaged_workbook() -> RegisterFileError:
    return RegisterFileError(_("The Excel file could not be opened; it may be damaged."))


def check_workbook(data: bytes) -> None:
    """Refuse a workbook that would unpack or parse to more than a register file can hold,
    from what its directory declares and one streaming pass over its sheets: before the
    reader, which holds the whole sheet, and the whole shared string table, in memory."""
    if _zip_entry_count(data) > MAX_ZIP_MEMBERS:
        raise damaged_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise damaged_workbook() from None
    shared = [p for p in parts if p.filename.lower() == "xl/sharedstrings.xml"]
    _check_declared_sizes(parts, shared)
    sheets = [p for p in parts if p.filename.lower().startswith("xl/worksheets/")]
    cells = max_rows() * CELLS_PER_ROW
    for part in [*shared, *sheets]:
        if part.filename.lower().endswith(".xml"):
            scanned = _scan_part(archive, part, cells)
            if part in shared:
                cells -= scanned  # shared strings and cells share one budget


def _zip_entry_count(data: bytes) -> int:
    """The number of parts the workbook declares (core.archives). Zip64 files
    (over 65 535 parts or 4 GB) are never register files."""
    entries = archives.declared_entries(data)
    if entries is None:
        raise damaged_workbook()
    if entries == archives.ZIP64:
        raise RegisterFileError(_("This Excel file is far larger than a register file can be."))
    return entries


def _check_declared_sizes(parts: list[zipfile.ZipInfo], shared: list[zipfile.ZipInfo]) -> None:
    """The sizes the directory declares bound what zipfile will inflate: checking them costs
    nothing and stops a zip bomb before a byte of it is inflated."""
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES or any(p.file_size > MAX_SHARED_STRINGS_BYTES for p in shared):
        raise RegisterFileError(
            _(
                "The Excel file unpacks to %(size)s, more than a register file can be (%(limit)s). Save it again from Excel, or as CSV."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, cells: int) -> int:
    """Scan one part within the budget of cells; how many cells it held."""
    scan = _Scan(rows=max_rows() + 1 + BLANK_ROW_SLACK, cells=cells)
    try:
        with archive.open(part) as stream:
            scan.run(stream)
    except RegisterFileError:
        raise
    except Exception:  # malformed XML, a DTD or entities, a CRC error, a cut-off part
        raise damaged_workbook() from None
    return scan.cells


class _Scan:
    """One streaming pass over a worksheet or the shared string table (expat, no DTD allowed):
    counts rows, cells per row and characters per element, and stops at the first limit
    passed, having held no more than a chunk of the part in memory."""

    CHUNK = 1 << 20

    def __init__(self, *, rows: int, cells: int):
        self.max_rows, self.max_cells = rows, cells
        self.rows = self.cells = self.row_cells = self.text_length = 0

    def run(self, stream) -> None:
        parser = xml.parsers.expat.ParserCreate()
        parser.buffer_text = True
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        parser.StartElementHandler = self._start
        parser.CharacterDataHandler = self._characters
        while chunk := stream.read(self.CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _refuse(self, *args) -> None:
        """Entities are how a few bytes of XML become gigabytes (billion laughs); a workbook
        part never needs one."""
        raise ValueError("a DTD or an entity in a workbook part")

    def _start(self, name, attrs) -> None:
        local = name.rpartition(":")[2]
        self.text_length = 0
        if local == "row":
            self._row(attrs)
        elif local in ("c", "si"):  # a cell of a sheet, an entry of the shared strings
            self._cell(attrs)

    def _row(self, attrs) -> None:
        self.rows += 1
        self.row_cells = 0
        if self.rows > self.max_rows or int(attrs.get("r") or 0) > self.max_rows:
            raise too_many_rows()

    def _cell(self, attrs) -> None:
        self.row_cells += 1
        self.cells += 1
        if self.row_cells > MAX_COLUMNS:
            raise too_many_columns(self.row_cells)
        # The reader holds the sheet as a dense grid up to the last cell named: a cell
        # at XFD1048576 would make it 17 billion cells.
        row, column = _cell_position(attrs.get("r") or "")
        if row > self.max_rows:
            raise too_many_rows()
        if column > MAX_COLUMNS:
            raise too_many_columns(column)
        if self.cells > self.max_cells:
            raise RegisterFileError(
                _("The Excel file holds far more cells than a register of %(n)s rows.")
                % {"n": intcomma(max_rows())}
            )

    def _characters(self, content) -> None:
        self.text_length += len(content)
        if self.text_length > MAX_CELL_CHARACTERS:
            raise RegisterFileError(
                _("A cell of the Excel file holds more than %(n)s characters.")
                % {"n": intcomma(MAX_CELL_CHARACTERS)}
            )


def _cell_position(reference: str) -> tuple[int, int]:
    """(row, column) of a cell reference like "AB12" (0 for a part missing)."""
    column = 0
    index = 0
    for index, character in enumerate(reference):  # noqa: B007  (index is used below)
        if "A" <= character <= "Z":
            column = column * 26 + ord(character) - ord("A") + 1
        else:
            break
    else:
        return 0, column
    digits = reference[index:]
    return (int(digits) if digits.isdigit() else 0), column
