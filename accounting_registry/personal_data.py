"""Everything the registry holds about one practitioner, for their right of access
(个人信息保护法 art. 45): their record, account, photos, applications and every version of
them, the counter's decisions, their registrations, notices, reset codes and the audit events
about them, as one dictionary that the JSON download and the readable PDF both show.

What is about other people is left out or named only by role: a staff member who acted is
"staff of <bureau>" (no name, account or address), the other people of a bureau do not appear.
Secrets are never given out, only said to exist (the password's hash, a code's hash).

SECTIONS says which model each part comes from, and NOT_ABOUT_THE_PERSON why the other models
that refer to a practitioner or an account are not part of it; tests/test_personal_data.py
fails when a model that refers to them is in neither, so that a new kind of personal data is
not forgotten here.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from business.models import EducationRecord, OnPostRegistration
from collection import notices
from collection.models import Application, Notice, Photo, ResetCode, Submission
from confirmation.models import Confirmation, CounterEdit, CounterReturn, PrintLog
from practitioners import records
from practitioners.models import AuditEvent, Practitioner, User

FORMAT_VERSION = 1

# model label -> the section of the download that holds its rows
SECTIONS = {
    "practitioners.Practitioner": "record",
    "practitioners.User": "account",
    "practitioners.AuditEvent": "history",
    "collection.Photo": "photos",
    "collection.Application": "applications",
    "collection.Submission": "applications",
    "collection.Notice": "notices",
    "collection.ResetCode": "reset_codes",
    "confirmation.Confirmation": "applications",
    "confirmation.CounterReturn": "applications",
    "confirmation.CounterEdit": "applications",
    "confirmation.PrintLog": "applications",
    "business.OnPostRegistration": "on_post",
    "business.EducationRecord": "education",
}
# model label -> why it holds nothing about the practitioner (it refers to staff accounts only)
NOT_ABOUT_THE_PERSON = {
    "practitioners.EnrolmentCode": "second-factor enrolment codes, for staff accounts only",
    "confirmation.PrintSettings": "a bureau's printer settings, changed by staff",
    "reporting.WorkPlan": "a bureau's work plan, decided by staff",
    "reporting.WorkPlanVersion": "a bureau's work plan files, uploaded by staff",
    "reporting.ProgressSheetVersion": "a bureau's weekly sheets, by staff",
    "reporting.Bulletin": "the published weekly figures, by staff",
    "otp_totp.TOTPDevice": "second factors, which only staff accounts have",
    "admin.LogEntry": "Django's admin log of staff's own changes (what concerns a person is in "
    "the audit trail, which the download holds)",
}

_RECORD_LEFT_OUT = {"id", "account"}
_ACCOUNT_FIELDS = ("username", "display_name", "email", "mobile", "role", "is_active")


def gather(practitioner: Practitioner) -> dict[str, Any]:
    """The whole of what the registry holds about `practitioner`, as plain JSON values."""
    account = practitioner.account
    who = _Names(account)
    applications = list(
        Application.objects.filter(practitioner=practitioner)
        .select_related("campaign", "bureau")
        .order_by("created_at", "id")
    )
    return {
        "format": FORMAT_VERSION,
        "generated_at": _value(timezone.now()),
        "record": _row(practitioner, left_out=_RECORD_LEFT_OUT)
        | {"bureau": _bureau(practitioner.bureau)},
        "account": _account(account),
        "photos": [
            {
                "uploaded_at": _value(photo.uploaded_at),
                "uploaded_by": who(photo.uploaded_by_id),
                "sha256": photo.sha256,
                "image_jpeg_base64": _file_base64(photo.image),
            }
            for photo in Photo.objects.filter(practitioner=practitioner).order_by("uploaded_at")
        ],
        "applications": [_application(a, who) for a in applications],
        "on_post": [
            _registration(r, who)
            for r in OnPostRegistration.objects.filter(practitioner=practitioner).order_by("id")
        ],
        "education": [
            _registration(r, who)
            for r in EducationRecord.objects.filter(practitioner=practitioner).order_by("id")
        ],
        "notices": [
            dict(
                zip(("subject", "body"), notices.words(n), strict=True),
                as_mailed={"subject": n.subject, "body": n.body},
                created_at=_value(n.created_at),
                read_at=_value(n.read_at),
            )
            for n in (Notice.objects.filter(user=account).order_by("created_at") if account else [])
        ],
        "reset_codes": [
            {
                "issued_at": _value(c.issued_at),
                "issued_by": who(c.issued_by_id),
                "expires_at": _value(c.expires_at),
                "used_at": _value(c.used_at),
                "code": _("kept only as a hash, not given out"),
            }
            for c in (
                ResetCode.objects.filter(user=account).order_by("issued_at") if account else []
            )
        ],
        "history": [
            {
                "at": _value(e.at),
                "action": e.action,
                "what": e.action_label,
                "by": who(e.actor_id),
                # The address only for the person's own actions (a staff member's is theirs).
                "address": e.address if account and e.actor_id == account.pk else None,
                "detail": e.detail,
            }
            for e in AuditEvent.objects.filter(_about(practitioner, account)).order_by("at", "id")
        ],
    }


def _about(practitioner: Practitioner, account: User | None) -> Q:
    about = Q(practitioner=practitioner)
    return about | Q(actor=account) if account else about


def _application(application: Application, who: _Names) -> dict[str, Any]:
    return {
        "kind": application.kind,
        "campaign": application.campaign.name if application.campaign else None,
        "bureau": _bureau(application.bureau),
        "reference": application.reference,
        "status": application.status,
        "data": application.data,
        "created_at": _value(application.created_at),
        "submitted_at": _value(application.submitted_at),
        "returned_at": _value(application.returned_at),
        "return_reason": application.return_reason,
        "confirmed_at": _value(application.confirmed_at),
        "versions": [
            {
                "number": s.number,
                "submitted_at": _value(s.submitted_at),
                "submitted_by": who(s.submitted_by_id),
                "data": s.data,
                "record_when_submitted": s.record,
            }
            for s in Submission.objects.filter(application=application).order_by("number")
        ],
        "counter_returns": [
            {"returned_at": _value(r.returned_at), "by": who(r.clerk_id), "reason": r.reason}
            for r in CounterReturn.objects.filter(application=application).order_by("returned_at")
        ],
        "counter_corrections": [
            {
                "edited_at": _value(e.edited_at),
                "by": who(e.clerk_id),
                "field": e.field,
                "old": e.old_value,
                "new": e.new_value,
                "reason": e.reason,
            }
            for e in CounterEdit.objects.filter(application=application).order_by("edited_at")
        ],
        "confirmations": [
            {
                "confirmed_at": _value(c.confirmed_at),
                "by": who(c.clerk_id),
                "archive_number": c.archive_number,
                "originals_checked": c.checklist,
                "changes": c.changes,
                "printed": [
                    {"kind": p.kind, "at": _value(p.printed_at), "by": who(p.printed_by_id)}
                    for p in PrintLog.objects.filter(confirmation=c).order_by("printed_at")
                ],
            }
            for c in Confirmation.objects.filter(application=application).order_by("confirmed_at")
        ],
    }


def _registration(registration: OnPostRegistration | EducationRecord, who: _Names) -> dict:
    row = _row(
        registration,
        left_out={"id", "practitioner", "submitted_by", "decided_by"},
    )
    return row | {
        "submitted_by": who(registration.submitted_by_id),
        "decided_by": who(registration.decided_by_id),
    }


def _account(account: User | None) -> dict[str, Any] | None:
    if account is None:
        return None
    return {name: _value(getattr(account, name)) for name in _ACCOUNT_FIELDS} | {
        "created_at": _value(account.date_joined),
        "last_login": _value(account.last_login),
        "password": _("set; kept only as an Argon2id hash, not given out"),
    }


class _Names:
    """Who acted, as the person may read it: themselves, the system, or a bureau's staff by
    role and bureau only (staff names and accounts are about the staff)."""

    def __init__(self, account: User | None):
        self.account_id = account.pk if account else None
        self.staff: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return _("the system")
        if user_id == self.account_id:
            return _("you")
        if user_id not in self.staff:
            user = User.objects.select_related("bureau").filter(pk=user_id).first()
            if user is None:
                self.staff[user_id] = _("a former staff member")
            else:
                bureau = user.bureau.name if user.bureau else ""
                self.staff[user_id] = f"{user.get_role_display()} · {bureau}".strip(" ·")
        return self.staff[user_id]


def _row(instance: Model, *, left_out: set[str]) -> dict[str, Any]:
    out = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in left_out:
            continue
        if model_field.is_relation:
            related = getattr(instance, model_field.name)
            out[model_field.name] = str(related) if related is not None else None
        else:
            out[model_field.name] = _value(getattr(instance, model_field.attname))
    return out


def _bureau(bureau) -> dict[str, str] | None:
    return {"code": bureau.code, "name": bureau.name} if bureau else None


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _file_base64(file) -> str | None:
    if not file:
        return None
    try:
        with file.open("rb") as handle:
            return base64.b64encode(handle.read()).decode("ascii")
    except (FileNotFoundError, OSError):
        return None


# --- The same, for people to read (the PDF) ----------------------------------------------


@dataclass
class Part:
    """One part of the readable copy: a title, label-value rows, and a table (head, rows)."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    head: tuple[str, ...] = ()
    table: list[tuple[str, ...]] = field(default_factory=list)
    note: str = ""


