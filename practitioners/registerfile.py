"""The old system's register file: its columns, how to read it and how to write it.

Reading knows nothing of the database: it turns bytes into rows of cleaned values plus
a list of problems, each with row, column, value and reason. `services.import_register`
decides what to write. A cell is read in two steps: the file's own ways of writing a value
(the old system's Chinese words for choices, Excel's dates and numbers) here, then the
record's rules of that field, the same as every form's (practitioners.fieldrules).
"""

import csv
import datetime
import io
import json
import re
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core import archives, spreadsheets
from practitioners import fieldrules
from practitioners.constants import (
    RECORD_FIELDS,
    AbacusLevel,
    Education,
    Gender,
    IdType,
    TitleLevel,
)
from practitioners.idnumbers import agreement_errors, check_id_number, normalize_id_number
from practitioners.validators import MAX_LENGTH_MESSAGE


class RegisterFileError(Exception):
    """The file as a whole cannot be read (empty, binary, wrong headers...)."""


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


# --- Values in the file: the Chinese words of the old system (never translated) ---------

GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE, "M": Gender.MALE, "F": Gender.FEMALE}
ID_TYPE_WORDS = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳台居民通行证": IdType.HMT_PERMIT,
    "港澳居民来往内地通行证": IdType.HMT_PERMIT,
    "台湾居民来往大陆通行证": IdType.HMT_PERMIT,
    "港澳台居民居住证": IdType.HMT_PERMIT,
    "军人证件": IdType.MILITARY_ID,
    "军官证": IdType.MILITARY_ID,
    "士兵证": IdType.MILITARY_ID,
}
EDUCATION_WORDS = {
    "博士": Education.DOCTORATE,
    "博士研究生": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "研究生": Education.MASTER,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大专": Education.JUNIOR_COLLEGE,
    "大学专科": Education.JUNIOR_COLLEGE,
    "专科": Education.JUNIOR_COLLEGE,
    "中专": Education.SECONDARY,
    "中等专科": Education.SECONDARY,
    "高中及以下": Education.HIGH_SCHOOL,
    "高中": Education.HIGH_SCHOOL,
    "初中": Education.HIGH_SCHOOL,
}
TITLE_WORDS = {
    "无": TitleLevel.NONE,
    "初级": TitleLevel.JUNIOR,
    "中级": TitleLevel.INTERMEDIATE,
    "高级": TitleLevel.SENIOR,
    "正高级": TitleLevel.PROFESSOR,
    "助理会计师": TitleLevel.JUNIOR,
    "会计员": TitleLevel.JUNIOR,
    "会计师": TitleLevel.INTERMEDIATE,
    "高级会计师": TitleLevel.SENIOR,
    "正高级会计师": TitleLevel.PROFESSOR,
}
ABACUS_WORDS = {
    "无": AbacusLevel.NONE,
    "五级": AbacusLevel.LEVEL_5,
    "四级": AbacusLevel.LEVEL_4,
    "三级": AbacusLevel.LEVEL_3,
    "二级": AbacusLevel.LEVEL_2,
    "一级": AbacusLevel.LEVEL_1,
    "能手": AbacusLevel.MASTER,
    "普通五级": AbacusLevel.LEVEL_5,
    "普通四级": AbacusLevel.LEVEL_4,
    "普通三级": AbacusLevel.LEVEL_3,
    "普通二级": AbacusLevel.LEVEL_2,
    "普通一级": AbacusLevel.LEVEL_1,
    "珠算能手": AbacusLevel.MASTER,
}


def _first_word(words: dict) -> dict:
    """Value -> the canonical word (the first that names it), for writing files."""
    out: dict = {}
    for word, value in words.items():
        out.setdefault(value, word)
    return out


# --- Columns ---------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class CellError(ValueError):
    """A value that cannot be used; the message is the reason shown to the user."""


