"""Identity-document numbers: normalisation and the GB 11643 rules for resident ID numbers.

Hard errors (the number cannot be right): length, characters, check digit, birth date.
Warning only (shown to staff, never a rejection): a region code that is not in the
division list, since real people carry codes of divisions that no longer exist.
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum.cn import ric

from practitioners.constants import Gender, IdType

# Full-width digits and letters (what a Chinese IME types) -> ASCII; spaces of every kind dropped.
_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({ord("Ａ") + i: ord("A") + i for i in range(26)})
_FULLWIDTH.update({ord("ａ") + i: ord("a") + i for i in range(26)})
_FULLWIDTH.update({ord("－"): ord("-")})
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# ASCII digits only (\d would take other scripts' digits), nothing after them ($ takes a "\n").
_RESIDENT_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_OTHER_SHAPE = re.compile(r"[A-Z0-9()\-]{5,20}")
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def normalize_id_number(raw: str | None) -> str:
    """Full-width to ASCII, spaces removed, letters upper-case (x -> X)."""
    if raw is None:
        return ""
    raw = str(raw)
    if raw.isascii() and raw.isalnum():
        return raw.upper()
    return _SPACES.sub("", raw.translate(_FULLWIDTH)).upper()


def looks_like_resident_id(number: str) -> bool:
    """18 characters, 17 digits and a digit or X: meant as a resident ID number (other
    documents' numbers have other shapes)."""
    return bool(_RESIDENT_SHAPE.fullmatch(number))


def mask_id_number(number: str) -> str:
    """`450103199001013428` -> `450103********3428`; short numbers keep only their ends."""
    if len(number) >= 14:
        return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
    if len(number) > 4:
        return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"
    return "*" * len(number)


@dataclass
class IdCheck:
    """The outcome of checking one ID number."""

    number: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: datetime.date | None = None
    gender: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@lru_cache(maxsize=8192)
def _region_known(region: str) -> bool:
    # Known if the division list ever had the code. Not checked against the birth year:
    # people keep numbers of divisions created or renamed after their birth (450107 since 2004).
    from stdnum import numdb

    results = numdb.get("cn/loc").info(region)
    return any("county" in props for _part, props in results)


def check_id_number(
    raw: str | None,
    id_type: str = IdType.RESIDENT_ID,
    *,
    today: datetime.date | None = None,
) -> IdCheck:
    """Normalise and check an ID number of the given type; never raises."""
    number = normalize_id_number(raw)
    result = IdCheck(number=number)
    if not number:
        result.errors.append(_("ID number is required."))
        return result
    if id_type != IdType.RESIDENT_ID:
        if not _OTHER_SHAPE.fullmatch(number):
            result.errors.append(
                _("Document number must be 5 to 20 letters, digits, brackets or hyphens.")
            )
        return result

    if len(number) != 18:
        result.errors.append(
            _("A resident ID number has 18 characters; this one has %(count)d.")
            % {"count": len(number)}
        )
        return result
    if not _RESIDENT_SHAPE.fullmatch(number):
        result.errors.append(_("A resident ID number is 17 digits followed by a digit or X."))
        return result
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        result.errors.append(
            _("The check digit (last character) is wrong: expected %(expected)s.")
            % {"expected": expected}
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        result.errors.append(
            _("The birth date in the number (%(date)s) is not a real date.")
            % {"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"}
        )
        return result
    today = today or datetime.date.today()
    if birth < _EARLIEST_BIRTH or birth > today:
        result.errors.append(
            _("The birth date in the number (%(date)s) is impossible.")
            % {"date": birth.isoformat()}
        )
        return result
    result.birth_date = birth
    result.gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    if not _region_known(number[:6]):
        result.warnings.append(
            _("Region code %(code)s is not in the division list; check it against the ID card.")
            % {"code": number[:6]}
        )
    return result


def agreement_errors(
    check: IdCheck, *, birth_date: datetime.date | None, gender: str | None
) -> dict[str, str]:
    """Declared birth date and gender must agree with a resident ID number: {field: message}."""
    errors: dict[str, str] = {}
    if check.birth_date and birth_date and birth_date != check.birth_date:
        errors["birth_date"] = _(
            "Birth date %(declared)s does not match the ID number (%(expected)s)."
        ) % {"declared": birth_date.isoformat(), "expected": check.birth_date.isoformat()}
    if check.gender and gender and gender != check.gender:
        errors["gender"] = _("Gender does not match the ID number (it says %(expected)s).") % {
            "expected": Gender(check.gender).label
        }
    return errors
