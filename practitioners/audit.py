"""The audit trail for city staff: every change to a person's record and every staff view of
one (who, when, from which address, which fields), searched and exported. Read-only: the
product has no way to change or delete an event (the admin shows them read-only).

Newest first, by primary key (the order events were written), a page at a time, numbered like
every other list (core.pagination: the page's keys are read from the primary key's index, then
only those rows joined). Who acted and what the detail says are shown in words, ID numbers
masked (practitioners.auditwords), on the page and in the exports alike."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DayField
from core.pagination import DeferredJoinPaginator
from core.spreadsheets import write_table
from practitioners import auditwords, permissions
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, Bureau, Practitioner, User
from practitioners.selectors import exact_number
from practitioners.services import record_event

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=gettext_lazy("Person (ID or certificate number)"), max_length=30, required=False
    )
    actor = forms.CharField(
        label=gettext_lazy("Done by (user name)"), max_length=150, required=False
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All"))] + list(AuditAction.choices),
    )
    bureau = forms.ModelChoiceField(
        label=gettext_lazy("Bureau"),
        queryset=Bureau.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
    )
    since = DayField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = DayField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_person(self) -> str:
        text = self.cleaned_data["person"].strip()
        if text and exact_number(text) is None:
            raise forms.ValidationError(_("Type a whole ID or certificate number."))
        return exact_number(text) or ""

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return cleaned


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The events matching a cleaned AuditFilterForm, newest first."""
    qs = AuditEvent.objects.select_related("actor", "practitioner", "bureau").order_by("-id")
    if filters.get("person"):
        number = filters["person"]
        qs = qs.filter(
            practitioner__in=Practitioner.objects.filter(
                Q(id_number=number) | Q(cert_number=number)
            )
        )
    if filters.get("actor"):
        qs = qs.filter(actor__username=filters["actor"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("bureau"):
        qs = qs.filter(bureau=filters["bureau"])
    if filters.get("since"):
        qs = qs.filter(at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        qs = qs.filter(at__lt=_day_start(filters["until"] + datetime.timedelta(days=1)))
    return qs


def page(filters: dict[str, Any], number: str | int | None = None) -> Page:
    """One numbered page of the matching events, newest first (a page number past the last
    gives the last), each with `actor_name` and `words` (the detail) as the page shows them."""
    found = DeferredJoinPaginator(events(filters), PAGE_SIZE).get_page(number)
    names = auditwords.bureau_names()
    found.object_list = rows = list(found.object_list)
    for event in rows:
        event.actor_name = auditwords.actor_name(event.actor)
        event.words = auditwords.describe(event.detail, names)
    return found


def _headers() -> list[str]:
    return [
        _("Time"),
        _("Done by"),
        _("Action"),
        _("Bureau"),
        _("Person"),
        _("ID number (masked)"),
        _("Client address"),
        _("Detail"),
    ]


def _rows(qs: QuerySet[AuditEvent]):
    names = auditwords.bureau_names()
    for event in qs.iterator(chunk_size=2000):
        person = event.practitioner
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            auditwords.actor_name(event.actor),
            event.action_label,
            event.bureau.code if event.bureau else "",
            person.name if person else "",
            person.masked_id_number if person else "",
            event.address or "",
            auditwords.detail_text(event.detail, names),
        ]


def export(*, actor: User, filters: dict[str, Any], fmt: str) -> bytes:
    """The matching events (at most EXPORT_LIMIT, newest first) as CSV or Excel; city staff
    only; the export is itself an audit event."""
    if not permissions.can_read_audit(actor):
        raise PermissionDenied("only city staff read the audit trail")
    qs = events(filters)[:EXPORT_LIMIT]
    data, count = write_table(_headers(), _rows(qs), fmt=fmt, title=str(_("Audit trail")))
    shown = {k: str(v) for k, v in filters.items() if v}
    record_event(
        actor=actor, action=AuditAction.AUDIT_EXPORTED, format=fmt, rows=count, filters=shown
    )
    return data
