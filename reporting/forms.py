from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.constants import PLAN_MAX_BYTES, PLAN_SUMMARY_MAX, PlanStatus, SheetStatus

ACCEPTED_FILES = ".pdf,.docx,.doc,.wps,.odt"


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan document"),
        help_text=_("PDF, Word (DOCX or DOC), WPS or ODT, A4, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=PLAN_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few lines: publicity, staff, schedule, how the counter is organised."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > PLAN_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (PlanStatus.ACKNOWLEDGED, _("Acknowledge (file for the record)")),
            (PlanStatus.RETURNED, _("Return for changes")),
        ],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments for the county"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when returning the plan."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class SheetForm(forms.Form):
    staff = forms.CharField(
        label=_("Staff assigned"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who works on the collection, at the counter and on the phone."),
    )
    counter_days = forms.CharField(
        label=_("Counter days"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Days and hours the counter confirmed this week."),
    )
    problems = forms.CharField(
        label=_("Problems"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_week = forms.CharField(
        label=_("Next week's plan"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class SheetDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (SheetStatus.ACCEPTED, _("Accept")),
            (SheetStatus.RETURNED, _("Return for correction")),
        ],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Feedback for the county"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when returning the sheet."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(forms.Form):
    week = forms.CharField(widget=forms.HiddenInput)
    # Set by the preview's button only: without it the publish page shows the preview first.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
