from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from practitioners import fieldrules
from practitioners.constants import RECORD_FIELDS
from practitioners.models import Bureau, Practitioner, User
from practitioners.validators import MAX_LENGTH_MESSAGE


class BureauChoiceField(forms.ModelChoiceField):
    """A bureau chosen by its division code; the view sets the queryset of bureaus the user may see."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Bureau"))
        kwargs.setdefault("empty_label", _("All bureaus"))
        kwargs.setdefault("widget", forms.Select(attrs={"class": "form-select"}))
        super().__init__(
            queryset=Bureau.objects.none(), required=False, to_field_name="code", **kwargs
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("ID number, certificate number or name"),
        required=False,
        max_length=50,
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autofocus": True,
                "autocomplete": "off",
                "placeholder": _("ID number, certificate number or name"),
                "type": "search",
                "enterkeyhint": "search",
            }
        ),
    )
    bureau = BureauChoiceField()

    def __init__(self, *args, bureaus=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bureaus is not None:
            self.fields["bureau"].queryset = bureaus
        else:
            del self.fields["bureau"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file"),
        help_text=_(
            "Excel (.xlsx), CSV (UTF-8 or GB18030/GBK) or JSON exported from the old system, with Chinese column names in the first row."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows even if some rows have problems"),
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only: write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REGISTRY_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; the largest accepted is %(limit)s. Split it into several files."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)"), ("json", "JSON")],
    )
    bureau = BureauChoiceField()

    def __init__(self, *args, bureaus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = bureaus if bureaus is not None else Bureau.objects.none()
        if bureaus is not None and len(bureaus) == 1:
            self.fields["bureau"].empty_label = None


def _record_formfield(db_field, **kwargs) -> forms.Field | None:
    """Each field of the record read by its rules (fieldrules), as the import and the
    application read it; required as the model has it."""
    if db_field.name not in RECORD_FIELDS:
        return db_field.formfield(**kwargs)
    return fieldrules.formfield(
        db_field.name, required=not db_field.blank, widget=kwargs.get("widget")
    )


class PractitionerForm(forms.ModelForm):
    """A new register record, typed by staff from the holder's certificate and ID card."""

    bureau = BureauChoiceField(label=_("Issuing bureau"), empty_label=None)

    class Meta:
        model = Practitioner
        fields = ["bureau", *RECORD_FIELDS]
        formfield_callback = _record_formfield
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in fieldrules.DATE_FIELDS
        }

    def __init__(self, *args, bureaus, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bureau"].queryset = bureaus
        self.fields["bureau"].required = True
        if len(bureaus) == 1:
            self.fields["bureau"].initial = bureaus.first()


class EnrolmentCodeForm(forms.Form):
    """The one-time code a city administrator issued, before the secret is shown."""

    code = forms.CharField(
        label=_("Enrolment code"),
        max_length=20,
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
        help_text=_("Twelve letters and digits, from a city administrator. Valid for a day."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.display_name or obj.username
        return name if name == obj.username else f"{name} ({obj.username})"


class IssueEnrolmentCodeForm(forms.Form):
    """Which account a city administrator issues an enrolment code for."""

    account = AccountChoiceField(
        label=_("Account"),
        queryset=User.objects.none(),
        empty_label=_("Choose an account"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class TokenForm(forms.Form):
    """The six digits an authenticator app shows."""

    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
