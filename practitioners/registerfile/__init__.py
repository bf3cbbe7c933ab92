"""The old system's register file: its columns, the limits a hostile file meets, how to read
it and how to write it, one module per job, each using only those listed before it:

- columns: the headers, the old system's words for coded values, how a cell is read and written;
- guards: RegisterFileError and the limits (rows, columns, zip parts and sizes, XML entities);
- rows: one row cleaned (parse_row) and the problems found (Problem, Problems);
- reading: bytes of an .xlsx, CSV or JSON file -> the columns and raw rows (open_sheet);
- writing: the CSV, XLSX and JSON export, the import template (write_template), an import's problems as CSV.

Reading knows nothing of the database: `imports.import_register` decides what to write.
This package re-exports the names its callers use, so that they need not know the modules.
"""

from practitioners.registerfile.columns import (
    COLUMNS,
    EARLIER_COLUMNS,
    EARLIER_FIELDS,
    HEADERS,
    parse_date,
)
from practitioners.registerfile.guards import RegisterFileError, max_rows
from practitioners.registerfile.reading import open_sheet
from practitioners.registerfile.rows import ParsedRow, Problem, Problems, parse_row
from practitioners.registerfile.writing import (
    CONTENT_TYPES,
    FORMATS,
    TEXT_FORMATS,
    iter_csv,
    iter_json,
    record_to_row,
    write_file,
    write_problems,
    write_template,
    write_xlsx,
)

__all__ = [
    "COLUMNS",
    "CONTENT_TYPES",
    "EARLIER_COLUMNS",
    "EARLIER_FIELDS",
    "FORMATS",
    "HEADERS",
    "TEXT_FORMATS",
    "ParsedRow",
    "Problem",
    "Problems",
    "RegisterFileError",
    "iter_csv",
    "iter_json",
    "max_rows",
    "open_sheet",
    "parse_date",
    "parse_row",
    "record_to_row",
    "write_file",
    "write_problems",
    "write_template",
    "write_xlsx",
]
