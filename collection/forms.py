from copy import copy

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collection import photos
from collection.constants import APPLICATION_FIELDS, SECTIONS
from collection.models import Campaign
from practitioners.constants import ETHNIC_GROUPS, IdType, TitleLevel
from practitioners.idnumbers import normalize_id_number
from practitioners.models import Practitioner
from practitioners.validators import normalize_mobile, validate_mobile, validate_plain_text

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_FIELDS = ("name", "major", "school", "title_cert_number", "employer", "position", "address")
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
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email (optional, for password reset)"), required=False, max_length=100
    )

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean_cert_number(self) -> str:
        return normalize_id_number(self.cleaned_data["cert_number"])

    def clean_name(self) -> str:
        return self.cleaned_data["name"].replace(" ", "").replace("\u3000", "")

    def clean_mobile(self) -> str:
        value = normalize_mobile(self.cleaned_data["mobile"])
        validate_mobile(value)
        return value


class ApplicationForm(forms.ModelForm):
    """The application (申请表): the record's fields, pre-filled, corrections allowed.

    Validation happens only on submit; a draft keeps whatever was typed.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=[("", "—")] + [(e, e) for e in ETHNIC_GROUPS], required=False
    )

    class Meta:
        model = Practitioner
        fields = APPLICATION_FIELDS
        widgets = {
            "birth_date": DATE_INPUT,
            "cert_issue_date": DATE_INPUT,
            "graduation_date": DATE_INPUT,
            "title_date": DATE_INPUT,
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "class": "font-monospace"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "employer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, instance: Practitioner, **kwargs):
        # Validation (ID rules, agreement with birth date and gender, uniqueness against other
        # people) runs on a copy: the stored record changes only when the counter confirms.
        super().__init__(*args, instance=copy(instance), **kwargs)
        # The certificate number is the bureau's own key: shown, corrected only by staff.
        self.fields["cert_number"].disabled = True
        for name in REQUIRED_AT_SUBMIT:
            self.fields[name].required = True
        for name in ("education", "gender", "id_type"):
            self.fields[name].choices = [("", "—")] + [
                c for c in self.fields[name].choices if c[0] != ""
            ]
        for name in TEXT_FIELDS:
            self.fields[name].validators.append(validate_plain_text)

    def sections(self):
        """(key, title, [bound fields]) in form order, for the template."""
        return [(key, title, [self[f] for f in fields]) for key, title, fields in SECTIONS]

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean_mobile(self) -> str:
        value = normalize_mobile(self.cleaned_data.get("mobile") or "")
        validate_mobile(value)
        return value

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        title = cleaned.get("title_level")
        if title and title != TitleLevel.NONE:
            for name in ("title_cert_number", "title_date"):
                if not cleaned.get(name):
                    self.add_error(name, _("Required when you declare a professional title."))
        if cleaned.get("in_accounting_post") and not cleaned.get("employer"):
            self.add_error("employer", _("Give your employer when you work in an accounting post."))
        birth = cleaned.get("birth_date")
        for name in ("birth_date", "cert_issue_date", "graduation_date", "title_date"):
            value = cleaned.get(name)
            if value and value > today:
                self.add_error(name, _("This date is in the future."))
            elif value and birth and name != "birth_date" and value <= birth:
                self.add_error(name, _("This date is before the date of birth."))
        if (
            cleaned.get("id_type")
            and cleaned.get("id_type") != IdType.RESIDENT_ID
            and not cleaned.get("gender")
        ):
            self.add_error("gender", _("Required."))
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


class CampaignForm(forms.ModelForm):
    # Not the model field: making one campaign active ends the other's, which the service does.
    active = forms.BooleanField(label=_("Active (the campaign now running)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["active"].initial = self.instance.is_active

    class Meta:
        model = Campaign
        fields = ["name", "start_date", "plan_due_date", "collection_due_date", "report_weekday"]
        widgets = {
            "start_date": DATE_INPUT,
            "plan_due_date": DATE_INPUT,
            "collection_due_date": DATE_INPUT,
        }