def readable(data: dict[str, Any]) -> dict[str, Any]:
    """The context of pdf/personal_data.html: `gather`'s data as parts with labels and values
    as people read them (choice labels, dates), in the active language."""
    parts = [
        Part(
            _("Your record"),
            rows=[
                (_label(Practitioner, name), _shown(name, value))
                for name, value in data["record"].items()
                if name != "bureau"
            ]
            + [(_("Bureau"), (data["record"]["bureau"] or {}).get("name", "—"))],
        )
    ]
    account = data["account"]
    if account:
        parts.append(
            Part(
                _("Your account"),
                rows=[
                    (_label(User, k), _plain(_choice(User, k, account[k]))) for k in _ACCOUNT_FIELDS
                ]
                + [
                    (_("Created"), _plain(account["created_at"])),
                    (_("Last login"), _plain(account["last_login"])),
                    (_("Password"), account["password"]),
                ],
            )
        )
    parts.append(
        Part(
            _("Photos"),
            head=(_("Uploaded"), _("By"), "SHA-256"),
            table=[
                (_plain(p["uploaded_at"]), p["uploaded_by"], p["sha256"][:16] + "…")
                for p in data["photos"]
            ],
            note=_("The photos themselves are in the JSON file; the latest is shown here."),
        )
    )
    for application in data["applications"]:
        parts.append(_application_part(application))
    for key, title, model in (
        ("on_post", _("On-post registrations"), OnPostRegistration),
        ("education", _("Continuing education"), EducationRecord),
    ):
        for registration in data[key]:
            parts.append(
                Part(
                    title,
                    rows=[
                        (_label(model, name), _plain(_choice(model, name, value)))
                        for name, value in registration.items()
                    ],
                )
            )
    parts.append(
        Part(
            _("Notices"),
            head=(_("Date"), _("Subject"), _("Read")),
            table=[
                (_plain(n["created_at"]), n["subject"], _plain(n["read_at"]))
                for n in data["notices"]
            ],
        )
    )
    parts.append(
        Part(
            _("One-time codes from the counter"),
            head=(_("Issued"), _("By"), _("Used")),
            table=[
                (_plain(c["issued_at"]), c["issued_by"], _plain(c["used_at"]))
                for c in data["reset_codes"]
            ],
        )
    )
    parts.append(
        Part(
            _("What was done with your data"),
            head=(_("Time"), _("What"), _("By")),
            table=[(_plain(e["at"]), str(e["what"]), e["by"]) for e in data["history"]],
        )
    )
    latest = data["photos"][-1]["image_jpeg_base64"] if data["photos"] else None
    return {
        "title": _("Everything the registry holds about you"),
        "name": data["record"]["name"],
        "generated_at": _plain(data["generated_at"]),
        "photo_uri": f"data:image/jpeg;base64,{latest}" if latest else "",
        "parts": parts,
    }


