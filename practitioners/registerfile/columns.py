"""The register file's columns: their headers, the old system's words for coded values, and
how a cell is read and written.

The bottom of the package: it knows nothing of files, limits or the database. A cell is read
in two steps: the file's own ways of writing a value (the old system's Chinese words for
choices, Excel's dates and numbers) here, then the record's rules of that field, the same as
every form's (practitioners.fieldrules, applied by rows.parse_row).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from practitioners import fieldrules
from practitioners.constants import (
    ETHNIC_GROUPS,
    RECORD_FIELDS,
    AbacusLevel,
    Education,
    Gender,
    IdType,
    TitleLevel,
)
from practitioners.idnumbers import normalize_id_number
from practitioners.models import Practitioner
from practitioners.validators import MAX_LENGTH_MESSAGE

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
    """ISO dates, which every spreadsheet reads as dates and parse_date reads back."""
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    """One column of the register file: its header, the field it fills, how it is read and
    written. Reading and writing are kept side by side so that an export imports unchanged."""

    header: str
    field: str
    # The file's way of writing a value -> the value; a field of the record is then cleaned by
    # its rules (fieldrules.clean, in parse_row).
    parse: Callable[[Any], Any]
    write: Callable[[Any], Any]
    required: bool = False

    @property
    def label(self) -> str:
        """What the column holds, in the reader's language (the header is the file's own word,
        Chinese in every language)."""
        if self.field in _EARLIER_LABELS:
            return str(_EARLIER_LABELS[self.field])
        return capfirst(Practitioner.field_label(self.field))


_EARLIER_LABELS = {
    "bureau_code": gettext_lazy("Code of the issuing bureau"),
    "on_post_since": gettext_lazy("Date started in an accounting post"),
    "education_hours": gettext_lazy("Continuing education hours per year"),
}


def _choice(words: dict, default: Any = ""):
    """A reader of a coded value: the old system's words, or our own codes (any case), since
    bureaus mix the two; anything else is refused naming the words to use."""
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
    """A number written as digits (certificate numbers, credit codes): Excel may have stored
    it as a number, 123.0, which is fine; 123.5 is not a code."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(_("Not a valid number."))
    return clean_text(value)


def _parse_bureau_code(value: Any) -> str:
    """A bureau's six-digit code; checked here because it is not a field of the record (the
    import looks the bureau up)."""
    code = normalize_id_number(_parse_code(value))
    if len(code) > 6:
        raise CellError(MAX_LENGTH_MESSAGE % {"limit_value": 6, "show_value": len(code)})
    return code


def _words_writer(words: dict):
    """A writer of a coded value as the old system's word, so that its users read it."""
    canonical = _first_word(words)
    return lambda value: canonical.get(value, "")


def write_yes_no(value: Any) -> str:
    """A yes/no field as 是 or 否: the words the import reads (fieldrules.YES_NO_WORDS) and the
    ones the template lists, so that what goes in as 是/否 comes out as 是/否."""
    return "是" if value else "否"


def _identity(value: Any) -> Any:
    """Written as it is; None, a field left blank, as an empty cell."""
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
    Column("会计电算化证", "has_computing_cert", clean_text, write_yes_no),
    Column("工作单位", "employer", clean_text, _identity),
    Column("统一社会信用代码", "employer_credit_code", _parse_code, _identity),
    Column("职务", "position", clean_text, _identity),
    Column("是否在岗", "in_accounting_post", clean_text, write_yes_no),
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
    """Continuing education done before the system, as 2023:24；2024:36 (year and hours). A
    year given twice is a problem, not a choice between the two: the file must say which."""
    text = clean_text(value)
    if not text:
        return []
    items: list[tuple[int, Decimal]] = []
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
        if any(year == seen for seen, _hours in items):
            raise CellError(
                _("%(year)d is given twice; give each year once, with all its hours.")
                % {"year": year}
            )
        items.append((year, hours))
    return items


def _write_education_hours(items) -> str:
    """The inverse of parse_education_hours."""
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

# The values a coded column takes, as the template lists them (header -> words): the first word
# of each value (the import also reads the others, and our codes), every ethnic group, 是/否.
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "性别": tuple(_first_word(GENDER_WORDS).values()),
    "民族": ETHNIC_GROUPS,
    "证件类型": tuple(_first_word(ID_TYPE_WORDS).values()),
    "学历": tuple(_first_word(EDUCATION_WORDS).values()),
    "职称": tuple(_first_word(TITLE_WORDS).values()),
    "珠算等级": tuple(_first_word(ABACUS_WORDS).values()),
    "会计电算化证": ("是", "否"),
    "是否在岗": ("是", "否"),
}

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


def clean_header(value: Any) -> str:
    """A header as the file wrote it -> the column's name: no spaces, no required-marks (*),
    and an old export's other spelling (HEADER_ALIASES) replaced by ours."""
    text = clean_text(value).replace(" ", "").replace("*", "").replace("＊", "")
    return HEADER_ALIASES.get(text, text)