def clean_text(value: Any) -> str:
    """A cell's text, normalised as every text of the record is (fieldrules.normalize_text:
    no zero-width characters, no line breaks, no white space at the ends), without the
    apostrophe our exports put before a formula-like value. Other control characters stay,
    for the field's rules to refuse."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'"):
        text = spreadsheets.unescape(text)  # before the tab of "'\t=1" becomes a space
    return fieldrules.normalize_text(text)


def parse_date(value: Any) -> datetime.date | None:
    """Excel dates, Excel serial numbers, and text as fieldrules.read_date reads it (2011-06-30,
    2011/6/30, 2011年6月30日, 20110630...). Whether the date can be right is the field's rule."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        value = str(int(value))
    return fieldrules.read_date(clean_text(value))


def format_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # The file's way of writing a value -> the value; a field of the record is then cleaned by
    # its rules (fieldrules.clean, in parse_row).
    parse: Callable[[Any], Any]
    write: Callable[[Any], Any]
    required: bool = False


def _choice(words: dict, default: Any = ""):
    codes = {str(v).upper(): v for v in set(words.values())}

    def parse(value: Any):
        text = clean_text(value).replace(" ", "")
        if not text:
            return default
        if text in words:
            return words[text]
        if text.upper() in words:
            return words[text.upper()]
        if text.upper() in codes:
            return codes[text.upper()]
        raise CellError(
            _("Unknown value; use one of: %(words)s.")
            % {"words": "、".join(_first_word(words).values())}
        )

    return parse


def _parse_id_number(value: Any) -> str:
    # Excel keeps 15 significant digits of a number: an 18-digit ID typed into a numeric
    # cell has already lost its last digits, so refuse it rather than guess.
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
        raise CellError(
            _(
                "Excel stored this ID number as a number and lost its last digits; format the column as text and type it again."
            )
        )
    return clean_text(value)


def _parse_code(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise CellError(_("Not a valid number."))
    return clean_text(value)


def _parse_bureau_code(value: Any) -> str:
    code = normalize_id_number(_parse_code(value))
    if len(code) > 6:
        raise CellError(MAX_LENGTH_MESSAGE % {"limit_value": 6, "show_value": len(code)})
    return code


def _words_writer(words: dict):
    canonical = _first_word(words)
    return lambda value: canonical.get(value, "")


def _identity(value: Any) -> Any:
    return value if value is not None else ""


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", clean_text, _identity, required=True),
    Column("性别", "gender", _choice(GENDER_WORDS), _words_writer(GENDER_WORDS)),
    Column("民族", "ethnicity", clean_text, _identity),
    Column("出生日期", "birth_date", parse_date, format_date),
    Column(
        "证件类型", "id_type", _choice(ID_TYPE_WORDS), _words_writer(ID_TYPE_WORDS), required=True
    ),
    Column("证件号码", "id_number", _parse_id_number, _identity, required=True),
    Column("会计从业资格证号", "cert_number", _parse_code, _identity, required=True),
    Column("发证日期", "cert_issue_date", parse_date, format_date),
    Column("发证机关代码", "bureau_code", _parse_bureau_code, _identity, required=True),
    Column("学历", "education", _choice(EDUCATION_WORDS), _words_writer(EDUCATION_WORDS)),
    Column("所学专业", "major", clean_text, _identity),
    Column("毕业院校", "school", clean_text, _identity),
    Column("毕业时间", "graduation_date", parse_date, format_date),
    Column(
        "职称", "title_level", _choice(TITLE_WORDS, TitleLevel.NONE), _words_writer(TITLE_WORDS)
    ),
    Column("职称证书编号", "title_cert_number", _parse_code, _identity),
    Column("职称取得时间", "title_date", parse_date, format_date),
    Column(
        "珠算等级",
        "abacus_level",
        _choice(ABACUS_WORDS, AbacusLevel.NONE),
        _words_writer(ABACUS_WORDS),
    ),
    # Yes and no in the words of fieldrules.YES_NO_WORDS, read by the field's rule.
    Column("会计电算化证", "has_computing_cert", clean_text, lambda v: "有" if v else "无"),
    Column("工作单位", "employer", clean_text, _identity),
    Column("统一社会信用代码", "employer_credit_code", _parse_code, _identity),
    Column("职务", "position", clean_text, _identity),
    Column("是否在岗", "in_accounting_post", clean_text, lambda v: "是" if v else "否"),
    Column("手机", "mobile", clean_text, _identity),
    Column("电子邮箱", "email", clean_text, _identity),
    Column("通讯地址", "address", clean_text, _identity),
    Column("邮政编码", "postcode", clean_text, _identity),
)
assert [c.field for c in COLUMNS if c.field != "bureau_code"] == list(RECORD_FIELDS), (
    "the register file has a column for each field of the record, in the record's order"
)


