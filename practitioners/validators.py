"""Validators of the register's other numbers: mobile, employer credit code, postcode."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practitioners.idnumbers import normalize_id_number

# Django's own ("Ensure this value has at most…") reads badly in Chinese; every text field's.
MAX_LENGTH_MESSAGE = _("At most %(limit_value)d characters (this has %(show_value)d).")

# ASCII digits only, and nothing after them (\d would take full-width digits, $ a line break):
# the values are normalised before they are checked (practitioners.fieldrules).
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_POSTCODE = re.compile(r"[0-9]{6}")


def normalize_mobile(raw: str) -> str:
    if len(raw) == 11 and raw.isascii() and raw.isdigit():
        return raw
    number = normalize_id_number(raw).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    return number


def validate_mobile(value: str) -> None:
    if value and not _MOBILE.fullmatch(value):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 1."), code="mobile"
        )


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def is_valid_credit_code(value: str) -> bool:
    """GB 32100 unified social credit code: 18 characters, the last a mod-31 check character.

    The same rule as python-stdnum's cn.uscc, written out because imports check it for
    every row and stdnum's version is several times slower.
    """
    if not _USCC_SHAPE.fullmatch(value):
        return False
    total = sum(_USCC_VALUE[c] * w for c, w in zip(value, _USCC_WEIGHTS, strict=False))
    return value[17] == _USCC_ALPHABET[(31 - total) % 31]


def validate_credit_code(value: str) -> None:
    if value and not is_valid_credit_code(value):
        raise ValidationError(
            _("Not a valid unified social credit code (18 characters with a check character)."),
            code="credit_code",
        )


def validate_postcode(value: str) -> None:
    if value and not _POSTCODE.fullmatch(value):
        raise ValidationError(_("A postcode has 6 digits."), code="postcode")


def _is_unprintable(char: str) -> bool:
    code = ord(char)
    if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
        return True
    # Emoji and pictographs (astral CJK such as 𠮷 in names stays allowed).
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0xFE00 <= code <= 0xFE0F


# What _is_unprintable calls an emoji: printable to str.isprintable, so looked for apart.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe00-\ufe0f]")


def validate_plain_text(value: str) -> None:
    """No control characters or emoji: the national system and printed forms cannot carry them."""
    if value.isprintable() and not _EMOJI.search(value):
        return  # nearly every value: no character to look at one by one (imports check many)
    bad = [c for c in value if c not in "\t" and _is_unprintable(c)]
    if bad:
        raise ValidationError(
            _("Remove the characters that cannot be printed (emoji or control characters)."),
            code="unprintable",
        )
