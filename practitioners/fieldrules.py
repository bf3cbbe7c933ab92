"""One rulebook per field of the register record: how a value is normalised and which rules it
must meet, whichever way it arrives.

(Just over 400 lines on purpose: the point of the rulebook is that every field's rules are read
in one place.)

The register import (practitioners.registerfile), the application and change forms and the
counter's corrections (collection.rules), the staff form that adds a person
(practitioners.forms) and the on-post registration (business.forms) all read a value through
`clean`, so that they give it the same verdict and store it the same way: what the counter
confirmed, the bureau's export imports again, and what the import took, the forms take.

Rules of one value, applied on every path (here):

- text (name, major, school, employer, position, address, email): zero-width characters and
  byte-order marks removed, a run of white space holding a tab or a line break made one space,
  the ends stripped; then at most the model field's max_length characters, and plain text (no
  control characters or emoji: the national system and the printed forms cannot carry them).
  A name has no digits or punctuation; an email is one that Django's validate_email accepts.
- codes (id_number, cert_number, title_cert_number, employer_credit_code, mobile, postcode):
  full-width digits and letters made ASCII, spaces removed, letters upper-case, and a mobile
  without +86; then the code's own shape (credit code with its check character, a mainland
  mobile, six digits) or, for the others, the length and plain text.
- choices: one of the model field's choices, their codes in any case (ethnicity: one of
  ETHNIC_GROUPS, 汉 read as 汉族).
- dates: from 1900-01-01 to today; `read_date` reads the ways people write one.
- yes/no: a bool; `read_yes_no` reads YES_NO_WORDS.

Empty passes here: which fields must be filled in depends on the path.

Rules across fields or rows, applied by each path itself:

- the ID number's own rule (idnumbers.check_id_number) needs the ID type, and what it finds
  (birth date, gender) is compared with the record's: Practitioner.clean (the forms, through
  collection.rules.record_errors and ModelForm) and registerfile.parse_row both apply the two
  together, on every path. Here the ID number is only normalised and its length checked.
- no other person holding the same ID or certificate number: every path.
- what must be filled in: each path's own (a register file's row: name, ID type and number,
  certificate number and bureau; the staff form: what the model requires; an on-post
  registration: employer, post and date; a submission: collection.rules.REQUIRED_AT_SUBMIT).
- the completeness of a submission (a declared title with its certificate number and date, an
  employer for someone in an accounting post, dates after the birth date): collection.rules.
  record_errors only, for the application and change forms and the counter's corrections.
  The register import does not apply them: a bureau's old data may lack a title certificate
  number, and completing the record is what the collection is for.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from practitioners.constants import ETHNIC_GROUPS, ETHNIC_NAMES, RECORD_FIELDS
from practitioners.idnumbers import normalize_id_number
from practitioners.models import Practitioner
from practitioners.validators import (
    MAX_LENGTH_MESSAGE,
    normalize_mobile,
    validate_credit_code,
    validate_mobile,
    validate_plain_text,
    validate_postcode,
)

TEXT_FIELDS = ("name", "major", "school", "employer", "position", "address", "email")
CODE_FIELDS = (
    "id_number",
    "cert_number",
    "title_cert_number",
    "employer_credit_code",
    "mobile",
    "postcode",
)
CHOICE_FIELDS = ("gender", "ethnicity", "id_type", "education", "title_level", "abacus_level")
DATE_FIELDS = ("birth_date", "cert_issue_date", "graduation_date", "title_date")
YES_NO_FIELDS = ("has_computing_cert", "in_accounting_post")
assert sorted(TEXT_FIELDS + CODE_FIELDS + CHOICE_FIELDS + DATE_FIELDS + YES_NO_FIELDS) == sorted(
    RECORD_FIELDS
), "every field of the record has one kind of rule"

EARLIEST_DATE = datetime.date(1900, 1, 1)

# Every way the register file and the counter write yes and no (upper-case: read in any case).
YES_NO_WORDS = {
    "是": True,
    "否": False,
    "有": True,
    "无": False,
    "Y": True,
    "N": False,
    "YES": True,
    "NO": False,
    "TRUE": True,
    "FALSE": False,
    "1": True,
    "0": False,
    "ON": True,
    "OFF": False,
}

NOT_A_DATE = _("Not a date; write it like 2011-06-30.")
CHOOSE_ONE = _("Choose one of the listed values.")


# --- Normalising ------------------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
# White space that breaks a line or a table cell; the spaces of Unicode's Zs are kept as typed.
_BREAKING_SPACE = re.compile(r"\s*[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]\s*")
_FULLWIDTH_DATE = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH_DATE.update({ord("－"): ord("-"), ord("／"): ord("/"), ord("．"): ord(".")})


def normalize_text(value: str) -> str:
    """Zero-width characters and BOMs removed, a run of white space holding a tab or a line
    break made one space, the ends stripped."""
    if not value.isprintable():  # rare: zero-width characters, tabs, line breaks, odd spaces
        value = _BREAKING_SPACE.sub(" ", _ZERO_WIDTH.sub("", value))
    return value.strip()


def _normalize_code(value: str) -> str:
    if not value.isascii():
        value = _ZERO_WIDTH.sub("", value)
    return normalize_id_number(value)


def _normalize_mobile(value: str) -> str:
    if not value.isascii():
        value = _ZERO_WIDTH.sub("", value)
    return normalize_mobile(value)


def _choice_normalizer(field: str) -> Callable[[str], str]:
    codes = {
        str(code).upper(): str(code) for code, _label in Practitioner._meta.get_field(field).choices
    }

    def normalize(value: str) -> str:
        value = value.strip()
        return codes.get(value.upper(), value)

    return normalize


def _normalize_ethnicity(value: str) -> str:
    value = normalize_text(value).replace(" ", "").replace("\u3000", "")
    if value and value not in _ETHNIC_GROUPS and value + "族" in _ETHNIC_GROUPS:
        return value + "族"  # 汉, 壮: how the old system and many people write it
    return value


_ETHNIC_GROUPS = frozenset(ETHNIC_GROUPS)


# --- Checks of one value ----------------------------------------------------------------------

_NAME_BAD = re.compile(
    r"[\d@#$%^&*_=+<>{}\[\]|\\/?!！？，,;；:：\"“”＠＃＄％＾＆＊＿＝＋＜＞｛｝［］｜＼／]"
)


def _check_name(value: str) -> None:
    if _NAME_BAD.search(value):
        raise ValidationError(_("A name cannot contain digits or punctuation."), code="name")


# Plain ASCII addresses, a subset of what validate_email accepts (tests/practitioners/
# test_fieldrules.py checks it): most of the register's, accepted without Django's slower rules.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _check_email(value: str) -> None:
    if not _PLAIN_EMAIL.fullmatch(value):
        validate_email(value)


def _check_choice(choices: frozenset[str], message) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value not in choices:
            raise ValidationError(message, code="invalid_choice")

    return check


@dataclass(frozen=True)
class _Rule:
    normalize: Callable[[str], str]
    max_length: int | None
    checks: tuple[Callable[[str], None], ...]


def _max_length(field: str) -> int:
    return Practitioner._meta.get_field(field).max_length


def _rules() -> dict[str, _Rule]:
    rules = {}
    for field in TEXT_FIELDS:
        checks: tuple[Callable[[str], None], ...] = (validate_plain_text,)
        if field == "name":
            checks += (_check_name,)
        elif field == "email":
            checks += (_check_email,)
        rules[field] = _Rule(normalize_text, _max_length(field), checks)
    for field in ("id_number", "cert_number", "title_cert_number"):
        rules[field] = _Rule(_normalize_code, _max_length(field), (validate_plain_text,))
    # A code with a shape of its own: the shape fixes the length and the characters too, and
    # says what is wrong better than a count of characters does.
    rules["employer_credit_code"] = _Rule(_normalize_code, None, (validate_credit_code,))
    rules["postcode"] = _Rule(_normalize_code, None, (validate_postcode,))
    rules["mobile"] = _Rule(_normalize_mobile, None, (validate_mobile,))
    rules["ethnicity"] = _Rule(
        _normalize_ethnicity,
        None,
        (_check_choice(_ETHNIC_GROUPS, _("Not one of the 56 ethnic groups (e.g. 汉族, 壮族).")),),
    )
    for field in CHOICE_FIELDS:
        if field != "ethnicity":
            codes = frozenset(
                str(code) for code, _label in Practitioner._meta.get_field(field).choices
            )
            rules[field] = _Rule(
                _choice_normalizer(field), None, (_check_choice(codes, CHOOSE_ONE),)
            )
    return rules


_RULES = _rules()


# --- Reading what people type ---------------------------------------------------------------

_DATE_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
)
_DATE_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def read_date(text: str) -> datetime.date | None:
    """A date as people write it: 2011-06-30, 2011/6/30, 2011.6.30, 2011年6月30日, 20110630,
    or a month, 2011年6月 (its first day). None when blank; ValidationError when no date."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass  # e.g. 2011-02-30: the slow path gives the precise message
    if not text.isascii():
        text = text.translate(_FULLWIDTH_DATE)  # what a Chinese input method types
    match = _DATE_YMD.match(text) or _DATE_COMPACT.match(text)
    day_given = True
    if not match:
        match = _DATE_YM.match(text)
        day_given = False
    if not match:
        raise ValidationError(NOT_A_DATE, code="invalid")
    year, month = int(match.group(1)), int(match.group(2))
    day = int(match.group(3)) if day_given else 1
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Not a real date."), code="invalid") from None