_EDUCATION_ITEM = re.compile(r"^(\d{4})\s*[:：]\s*(\d+(?:\.\d)?)$")


def parse_education_hours(value: Any) -> list[tuple[int, Decimal]]:
    """Continuing education done before the system, as 2023:24；2024:36 (year and hours)."""
    text = clean_text(value)
    if not text:
        return []
    items = []
    this_year = timezone.localdate().year
    for part in re.split(r"[;；,，、\s]+", text):
        if not part:
            continue
        match = _EDUCATION_ITEM.match(part)
        if match is None:
            raise CellError(_("Write each year and its hours as 2024:24, separated by ；"))
        year, hours = int(match[1]), Decimal(match[2])
        if not (2000 <= year <= this_year) or not (Decimal("0.5") <= hours <= 500):
            raise CellError(
                _("%(item)s: the year must be 2000–%(year)d and the hours 0.5–500.")
                % {"item": part, "year": this_year}
            )
        items.append((year, hours))
    return items


def _write_education_hours(items) -> str:
    return "；".join(f"{year}:{hours}" for year, hours in items or [])


# Optional columns: records of business done before the system (上岗注册, 继续教育), which the
# import writes as approved, imported records (business.registerimport). Not part of the record.
EARLIER_COLUMNS: tuple[Column, ...] = (
    # The start of an on-post registration: a date of the record's kind.
    Column(
        "上岗日期", "on_post_since", lambda v: fieldrules.clean_date(parse_date(v)), format_date
    ),
    Column("继续教育学时", "education_hours", parse_education_hours, _write_education_hours),
)
EARLIER_FIELDS = tuple(c.field for c in EARLIER_COLUMNS)

HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)
BY_HEADER = {c.header: c for c in (*COLUMNS, *EARLIER_COLUMNS)}
# Other spellings of headers seen in old exports.
HEADER_ALIASES = {
    "身份证号码": "证件号码",
    "身份证号": "证件号码",
    "证件号": "证件号码",
    "从业资格证号": "会计从业资格证号",
    "证书编号": "会计从业资格证号",
    "会计从业资格证书编号": "会计从业资格证号",
    "发证机关": "发证机关代码",
    "手机号码": "手机",
    "移动电话": "手机",
    "邮箱": "电子邮箱",
    "Email": "电子邮箱",
    "邮编": "邮政编码",
    "毕业学校": "毕业院校",
    "专业": "所学专业",
    "是否在会计岗位": "是否在岗",
    "单位名称": "工作单位",
    "职称取得日期": "职称取得时间",
    "上岗注册日期": "上岗日期",
    "上岗时间": "上岗日期",
    "继续教育": "继续教育学时",
}


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    earlier: dict[str, Any] = field(default_factory=dict)  # EARLIER_COLUMNS' values


def _clean_header(value: Any) -> str:
    text = clean_text(value).replace(" ", "").replace("*", "").replace("＊", "")
    return HEADER_ALIASES.get(text, text)


# --- Reading -------------------------------------------------------------------------------
#
# Every limit is checked before the part of the file it guards is parsed, so that a hostile file
# costs little: the upload's size (the form), then for a workbook the directory and the sizes it
# declares for each part (zipfile never inflates a part beyond its declared size), then one
# streaming pass over the sheets counting rows, cells and characters, before the reader
# (calamine, which holds the sheet in memory) reads it.

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


def max_rows() -> int:
    """The most data rows one file may hold (REGISTRY_IMPORT_MAX_ROWS)."""
    return settings.REGISTRY_IMPORT_MAX_ROWS