def _application_part(application: dict[str, Any]) -> Part:
    kind = _choice(Application, "kind", application["kind"])
    status = _choice(Application, "status", application["status"])
    rows = [
        (_("Reference number"), application["reference"] or "—"),
        (_("Status"), status),
        (_("Campaign"), application["campaign"] or "—"),
        (_("Started"), _plain(application["created_at"])),
        (_("Submitted"), _plain(application["submitted_at"])),
        (_("Confirmed"), _plain(application["confirmed_at"])),
    ]
    if application["return_reason"]:
        rows.append((_("Reason for return"), application["return_reason"]))
    table = [
        (
            _("Version %(number)d") % {"number": v["number"]},
            _plain(v["submitted_at"]),
            v["submitted_by"],
        )
        for v in application["versions"]
    ]
    table += [
        (_("Returned at the counter"), _plain(r["returned_at"]), r["by"])
        for r in application["counter_returns"]
    ]
    table += [
        (_("Corrected at the counter"), _plain(e["edited_at"]), e["by"])
        for e in application["counter_corrections"]
    ]
    table += [
        (
            _("Confirmed, archive number %(number)s") % {"number": c["archive_number"]},
            _plain(c["confirmed_at"]),
            c["by"],
        )
        for c in application["confirmations"]
    ]
    return Part(
        f"{kind} {application['reference'] or ''}".strip(),
        rows=rows,
        head=(_("What"), _("When"), _("By")),
        table=table,
    )


def _field(model, name: str):
    """The model's field of that name, or None for a key of ours (not a field)."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model, name: str) -> str:
    if name == "submitted_by":  # the models' field has no label of its own
        return _("Submitted by")
    found = _field(model, name)
    return str(found.verbose_name) if found is not None else name


def _choice(model, name: str, value: Any) -> Any:
    found = _field(model, name)
    choices = dict(found.flatchoices) if found is not None and found.choices else {}
    return str(choices.get(value, value)) if choices else value


def _shown(name: str, value: Any) -> str:
    """A value of the record as people read it (records.display), times to the minute."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":  # a time, not a date
        return _plain(value)
    return records.display(name, value)


def _plain(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    text = str(value)
    if len(text) >= 19 and text[10] == "T":  # an ISO time: to the minute, as people read it
        return text[:16].replace("T", " ")
    return text
