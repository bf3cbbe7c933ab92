"""Validators of the register's other numbers: mobile, employer credit code, postcode."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from practitioners.idnumbers import normalize_id_number

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_POSTCODE = re.compile(r"^\d{6}$")


def normalize_mobile(raw: str) -> str:
    number = normalize_id_number(raw).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    return number


def validate_mobile(value: str) -> None:
    if value and not _MOBILE.match(value):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 1."), code="mobile"
        )


def validate_credit_code(value: str) -> None:
    if value and not uscc.is_valid(value):
        raise ValidationError(
            _("Not a valid unified social credit code (18 characters with a check character)."),
            code="credit_code",
        )


def validate_postcode(value: str) -> None:
    if value and not _POSTCODE.match(value):
        raise ValidationError(_("A postcode has 6 digits."), code="postcode")