def _too_many_rows() -> RegisterFileError:
    return RegisterFileError(
        _("The file has more than %(n)s rows; split it into files of at most %(n)s rows.")
        % {"n": intcomma(max_rows())}
    )


def _too_many_columns(count: int) -> RegisterFileError:
    return RegisterFileError(
        _(
            "The file has %(count)s columns; a register file has %(expected)d, and at most %(limit)d are read. Delete the columns that do not belong to the register."
        )
        % {"count": intcomma(count), "expected": len(COLUMNS), "limit": MAX_COLUMNS}
    )


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise _unknown_encoding() from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unknown_encoding() from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Excel on Chinese Windows writes.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _unknown_encoding() from None


def _unknown_encoding() -> RegisterFileError:
    return RegisterFileError(
        _("The file's text encoding was not recognised; save it as CSV (UTF-8) or Excel (.xlsx).")
    )


def _rows_from_csv(data: bytes) -> Iterator[list[Any]]:
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


def _damaged_workbook() -> RegisterFileError:
    return RegisterFileError(_("The Excel file could not be opened; it may be damaged."))


def _zip_entry_count(data: bytes) -> int:
    """The number of parts the workbook declares (core.archives). Zip64 files
    (over 65 535 parts or 4 GB) are never register files."""
    entries = archives.declared_entries(data)
    if entries is None:
        raise _damaged_workbook()
    if entries == archives.ZIP64:
        raise RegisterFileError(_("This Excel file is far larger than a register file can be."))
    return entries


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
        raise ValueError("a DTD or an entity in a workbook part")

    def _start(self, name, attrs) -> None:
        local = name.rpartition(":")[2]
        self.text_length = 0
        if local == "row":
            self.rows += 1
            self.row_cells = 0
            if self.rows > self.max_rows or int(attrs.get("r") or 0) > self.max_rows:
                raise _too_many_rows()
        elif local in ("c", "si"):  # a cell of a sheet, an entry of the shared strings
            self.row_cells += 1
            self.cells += 1
            if self.row_cells > MAX_COLUMNS:
                raise _too_many_columns(self.row_cells)
            # The reader holds the sheet as a dense grid up to the last cell named: a cell
            # at XFD1048576 would make it 17 billion cells.
            row, column = _cell_position(attrs.get("r") or "")
            if row > self.max_rows:
                raise _too_many_rows()
            if column > MAX_COLUMNS:
                raise _too_many_columns(column)
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


def check_workbook(data: bytes) -> None:
    """Refuse a workbook that would unpack or parse to more than a register file can hold,
    from what its directory declares and one streaming pass over its sheets: before the
    reader, which holds the whole sheet, and the whole shared string table, in memory."""
    if _zip_entry_count(data) > MAX_ZIP_MEMBERS:
        raise _damaged_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged_workbook() from None
    total = sum(part.file_size for part in parts)
    shared = [p for p in parts if p.filename.lower() == "xl/sharedstrings.xml"]
    if total > MAX_UNPACKED_BYTES or any(p.file_size > MAX_SHARED_STRINGS_BYTES for p in shared):
        raise RegisterFileError(
            _(
                "The Excel file unpacks to %(size)s, more than a register file can be (%(limit)s). Save it again from Excel, or as CSV."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(MAX_UNPACKED_BYTES)}
        )
    cells = max_rows() * 40
    sheets = [p for p in parts if p.filename.lower().startswith("xl/worksheets/")]
    for part in [*shared, *sheets]:
        if not part.filename.lower().endswith(".xml"):
            continue
        scan = _Scan(rows=max_rows() + 1 + BLANK_ROW_SLACK, cells=cells)
        try:
            with archive.open(part) as stream:
                scan.run(stream)
        except RegisterFileError:
            raise
        except Exception:  # malformed XML, a DTD or entities, a CRC error, a cut-off part
            raise _damaged_workbook() from None
        if part in shared:
            cells -= scan.cells  # shared strings and cells share one budget


def _rows_from_xlsx(data: bytes) -> Iterator[list[Any]]:
    check_workbook(data)
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:
        raise _damaged_workbook() from None
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