def read_yes_no(text: str) -> bool:
    """是 or 否 and the other YES_NO_WORDS, in any case; blank is no."""
    word = text.strip().upper()
    if not word:
        return False
    try:
        return YES_NO_WORDS[word]
    except KeyError:
        raise ValidationError(_("Write 是 (yes) or 否 (no)."), code="yes_no") from None


# --- The rulebook ------------------------------------------------------------------------------


def normalize(field: str, value: str) -> str:
    """A text, code or choice of the record as it is stored: what `clean` checks."""
    return _RULES[field].normalize(value)


def clean_date(value: Any, *, today: datetime.date | None = None) -> datetime.date | None:
    """The rule of every date of the record (and of an on-post registration's start): from
    1900-01-01 to today. Text is read by `read_date`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = read_date(value)
        if value is None:
            return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        raise ValidationError(NOT_A_DATE, code="invalid")
    if value < EARLIEST_DATE:
        raise ValidationError(_("This date is before 1900."), code="too_early")
    if value > (today or timezone.localdate()):
        raise ValidationError(_("This date is in the future."), code="future")
    return value


def clean(field: str, value: Any, *, today: datetime.date | None = None) -> Any:
    """One value of the record, normalised and checked: str for texts, codes and choices (the
    choice's code), a date or None for dates, a bool for yes/no. Text is read for a date or a
    yes/no. ValidationError says what is wrong, in the user's words; empty always passes."""
    if field in _DATES:
        return clean_date(value, today=today)
    if field in _YES_NO:
        return value if isinstance(value, bool) else read_yes_no(value or "")
    rule = _RULES[field]
    if not value:
        return ""
    value = rule.normalize(value if type(value) is str else str(value))
    if not value:
        return value
    if rule.max_length is not None and len(value) > rule.max_length:
        raise ValidationError(
            MAX_LENGTH_MESSAGE,
            code="max_length",
            params={"limit_value": rule.max_length, "show_value": len(value)},
        )
    for check in rule.checks:
        check(value)
    return value


_DATES = frozenset(DATE_FIELDS)
_YES_NO = frozenset(YES_NO_FIELDS)


# --- Form fields that read by the rulebook ---------------------------------------------------


class RuleField(forms.CharField):
    """A text or code field of the record in a form."""

    def __init__(self, field: str, **kwargs):
        self.rule = field
        super().__init__(**kwargs)
        if field in CODE_FIELDS:
            # Checked once normalised: "+86 139 7712 3456" or an ID number typed in groups
            # must be typable in full.
            self.widget.attrs.pop("maxlength", None)

    def to_python(self, value):
        return clean(self.rule, super().to_python(value))


class RuleChoiceField(forms.ChoiceField):
    """A choice of the record in a form."""

    def __init__(self, field: str, **kwargs):
        self.rule = field
        super().__init__(**kwargs)

    def to_python(self, value):
        return clean(self.rule, super().to_python(value))


class RecordDateField(forms.DateField):
    """A date of the record (or like one) in a form: an HTML date input posts 2011-06-30, a
    text input takes whatever `read_date` reads."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, datetime.date):
            value = read_date(str(value))
        return clean_date(value)


def _form_choices(field: str) -> list[tuple[str, Any]]:
    if field == "ethnicity":
        return [("", "—"), *ETHNIC_NAMES.items()]
    model_field = Practitioner._meta.get_field(field)
    choices = list(model_field.choices)
    if any(code == "" for code, _label in choices) or (
        model_field.has_default() and not model_field.blank
    ):
        return choices
    return [("", "—"), *choices]


def formfield(field: str, **kwargs) -> forms.Field:
    """The form field that reads one field of the record by its rules (label, required,
    widget, error_messages: as for any form field; not required unless told)."""
    model_field = Practitioner._meta.get_field(field)
    kwargs.setdefault("label", capfirst(model_field.verbose_name))  # "Name", as Django's own
    kwargs.setdefault("required", False)
    if field in _DATES:
        return RecordDateField(**kwargs)
    if field in _YES_NO:
        kwargs["required"] = False  # an unticked box says no
        return forms.BooleanField(**kwargs)
    if field in CHOICE_FIELDS:
        return RuleChoiceField(field, choices=_form_choices(field), **kwargs)
    return RuleField(field, max_length=model_field.max_length, **kwargs)
