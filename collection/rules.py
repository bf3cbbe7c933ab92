"""The rules of an application, in one place: the practitioner's form, `submit_application` and
the counter's corrections all call them.

Two layers, as the house style has it:

- `field()`: the form field of one application field, which reads the input's shape (a date, a
  choice, digits) and checks the rules of that one value (length, characters, check digits),
  with messages in the user's words;
- `record_errors()`: the rules that span fields or rows, on values already read: a declared
  title needs its certificate, dates in order, the ID number valid for its type and agreeing
  with birth date and gender (Practitioner.clean), and no other person holding the same number.

`errors()` runs both on a whole set of values: what the services check before they write.
"""

import datetime
from copy import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection.constants import APPLICATION_FIELDS
from practitioners.constants import ETHNIC_GROUPS, IdType, TitleLevel
from practitioners.idnumbers import normalize_id_number
from practitioners.models import Practitioner
from practitioners.validators import MAX_LENGTH_MESSAGE, normalize_mobile, validate_plain_text

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
# Free text that goes onto the printed form and to the national system.
PLAIN_TEXT_FIELDS = (
    "name",
    "major",
    "school",
    "title_cert_number",
    "employer",
    "position",
    "address",
)
DATE_FIELDS = ("birth_date", "cert_issue_date", "graduation_date", "title_date")
# The certificate number is the bureau's own key: shown, corrected only by staff.
READ_ONLY_FIELDS = ("cert_number",)

MESSAGES = {
    "max_length": MAX_LENGTH_MESSAGE,
    "required": _("Required."),
    "invalid_choice": _("Choose one of the listed values."),
}
DATE_MESSAGES = {"invalid": _("Not a date; write it like 2011-06-30.")}

# Choices that start empty ("—"), so that nobody's gender or education is picked for them.
_CHOOSE_ONE = ("gender", "id_type", "education")
_NORMALIZERS = {
    "id_number": normalize_id_number,
    "cert_number": normalize_id_number,
    "mobile": normalize_mobile,
}


class _Normalized(forms.CharField):
    """A text field whose value is normalised as it is read (full-width digits, spaces, x)."""

    def __init__(self, *, normalize, **kwargs):
        self.normalize = normalize
        super().__init__(**kwargs)

    def to_python(self, value):
        return self.normalize(super().to_python(value) or "")


def field(name: str, *, widget: forms.Widget | None = None) -> forms.Field:
    """The form field that reads and checks one application field (`widget`: how a form
    shows it)."""
    model_field = Practitioner._meta.get_field(name)
    options: dict[str, Any] = {
        "required": name in REQUIRED_AT_SUBMIT,
        "error_messages": dict(MESSAGES),
    }
    if widget is not None:
        options["widget"] = widget
    if name == "ethnicity":
        made = forms.ChoiceField(choices=[("", "—")] + [(e, e) for e in ETHNIC_GROUPS], **options)
    elif name in _NORMALIZERS:
        made = _Normalized(
            normalize=_NORMALIZERS[name], max_length=model_field.max_length, **options
        )
        # The length is checked once normalised: "+86 139 7712 3456" or an ID number typed in
        # groups must be typable in full.
        made.widget.attrs.pop("maxlength", None)
    else:
        made = model_field.formfield(**options)
    # The model's own validators of the value (check characters, formats); the form field
    # already checks the length and, for an email, the address, in the words of MESSAGES.
    made.validators.extend(
        v
        for v in model_field.validators
        if not isinstance(v, MaxLengthValidator | EmailValidator) and v not in made.validators
    )
    if name in DATE_FIELDS:
        made.error_messages.update(DATE_MESSAGES)
    made.label = model_field.verbose_name
    if name in _CHOOSE_ONE:
        made.choices = [("", "—")] + [c for c in made.choices if c[0] != ""]
    if name in PLAIN_TEXT_FIELDS:
        made.validators.append(validate_plain_text)
    return made


def record_errors(values: dict[str, Any], *, practitioner: Practitioner) -> dict[str, list[str]]:
    """Rules across fields and against the register, on read values (field -> messages)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    today = timezone.localdate()
    title = values.get("title_level")
    if title and title != TitleLevel.NONE:
        for name in ("title_cert_number", "title_date"):
            if not values.get(name):
                add(name, _("Required when you declare a professional title."))
    if values.get("in_accounting_post") and not values.get("employer"):
        add("employer", _("Give your employer when you work in an accounting post."))
    birth = values.get("birth_date")
    for name in DATE_FIELDS:
        value = values.get(name)
        if not isinstance(value, datetime.date):
            continue
        if value > today:
            add(name, _("This date is in the future."))
        elif birth and name != "birth_date" and value <= birth:
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
    return found


_YES = {"是", "有", "yes", "y", "true", "1", "on"}
_NO = {"否", "无", "no", "n", "false", "0", "off", ""}


def read_text(name: str, text: str) -> Any:
    """One value as the counter types it (a yes/no as 是 or 否), read by the field's rules;
    ValidationError with the reason when it cannot be."""
    made = field(name)
    if isinstance(made, forms.BooleanField):
        word = text.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise ValidationError(_("Write 是 (yes) or 否 (no)."))
    return made.clean(text)