def _rows_from_json(data: bytes) -> Iterator[list[Any]]:
    """Records of a JSON list, decoded one at a time (a huge list never sits in memory whole)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterFileError(_("The JSON file could not be read.")) from None
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if text[position : position + 1] != "[":
        raise RegisterFileError(_("The JSON file must hold a list of records."))
    position = _skip_space(text, position + 1)
    records: list[dict] = []
    headers = dict.fromkeys(HEADERS)
    while text[position : position + 1] != "]":
        if records and text[position : position + 1] == ",":
            position = _skip_space(text, position + 1)
        elif records:
            raise RegisterFileError(_("The JSON file could not be read."))
        try:
            record, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            raise RegisterFileError(_("The JSON file could not be read.")) from None
        if not isinstance(record, dict):
            raise RegisterFileError(_("The JSON file must hold a list of records."))
        if len(records) >= max_rows():
            raise _too_many_rows()
        headers.update(dict.fromkeys(record))
        if len(headers) > MAX_COLUMNS:
            raise _too_many_columns(len(headers))
        records.append(record)
        position = _skip_space(text, position)
    if _skip_space(text, position + 1) != len(text):
        raise RegisterFileError(_("The JSON file could not be read."))
    yield list(headers)
    for record in records:
        yield [record.get(h, "") for h in headers]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


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
    head = data[:8192]
    if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"["):
        return _rows_from_json(data)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RegisterFileError(_("This is not a register file: use .xlsx or .csv."))
    return _rows_from_csv(data)


@dataclass
class Sheet:
    """The readable content of a register file."""

    columns: list[Column | None]  # per position; None for an unknown column
    unknown_headers: list[str]
    rows: Iterable[tuple[int, list[Any]]]


def open_sheet(data: bytes) -> Sheet:
    """Find the header row and check the columns; RegisterFileError when the file is unusable.

    The rows are read as they are iterated; reading raises RegisterFileError when the file
    turns out unusable further on (damaged, or more rows than a file may hold)."""
    rows = read_rows(data)
    header: list[Any] | None = None
    row_number = 0
    for raw in rows:
        row_number += 1
        if any(clean_text(v) for v in raw):
            header = raw
            break
        if row_number > BLANK_ROW_SLACK:
            break
    if header is None:
        raise RegisterFileError(_("The file is empty."))
    while header and not clean_text(header[-1]):
        header = header[:-1]  # blank cells after the last column name
    if len(header) > MAX_COLUMNS:
        raise _too_many_columns(len(header))
    names = [_clean_header(h) for h in header]
    seen: set[str] = set()
    columns: list[Column | None] = []
    unknown: list[str] = []
    for name in names:
        if name in seen and name:
            raise RegisterFileError(_("Column %(name)s appears twice.") % {"name": name})
        seen.add(name)
        column = BY_HEADER.get(name)
        columns.append(column)
        if column is None and name:
            unknown.append(name)
    missing = [h for h in REQUIRED_HEADERS if h not in seen]
    if missing:
        raise RegisterFileError(
            _(
                "Required columns are missing: %(missing)s. The first row must hold the column names (姓名, 证件类型, 证件号码, ...)."
            )
            % {"missing": "、".join(missing)}
        )
    start = row_number
    last_row = start + max_rows()

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = start
        for raw in rows:
            number += 1
            if any(v not in (None, "") and clean_text(v) for v in raw):
                if number > last_row:
                    raise _too_many_rows()
                yield number, raw
            elif number > last_row + BLANK_ROW_SLACK:
                raise _too_many_rows()

    return Sheet(columns=columns, unknown_headers=unknown, rows=numbered())


def parse_row(
    number: int,
    raw: list[Any],
    columns: list[Column | None],
    problems: Problems | list[Problem],
    today: datetime.date | None = None,
) -> ParsedRow | None:
    """Clean one row; append its problems and return None when it has any."""
    values: dict[str, Any] = {}
    failed = False
    for column, cell in zip(columns, raw, strict=False):
        if column is None:
            continue
        try:
            value = column.parse(cell)
            if column.field in _RECORD_FIELDS:
                value = fieldrules.clean(column.field, value, today=today)
        except CellError as exc:
            problems.append(Problem(number, column.header, clean_text(cell), str(exc)))
            failed = True
            continue
        except ValidationError as exc:
            problems.append(
                Problem(number, column.header, clean_text(cell), " ".join(exc.messages))
            )
            failed = True
            continue
        if column.required and value in ("", None):
            problems.append(Problem(number, column.header, "", _("Required.")))
            failed = True
            continue
        values[column.field] = value
    for column in columns:
        # A short row (fewer cells than headers) still has its required cells checked.
        if column is not None and column.required and column.field not in values and not failed:
            problems.append(Problem(number, column.header, "", _("Required.")))
            failed = True
    if failed:
        return None
    parsed = ParsedRow(number, values)
    id_type = values.get("id_type", IdType.RESIDENT_ID)
    check = check_id_number(values["id_number"], id_type, today=today)
    if not check.ok:
        for reason in check.errors:
            problems.append(Problem(number, "证件号码", values["id_number"], reason))
        return None
    parsed.warnings.extend(check.warnings)
    if id_type == IdType.RESIDENT_ID:
        # Blank birth date or gender are taken from the number; given ones must agree with it.
        values.setdefault("birth_date", None)
        values.setdefault("gender", "")
        disagreements = agreement_errors(
            check, birth_date=values["birth_date"], gender=values["gender"] or None
        )
        header_of = {"birth_date": "出生日期", "gender": "性别"}
        for field_name, reason in disagreements.items():
            shown = values[field_name]
            shown = (
                shown.isoformat()
                if isinstance(shown, datetime.date)
                else _words_writer(GENDER_WORDS)(shown)
            )
            problems.append(Problem(number, header_of[field_name], shown, reason))
        if disagreements:
            return None
        values["birth_date"] = values["birth_date"] or check.birth_date
        values["gender"] = values["gender"] or check.gender
    elif not values.get("gender"):
        problems.append(Problem(number, "性别", "", _("Required for this ID type.")))
        return None
    return parsed


_RECORD_FIELDS = frozenset(RECORD_FIELDS)


# --- Writing -----------------------------------------------------------------------------


def record_to_row(record: dict[str, Any]) -> list[Any]:
    """A register record (field -> value, with `bureau_code`) as the file's cells."""
    return [column.write(record.get(column.field)) for column in COLUMNS]


