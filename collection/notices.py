"""What the practitioner is told when the counter or a clerk decides: (subject, body), in the
active language, and `send`, which shows it on their home page and emails it (a background
task, retried when the mail server is down)."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from collection.models import Application, Notice


def send(user, subject: str, body: str, *, application: Application | None = None) -> None:
    """A notice on the practitioner's home page, and an email after commit when we have an
    address (a mail server that is down is logged, never turns the staff's action into an
    error)."""
    if user is None:
        return
    Notice.objects.create(user=user, application=application, subject=subject, body=body)
    if user.email:
        from collection.tasks import send_notice_mail

        transaction.on_commit(
            lambda: send_notice_mail.enqueue(subject, body, user.email), robust=True
        )


def returned(application: Application) -> tuple[str, str]:
    subject = (
        _("Your change request %(ref)s was returned")
        if application.is_change
        else _("Your application %(ref)s was returned")
    )
    return (
        subject % {"ref": application.reference},
        render_to_string("emails/application_returned.txt", {"application": application}).strip(),
    )


def confirmed(application: Application) -> tuple[str, str]:
    subject = (
        _("Your change request %(ref)s is confirmed")
        if application.is_change
        else _("Your application %(ref)s is confirmed")
    )
    return (
        subject % {"ref": application.reference},
        render_to_string("emails/application_confirmed.txt", {"application": application}).strip(),
    )


def closed(application: Application) -> tuple[str, str]:
    """A change request the counter closed: the record already held its values."""
    return (
        _("Your change request %(ref)s needed no change") % {"ref": application.reference},
        render_to_string("emails/change_closed.txt", {"application": application}).strip(),
    )
