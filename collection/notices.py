"""What the practitioner is told when the counter decides: (subject, body), in the active
language. Shown on their home page, and emailed when they gave an address."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from collection.models import Application


def returned(application: Application) -> tuple[str, str]:
    return (
        _("Your application %(ref)s was returned") % {"ref": application.reference},
        render_to_string("emails/application_returned.txt", {"application": application}).strip(),
    )


def confirmed(application: Application) -> tuple[str, str]:
    return (
        _("Your application %(ref)s is confirmed") % {"ref": application.reference},
        render_to_string("emails/application_confirmed.txt", {"application": application}).strip(),
    )
