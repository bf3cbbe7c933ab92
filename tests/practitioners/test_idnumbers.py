import datetime

import pytest

from practitioners.constants import Gender, IdType
from practitioners.idnumbers import (
    agreement_errors,
    check_id_number,
    mask_id_number,
    normalize_id_number,
)


def test_valid_number_with_x_check_digit_passes():
    check = check_id_number("11010519491231002X")
    assert check.ok
    assert check.birth_date == datetime.date(1949, 12, 31)
    assert check.gender == Gender.FEMALE


def test_valid_nanning_number_gives_birth_date_and_gender():
    check = check_id_number("450103199001013428")
    assert check.ok and not check.warnings
    assert check.birth_date == datetime.date(1990, 1, 1)
    assert check.gender == Gender.FEMALE


def test_wrong_check_digit_is_an_error_naming_the_expected_digit():
    check = check_id_number("110105194912310021")
    assert not check.ok
    assert "check digit" in check.errors[0]
    assert "X" in check.errors[0]


def test_impossible_date_is_an_error():
    check = check_id_number("110105194902300020")
    assert not check.ok
    assert "1949-02-30" in check.errors[0]


def test_future_birth_date_is_an_error():
    check = check_id_number("450103209901013427", today=datetime.date(2026, 11, 27))
    assert not check.ok


@pytest.mark.parametrize("raw, count", [("45010319900101342", 17), ("4501031990010134281", 19)])
def test_wrong_length_is_an_error_saying_the_length(raw, count):
    check = check_id_number(raw)
    assert not check.ok
    assert str(count) in check.errors[0]


def test_letters_inside_the_number_are_an_error():
    check = check_id_number("4501031990A1013428")
    assert not check.ok
    assert "17 digits" in check.errors[0]


def test_unknown_region_is_accepted_with_a_warning():
    body = "99999919900101342"
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    check = check_id_number(number)
    assert check.ok
    assert "999999" in check.warnings[0]


def test_region_created_after_the_birth_year_is_not_a_warning():
    # 西乡塘区 450107 exists since 2004; people born earlier carry it after re-registering.
    check = check_id_number("450107198004105230")
    assert check.ok and not check.warnings


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105 19491231 002x",
        " 11010519491231002x\u3000",
        "110105194912310\u200b02X",
    ],
)
def test_full_width_digits_spaces_and_lower_case_x_are_normalised(raw):
    assert normalize_id_number(raw) == "11010519491231002X"
    assert check_id_number(raw).ok


def test_declared_birth_date_and_gender_must_agree_with_the_number():
    check = check_id_number("450103199001013428")
    errors = agreement_errors(check, birth_date=datetime.date(1990, 1, 2), gender=Gender.MALE)
    assert set(errors) == {"birth_date", "gender"}
    assert agreement_errors(check, birth_date=datetime.date(1990, 1, 1), gender=Gender.FEMALE) == {}


def test_passport_numbers_are_checked_for_shape_only():
    assert check_id_number("E12345678", IdType.PASSPORT).ok
    assert not check_id_number("E1", IdType.PASSPORT).ok


def test_empty_number_is_required():
    assert not check_id_number("   ").ok


def test_masking_keeps_region_and_last_four():
    assert mask_id_number("450103199001013428") == "450103********3428"
    assert mask_id_number("E12345678") == "E1*****78"


@pytest.mark.django_db
def test_model_clean_refuses_a_bad_number_and_a_disagreeing_birth_date(practitioner_a):
    from django.core.exceptions import ValidationError

    practitioner_a.id_number = practitioner_a.id_number[:-1] + (
        "0" if practitioner_a.id_number[-1] != "0" else "1"
    )
    with pytest.raises(ValidationError) as excinfo:
        practitioner_a.full_clean()
    assert "id_number" in excinfo.value.message_dict
    practitioner_a.refresh_from_db()
    practitioner_a.birth_date = datetime.date(1900, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        practitioner_a.full_clean()
    assert "birth_date" in excinfo.value.message_dict


@pytest.mark.django_db
def test_model_clean_normalises_a_typed_number(practitioner_a):
    number = practitioner_a.id_number
    practitioner_a.id_number = number.translate(
        {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}
    ).lower()
    practitioner_a.full_clean()
    assert practitioner_a.id_number == number
