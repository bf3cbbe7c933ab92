from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from business.models import EducationRecord, OnPostRegistration
from practitioners import fieldrules

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What an approved registration writes into the record: each read by that field's rules.
RECORD_FIELD_OF = {
    "employer": "employer",
    "employer_credit_code": "employer_credit_code",
    "post": "position",
}


def _on_post_formfield(db_field, **kwargs) -> forms.Field | None:
    options = {
        "label": capfirst(db_field.verbose_name),
        "required": not db_field.blank,
        "widget": kwargs.get("widget"),
    }
    if db_field.name in RECORD_FIELD_OF:
        return fieldrules.formfield(RECORD_FIELD_OF[db_field.name], **options)
    if db_field.name == "start_date":
        return fieldrules.RecordDateField(**options)  # a date of the record's kind
    return db_field.formfield(**kwargs)


class OnPostForm(forms.ModelForm):
    class Meta:
        model = OnPostRegistration
        fields = ["employer", "employer_credit_code", "post", "start_date"]
        formfield_callback = _on_post_formfield
        widgets = {
            "start_date": DATE_INPUT,
            "employer": forms.TextInput(attrs={"autocomplete": "organization"}),
        }


class EducationForm(forms.ModelForm):
    class Meta:
        model = EducationRecord
        fields = ["year", "hours", "provider", "content"]
        widgets = {
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "hours": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].required = True
        self.fields["content"].required = True
        self.initial.setdefault("year", timezone.localdate().year)


class DecisionForm(forms.Form):
    # Only the button pressed says what to do: a post without it (a reason box's Enter in an old
    # page, a hand-made request) decides nothing.
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return"))],
        error_messages={"required": _("Press Approve or Return: nothing was decided.")},
    )
    reason = forms.CharField(
        label=_("Reason for return"), max_length=500, required=False, strip=True
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "return" and not cleaned.get("reason"):
            self.add_error("reason", _("Write the reason for the practitioner."))
        return cleaned


class FlaggedExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel")])
