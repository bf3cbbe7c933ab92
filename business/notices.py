"""What the practitioner is told when a clerk approves or returns a registration: the facts
kept with the notice, and their words in the reader's language (collection.notices)."""

from typing import Any

from django.utils.translation import gettext as _

from business.constants import RegistrationKind
from business.models import EducationRecord, OnPostRegistration
from collection import notices

AnyRegistration = OnPostRegistration | EducationRecord


def approved(registration: AnyRegistration) -> tuple[str, dict[str, Any]]:
    return "registration_approved", _facts(registration)


def returned(registration: AnyRegistration) -> tuple[str, dict[str, Any]]:
    return "registration_returned", {**_facts(registration), "reason": registration.return_reason}


def _facts(registration: AnyRegistration) -> dict[str, Any]:
    if isinstance(registration, OnPostRegistration):
        return {
            "kind": registration.kind,
            "employer": registration.employer,
            "post": registration.post,
            "start_date": f"{registration.start_date:%Y-%m-%d}",
        }
    return {
        "kind": registration.kind,
        "year": registration.year,
        "hours": str(registration.hours),
        "provider": registration.provider,
    }


@notices.writer("registration_approved")
def _approved(params: dict[str, Any]) -> tuple[str, str]:
    return _("Your %(what)s is approved") % {"what": _what(params)}, _summary(params)


@notices.writer("registration_returned")
def _returned(params: dict[str, Any]) -> tuple[str, str]:
    subject = _("Your %(what)s was returned") % {"what": _what(params)}
    return subject, f"{_summary(params)}\n{_('Reason:')} {params['reason']}"


def _what(params: dict[str, Any]) -> str:
    return str(RegistrationKind(params["kind"]).label)


def _summary(params: dict[str, Any]) -> str:
    if params["kind"] == RegistrationKind.ON_POST:
        return f"{params['employer']} · {params['post']} · {params['start_date']}"
    return _("%(year)s: %(hours)s hours, %(provider)s") % {
        "year": params["year"],
        "hours": params["hours"],
        "provider": params["provider"] or "—",
    }
