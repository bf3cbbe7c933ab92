from copy import copy

from django import forms
from django.contrib.auth import password_validation
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from collection import photos, rules
from collection.constants import APPLICATION_FIELDS, SECTIONS
from collection.models import Campaign
from core.forms import DayField
from practitioners import fieldrules
from practitioners.constants import CONTACT_FIELDS
from practitioners.idnumbers import check_id_number, looks_like_resident_id, normalize_id_number
from practitioners.models import Bureau, Practitioner

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The application's dates are typed text, not a browser date picker: a picker sends nothing for
# a date it cannot read (2011-02-30), so a draft would silently lose it, and it refuses the ways
# people write a date that the register reads (2011年6月30日: fieldrules.read_date).
TYPED_DATE_INPUT = forms.DateInput(
    attrs={"placeholder": "2011-06-30", "autocomplete": "off", "spellcheck": "false"},
    format="%Y-%m-%d",
)


class NewPasswordForm(forms.Form):
    """Two password fields checked against each other and Django's password validators."""

    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ActivationForm(NewPasswordForm):
    """First use: prove who you are with three things from the certificate, then set a password."""

    field_order = ["name", "id_number", "cert_number", "password1", "password2", "mobile", "email"]

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    cert_number = forms.CharField(label=_("Certificate number"), max_length=40)
    # They fill the application form: read by the record's rules of the two fields.
    mobile = fieldrules.formfield(
        "mobile",
        label=_("Mobile"),
        required=True,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = fieldrules.formfield(
        "email",
        label=_("Email (optional, for password reset)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_id_number(self) -> str:
        number = normalize_id_number(self.cleaned_data["id_number"])
        if looks_like_resident_id(number):
            # The same hint as the application form's (a wrong check digit, an impossible
            # birth date), rather than "no record" for a number that cannot exist.
            check = check_id_number(number)
            if not check.ok:
                raise forms.ValidationError(check.errors)
        return number

    def clean_cert_number(self) -> str:
        return normalize_id_number(self.cleaned_data["cert_number"])

    def clean_name(self) -> str:
        return self.cleaned_data["name"].replace(" ", "").replace("\u3000", "")


class ApplicationForm(forms.Form):
    """The application (申请表): the record's fields, pre-filled, corrections allowed.

    Its fields and rules are collection.rules'. Bound with `draft=True` (the 保存草稿 button),
    it checks only the draft's rule, that no value is longer than its field holds
    (rules.draft_errors), and otherwise keeps whatever was typed; every rule applies on submit.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput)

    WIDGETS = {
        "birth_date": TYPED_DATE_INPUT,
        "cert_issue_date": TYPED_DATE_INPUT,
        "graduation_date": TYPED_DATE_INPUT,
        "title_date": TYPED_DATE_INPUT,
        "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        "postcode": forms.TextInput(attrs={"inputmode": "numeric"}),
        "id_number": forms.TextInput(attrs={"autocomplete": "off", "class": "font-monospace"}),
        "address": forms.Textarea(attrs={"rows": 2}),
        "employer": forms.Textarea(attrs={"rows": 2}),
    }

    def __init__(
        self, *args, practitioner: Practitioner, read_only=(), draft: bool = False, **kwargs
    ):
        """`read_only`: fields shown but not changed here (besides the certificate number): a
        change request's contact details, which change at once elsewhere. `draft`: the values
        are to be kept as a draft."""
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        self.draft = draft
        for name in APPLICATION_FIELDS:
            widget = self.WIDGETS.get(name)
            self.fields[name] = rules.field(name, widget=copy(widget) if widget else None)
        for name in (*rules.READ_ONLY_FIELDS, *read_only):
            self.fields[name].disabled = True
            self.fields[name].required = False
            self.initial[name] = getattr(practitioner, name)

    def sections(self):
        """(key, title, [bound fields]) in form order, for the template."""
        return [(key, title, [self[f] for f in fields]) for key, title, fields in SECTIONS]

    def full_clean(self):
        """A draft's values are checked by the draft's rule only, as typed (cleaned_data stays
        empty: the view keeps the typed text); a submission's by every rule."""
        if not self.draft:
            super().full_clean()
            return
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        typed = {name: self[name].data for name, f in self.fields.items() if not f.disabled}
        for name, messages in rules.draft_errors(typed).items():
            self.add_error(name, messages)

    def mark_kept_dates(self, values: dict) -> None:
        """Mark, on the unbound form that shows a draft again, each date the draft keeps as
        typed but that reads as no date (rules.unreadable_dates), next to its field."""
        if self.is_bound:
            raise RuntimeError("mark_kept_dates is for the unbound form of a stored draft")
        if self._errors is None:
            self._errors = ErrorDict()
            self.cleaned_data = {}
        for name, messages in rules.unreadable_dates(values).items():
            if name in self.fields and not self.fields[name].disabled:
                self.add_error(name, messages)

    def clean(self):
        cleaned = super().clean()
        for name, messages in rules.record_errors(cleaned, practitioner=self.practitioner).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("ID photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    crop_x = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    crop_y = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    crop_width = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    crop_height = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        if upload.size > photos.MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is %(size).1f MB; at most 5 MB is accepted.")
                % {"size": upload.size / 1024 / 1024}
            )
        return upload


class ResetWithCodeForm(NewPasswordForm):
    field_order = ["id_number", "code", "password1", "password2"]

    id_number = forms.CharField(label=_("ID number"), max_length=30)
    code = forms.CharField(
        label=_("One-time code from the counter"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])


class ContactForm(forms.Form):
    """A confirmed practitioner's contact details, changed at once (collection.rules' fields)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONTACT_FIELDS:
            widget = ApplicationForm.WIDGETS.get(name)
            self.fields[name] = rules.field(name, widget=copy(widget) if widget else None)


class CampaignForm(forms.ModelForm):
    # Not the model field: making one campaign active ends the other's, which the service does.
    active = forms.BooleanField(label=_("Active (the campaign now running)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["active"].initial = self.instance.is_active

    class Meta:
        model = Campaign
        fields = [
            "name",
            "start_date",
            "plan_due_date",
            "collection_due_date",
            "report_weekday",
            "report_hour",
            "pending_grace_days",
        ]
        # (the weeks of a campaign reach past its deadline: a date of year 9999 broke them)
        field_classes = dict.fromkeys(
            ["start_date", "plan_due_date", "collection_due_date"], DayField
        )
        widgets = {
            "start_date": DATE_INPUT,
            "plan_due_date": DATE_INPUT,
            "collection_due_date": DATE_INPUT,
        }


class MoveForm(forms.Form):
    """City staff move a person to another bureau."""

    bureau = forms.ModelChoiceField(
        label=_("Move to"), queryset=Bureau.objects.none(), empty_label=_("Choose a bureau")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"max_length": rules.MESSAGES["max_length"]},
        help_text=_("For example: the certificate was transferred to this bureau."),
    )

    def __init__(self, *args, bureaus, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = bureaus
