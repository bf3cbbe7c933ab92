from django import forms
from django.utils.translation import gettext_lazy as _

from collection import rules
from collection.constants import APPLICATION_FIELDS, ApplicationKind, ApplicationStatus
from confirmation.constants import ReturnReason
from confirmation.models import PrintSettings
from core.forms import DayField
from practitioners.models import Practitioner


class CounterSearchForm(forms.Form):
    q = forms.CharField(
        label=_(
            "Scan the form's QR code, or type a reference, ID or certificate number, or a name"
        ),
        max_length=60,
        required=False,
        error_messages={"max_length": rules.MESSAGES["max_length"]},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "autofocus": True,
                "autocomplete": "off",
                "type": "search",
                "enterkeyhint": "search",
                "id": "counter-q",
                "placeholder": _("Scan or type, then Enter"),
            }
        ),
    )


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=ApplicationKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (ApplicationStatus.SUBMITTED, ApplicationStatus.SUBMITTED.label),
            (ApplicationStatus.RETURNED, ApplicationStatus.RETURNED.label),
            (ApplicationStatus.CONFIRMED, ApplicationStatus.CONFIRMED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    day = DayField(
        label=_("Submitted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    identity = forms.BooleanField(
        label=_("Identity changes only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class OwnIds:
    """The review page shows three decision forms, each with a `revision` and two with a
    `reason`: each form's element ids start with its own `id_prefix` ("return-reason"), so that
    no id is shared and every label names its own field. Field names (what is POSTed) stay."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ConfirmForm(OwnIds, forms.Form):
    """The originals checklist; the view adds one checkbox per required tick."""

    id_prefix = "confirm"

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, ticks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in ticks:
            self.fields[f"tick_{key}"] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> set[str]:
        return {
            name.removeprefix("tick_")
            for name, value in self.cleaned_data.items()
            if name.startswith("tick_") and value
        }


class CloseForm(OwnIds, forms.Form):
    """Close a change request that no longer changes anything: only the revision it was seen at."""

    id_prefix = "close"
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(OwnIds, forms.Form):
    id_prefix = "return"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—")] + list(ReturnReason.choices), required=False
    )
    note = forms.CharField(
        label=_("Note for the practitioner"),
        required=False,
        max_length=500,
        error_messages={"max_length": rules.MESSAGES["max_length"]},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reason") and not (cleaned.get("note") or "").strip():
            self.add_error("reason", _("Choose a reason or write a note for the practitioner."))
        elif (
            cleaned.get("reason") == ReturnReason.OTHER and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", _("Write the reason in the note."))
        return cleaned


def _correctable_fields():
    labels = {f.name: f.verbose_name for f in Practitioner._meta.fields}
    return [("", "—")] + [
        (f, labels[f]) for f in APPLICATION_FIELDS if f not in rules.READ_ONLY_FIELDS
    ]


class CorrectionForm(OwnIds, forms.Form):
    id_prefix = "correction"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    field = forms.ChoiceField(label=_("Field"), choices=_correctable_fields)
    value = forms.CharField(
        label=_("Correct value"),
        max_length=200,
        required=False,
        help_text=_("A date like 2011-06-30; yes or no as 是 or 否."),
        error_messages={"max_length": rules.MESSAGES["max_length"]},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"max_length": rules.MESSAGES["max_length"]},
    )


class ReprintForm(forms.Form):
    reason = forms.CharField(label=_("Reason for printing again"), max_length=200, required=False)


class PrintSettingsForm(forms.ModelForm):
    class Meta:
        model = PrintSettings
        fields = ["page_width_mm", "page_height_mm", "offset_x_mm", "offset_y_mm"]


class DayForm(forms.Form):
    day = DayField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
