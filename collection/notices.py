"""What the practitioner is told when the counter or a clerk decides, and `send`, which shows it
on their home page and emails it (a background task, retried when the mail server is down).

A notice is kept as its kind and the facts it tells (`params`: the reference, the reason...) and
put into words when it is read, in the reader's language: a clerk works in Chinese, and the
practitioner reading in English reads it in English. The e-mail copy is written once, in the
site's language (settings.LANGUAGE_CODE), and kept with the notice as what was sent.

Each kind has one writer, params -> (subject, body); the apps above collection register theirs
with `@writer("kind")` (business.notices).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from collection.models import Application, Notice

Params = dict[str, Any]
Writer = Callable[[Params], tuple[str, str]]

_WRITERS: dict[str, Writer] = {}


def writer(kind: str) -> Callable[[Writer], Writer]:
    """Register the function that puts a kind of notice into words."""

    def register(function: Writer) -> Writer:
        _WRITERS[kind] = function
        return function

    return register


def words(notice: Notice) -> tuple[str, str]:
    """(subject, body) of a notice in the active language; a notice kept only as text (written
    before notices kept their facts) as it was sent."""
    write = _WRITERS.get(notice.kind)
    if write is None:
        return notice.subject, notice.body
    return write(notice.params)


def send(user, kind: str, params: Params, *, application: Application | None = None) -> None:
    """A notice on the practitioner's home page, and an email after commit when we have an
    address (a mail server that is down is logged, never turns the staff's action into an
    error)."""
    if user is None:
        return
    notice = compose(kind, params, user=user, application=application)
    notice.save()
    if user.email:
        from collection.tasks import send_notice_mail

        subject, body = notice.subject, notice.body
        transaction.on_commit(
            lambda: send_notice_mail.enqueue(subject, body, user.email), robust=True
        )


def compose(kind: str, params: Params, **fields: Any) -> Notice:
    """A notice (not saved) of `kind`, with its e-mail copy in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _WRITERS[kind](params)
    return Notice(kind=kind, params=params, subject=subject, body=body, **fields)


# --- The counter's decisions on an application -------------------------------------------


def _about(application: Application) -> Params:
    return {
        "ref": application.reference,
        "change": application.is_change,
        "name": application.practitioner.name,
    }


def returned(application: Application) -> tuple[str, Params]:
    bureau = application.practitioner.bureau
    return "application_returned", {
        **_about(application),
        "reason": application.return_reason,
        "bureau": bureau.name,
        "hall": [v for v in (bureau.hall_address, bureau.hall_phone, bureau.hall_hours) if v],
    }


def confirmed(application: Application) -> tuple[str, Params]:
    return "application_confirmed", _about(application)


def closed(application: Application) -> tuple[str, Params]:
    """A change request the counter closed: the record already held its values."""
    return "change_closed", _about(application)


@writer("application_returned")
def _returned(params: Params) -> tuple[str, str]:
    subject = (
        _("Your change request %(ref)s was returned")
        if params["change"]
        else _("Your application %(ref)s was returned")
    )
    return subject % params, _body("emails/application_returned.txt", params)


@writer("application_confirmed")
def _confirmed(params: Params) -> tuple[str, str]:
    subject = (
        _("Your change request %(ref)s is confirmed")
        if params["change"]
        else _("Your application %(ref)s is confirmed")
    )
    return subject % params, _body("emails/application_confirmed.txt", params)


@writer("change_closed")
def _closed(params: Params) -> tuple[str, str]:
    subject = _("Your change request %(ref)s needed no change") % params
    return subject, _body("emails/change_closed.txt", params)


def _body(template: str, params: Params) -> str:
    return render_to_string(template, params).strip()