def iter_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text in pieces, starting with a BOM so that Excel on Chinese Windows reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, record in enumerate(records, 1):
        writer.writerow(spreadsheets.csv_row(record_to_row(record)))
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def iter_json(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of objects keyed by the Chinese column names, in pieces."""
    yield "["
    for count, record in enumerate(records):
        yield (
            ("," if count else "")
            + "\n"
            + json.dumps(dict(zip(HEADERS, record_to_row(record), strict=True)), ensure_ascii=False)
        )
    yield "\n]\n"


def write_xlsx(records: Iterable[dict[str, Any]], out) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("会计从业人员")
    sheet.append(spreadsheets.xlsx_row(sheet, HEADERS, font=Font(bold=True)))
    for record in records:
        # Every cell is text: long numbers must not become floats, nor values formulas.
        sheet.append(spreadsheets.xlsx_row(sheet, record_to_row(record)))
    workbook.save(out)


def write_problems(problems: Iterable[Problem], out) -> None:
    """The problems of an import as a CSV file (out: text, newline=""), for the bureau's Excel."""
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "值", "原因"])
    for p in problems:
        writer.writerow(spreadsheets.csv_row([p.row, p.column, p.value, p.reason]))


TEXT_FORMATS = {"csv": iter_csv, "json": iter_json}
FORMATS = ("xlsx", "csv", "json")


def write_file(fmt: str, records: Iterable[dict[str, Any]], out) -> None:
    """Write records as `fmt` to `out` (a binary file for xlsx; text for csv and json)."""
    if fmt == "xlsx":
        write_xlsx(records, out)
        return
    for piece in TEXT_FORMATS[fmt](records):
        out.write(piece)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
