from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from business.models import EducationRecord, OnPostRegistration

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OnPostForm(forms.ModelForm):
    class Meta:
        model = OnPostRegistration
        fields = ["employer", "employer_credit_code", "post", "start_date"]
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
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
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
