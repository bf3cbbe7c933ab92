"""The rules of an application, in one place: the practitioner's form, `submit_application` and
the counter's corrections all call them.

Two layers, as the house style has it:

- `field()`: the form field of one application field, which reads the value by the record's
  rulebook (practitioners.fieldrules: the same as the register import's), with messages in the
  user's words; here only which fields a submission must fill in;
- `draft_errors()`: the one rule a draft meets (kept as typed, complete or not): no value
  longer than its field of the record holds;
- `record_errors()`: the rules that span fields or rows, on values already read: a declared
  title needs its certificate, dates after the birth date, the ID number valid for its type and
  agreeing with birth date and gender (Practitioner.clean), and no other person holding the
  same number. Apart from the ID number's, the register import does not apply these: see
  practitioners.fieldrules.

`errors()` runs both on a whole set of values: what the services check before they write.
"""

import datetime
from copy import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from collection.constants import APPLICATION_FIELDS
from practitioners import fieldrules
from practitioners.constants import IdType, TitleLevel
from practitioners.models import Practitioner
from practitioners.validators import MAX_LENGTH_MESSAGE

REQUIRED_AT_SUBMIT = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_type",
    "id_number",
    "education",
    "mobile",
    "address",
)
DATE_FIELDS = fieldrules.DATE_FIELDS
# The certificate number is the bureau's own key: shown, corrected only by staff.
READ_ONLY_FIELDS = ("cert_number",)

MESSAGES = {
    "max_length": MAX_LENGTH_MESSAGE,
    "required": _("Required."),
    "invalid_choice": fieldrules.CHOOSE_ONE,
}

# Choices that start empty ("—"), so that nobody's gender or education is picked for them.
_CHOOSE_ONE = ("gender", "id_type", "education")


def field(name: str, *, widget: forms.Widget | None = None) -> forms.Field:
    """The form field that reads and checks one application field (`widget`: how a form
    shows it)."""
    options: dict[str, Any] = {
        "required": name in REQUIRED_AT_SUBMIT,
        "error_messages": dict(MESSAGES),
    }
    if widget is not None:
        options["widget"] = widget
    made = fieldrules.formfield(name, **options)
    if name in _CHOOSE_ONE:
        made.choices = [("", "—")] + [c for c in made.choices if c[0] != ""]
    return made


# A date of a draft is kept as typed until submit: at most this many characters (2011年06月30日
# and every other way read_date reads are shorter).
DRAFT_DATE_LENGTH = 20
# The characters a draft may hold beyond a field's length, counted as typed: the spaces and the
# +86 people type in a code ("+86 139 7712 3456" is a mobile of 11), read away on submit.
DRAFT_TYPING_ROOM = 10


def draft_length(name: str) -> int:
    """The most characters a draft's value of `name` may count once read (its field's length)."""
    if name in DATE_FIELDS:
        return DRAFT_DATE_LENGTH
    return Practitioner._meta.get_field(name).max_length


def draft_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """The length rule on a draft's typed values (field -> messages; yes/no values pass).

    A draft keeps what was typed, valid or not, but never more than the record can hold: the
    value as a submission would read it (fieldrules.normalize) is measured against the field's
    length with the submission's message, and the text as typed, which is what a draft
    stores, may be at most DRAFT_TYPING_ROOM longer (a run of spaces reads as nothing)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name not in _DRAFT_FIELDS or not isinstance(value, str):
            continue
        limit = draft_length(name)
        read = value.strip() if name in DATE_FIELDS else fieldrules.normalize(name, value)
        if len(read) > limit:
            count = len(read)
        elif len(value) > limit + DRAFT_TYPING_ROOM:
            count = len(value)
        else:
            continue
        errors[name] = [str(MAX_LENGTH_MESSAGE) % {"limit_value": limit, "show_value": count}]
    return errors


_DRAFT_FIELDS = frozenset(APPLICATION_FIELDS) - frozenset(fieldrules.YES_NO_FIELDS)


DRAFT_DATE_KEPT = _("Your draft keeps it as typed; correct it before you submit.")


def unreadable_dates(values: dict[str, Any]) -> dict[str, list[str]]:
    """The dates of a draft that read as no date (field -> messages), such as 2011-13-45.

    A draft keeps them as typed rather than dropping them: the form shows them again with
    the message a submission would give, so the person sees what to correct."""
    errors: dict[str, list[str]] = {}
    for name in DATE_FIELDS:
        value = values.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            fieldrules.read_date(value)
        except ValidationError as exc:
            errors[name] = [*exc.messages, str(DRAFT_DATE_KEPT)]
    return errors


def record_errors(values: dict[str, Any], *, practitioner: Practitioner) -> dict[str, list[str]]:
    """Rules across fields and against the register, on read values (field -> messages)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    title = values.get("title_level")
    if title and title != TitleLevel.NONE:
        for name in ("title_cert_number", "title_date"):
            if not values.get(name):
                add(name, _("Required when you declare a professional title."))
    if values.get("in_accounting_post") and not values.get("employer"):
        add("employer", _("Give your employer when you work in an accounting post."))
    # A date in the future is each date's own rule (fieldrules), checked as it was read.
    birth = values.get("birth_date")
    for name in DATE_FIELDS:
        value = values.get(name)
        if not isinstance(value, datetime.date):
            continue
        if birth and name != "birth_date" and value <= birth:
            add(name, _("This date is before the date of birth."))
    id_type = values.get("id_type")
    if id_type and id_type != IdType.RESIDENT_ID and not values.get("gender"):
        add("gender", _("Required."))
    if "id_number" in values and "id_type" in values and "id_number" not in errors:
        # The ID rules, agreement with birth date and gender, and no other person holding the
        # same numbers: the model's own checks, on a copy (the record changes only when the
        # counter confirms). Its check constraints (gender and ID type among the choices) are
        # the fields' choices, which full_clean checks in Python: asking the database as well
        # would cost three round trips each.
        candidate = copy(practitioner)
        for name in APPLICATION_FIELDS:
            if name in values:
                setattr(candidate, name, values[name])
        try:
            candidate.full_clean(
                exclude=[f for f in _MODEL_FIELDS if f not in values], validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name in APPLICATION_FIELDS and name not in errors:
                    for message in messages:
                        add(name, message)
    return errors


_MODEL_FIELDS = [f.name for f in Practitioner._meta.concrete_fields if not f.primary_key]


def errors(values: dict[str, Any], *, practitioner: Practitioner) -> dict[str, list[str]]:
    """Every rule of a complete application, on read values (dates as dates): each field's
    own, then those across fields and rows. Empty when the application may be submitted."""
    return checked(values, practitioner=practitioner)[1]


def checked(
    values: dict[str, Any], *, practitioner: Practitioner
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values as the rules read them (normalised: what a service stores) and every rule's
    messages (field -> messages, empty when the application may be submitted)."""
    found: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in APPLICATION_FIELDS:
        if name in READ_ONLY_FIELDS:
            cleaned[name] = values.get(name, getattr(practitioner, name))
            continue
        try:
            cleaned[name] = field(name).clean(values.get(name))
        except ValidationError as exc:
            found[name] = [str(m) for m in exc.messages]
    for name, messages in record_errors(cleaned, practitioner=practitioner).items():
        if name not in found:
            found[name] = messages
    return cleaned, found


def read_text(name: str, text: str) -> Any:
    """One value as the counter types it (a yes/no as 是 or 否, in the register file's words),
    read by the field's rules; ValidationError with the reason when it cannot be."""
    if name in fieldrules.YES_NO_FIELDS:
        return fieldrules.read_yes_no(text)
    return field(name).clean(text)
