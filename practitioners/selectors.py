"""Reads of the register, already scoped to what the asking user may see."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from practitioners import permissions, records
from practitioners.constants import STAFF_ROLES, AuditAction, Standing
from practitioners.idnumbers import normalize_id_number
from practitioners.models import AuditEvent, Bureau, Practitioner, User

_NUMBERISH = re.compile(r"^[0-9A-Z()\-]{4,}$")
# A bureau's division code, as a query string gives it (?bureau=450103): six digits, no more.
_BUREAU_CODE = re.compile(r"[0-9]{6}")

# Columns a list page shows; keeps the rows narrow on a million-row table.
LIST_FIELDS = (
    "id",
    "name",
    "gender",
    "id_number",
    "cert_number",
    "employer",
    "confirmed_at",
    "pending_since",
    "bureau_id",
)
BUREAU_COLUMN = ("bureau__id", "bureau__short_name", "bureau__code")  # city staff's lists only


def practitioners_for(*, user: User) -> QuerySet[Practitioner]:
    """Every practitioner the user may see."""
    scope = permissions.bureau_scope(user)
    qs = Practitioner.objects.all()
    return qs if scope is None else qs.filter(scope)


def search_practitioners(
    *, user: User, query: str = "", bureau: Bureau | None = None
) -> QuerySet[Practitioner]:
    """Staff search: a full ID or certificate number matches exactly; other text matches the start of a name."""
    qs = practitioners_for(user=user).only(*LIST_FIELDS)
    if permissions.is_city_staff(user):
        qs = qs.select_related("bureau").only(*LIST_FIELDS, *BUREAU_COLUMN)
    if bureau is not None:
        qs = qs.filter(bureau=bureau)
    query = query.strip()
    if not query:
        return qs
    number = exact_number(query)
    if number is not None:
        return qs.filter(Q(id_number=number) | Q(cert_number=number))
    return qs.filter(name__startswith=query.replace(" ", ""))


def exact_number(query: str) -> str | None:
    """The ID or certificate number a search is for, normalised; None for a name search.

    Both numbers are unique, so such a search finds at most two people (one by each).
    """
    number = normalize_id_number(query.strip())
    return number if _NUMBERISH.match(number) else None


def own_practitioner(*, user: User) -> Practitioner:
    """The register record of a logged-in practitioner, or 404. The login backend loads it
    with the user (practitioners.backends.RegistryBackend.get_user)."""
    if not permissions.is_practitioner(user):
        raise Http404
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        raise Http404 from None


def get_practitioner_for(*, user: User, pk: int) -> Practitioner:
    """One practitioner the user may see, or 404 (another bureau's record does not exist for them)."""
    try:
        return practitioners_for(user=user).select_related("bureau", "account").get(pk=pk)
    except (Practitioner.DoesNotExist, ValueError):
        raise Http404 from None


def bureaus_for(*, user: User) -> QuerySet[Bureau]:
    """The bureaus the user may see."""
    if permissions.is_city_staff(user):
        return Bureau.objects.all()
    if permissions.is_staff_member(user) and user.bureau_id is not None:
        return Bureau.objects.filter(pk=user.bureau_id)
    return Bureau.objects.none()


def get_bureau_for(*, user: User, code: str) -> Bureau:
    """One bureau the user may see, by division code, or 404. Anything but a code is not
    looked up: PostgreSQL refuses a NUL character in text with a server error
    (`?bureau=%00`), and no bureau has any other code."""
    if not isinstance(code, str) or not _BUREAU_CODE.fullmatch(code):
        raise Http404
    try:
        return bureaus_for(user=user).get(code=code)
    except Bureau.DoesNotExist:
        raise Http404 from None


def chosen_bureau(*, user: User, code: str | None) -> Bureau:
    """The bureau a staff page is about: the user's own; city staff may pick any by its code
    (`?bureau=450103`; 404 if there is none)."""
    if code and permissions.is_city_staff(user):
        return get_bureau_for(user=user, code=code)
    if user.bureau is None:  # a practitioner: staff always have a bureau
        raise PermissionDenied("not a bureau's staff")
    return user.bureau


def bureau_overview(*, user: User) -> list[Bureau]:
    """Each visible bureau with its register figures, in one query."""
    return list(
        bureaus_for(user=user).annotate(
            practitioner_count=Count("practitioners"),
            confirmed_count=Count(
                "practitioners", filter=Q(practitioners__confirmed_at__isnull=False)
            ),
            in_post_count=Count("practitioners", filter=Q(practitioners__in_accounting_post=True)),
            account_count=Count("practitioners", filter=Q(practitioners__account__isnull=False)),
        )
    )


def id_number_warnings(practitioner: Practitioner) -> list[str]:
    """Staff-facing warnings about a stored ID number (e.g. a region code no longer listed)."""
    from practitioners.idnumbers import check_id_number

    check = check_id_number(practitioner.id_number, practitioner.id_type)
    return check.warnings + check.errors


def recent_events(*, practitioner: Practitioner, limit: int = 20) -> list[AuditEvent]:
    """The record's latest changes, newest first (the views of it are in the audit trail, not
    here: they would bury the changes)."""
    return list(
        practitioner.audit_events.exclude(
            action__in=[AuditAction.VIEWED, AuditAction.LOOKED_UP_ELSEWHERE]
        ).select_related("actor")[:limit]
    )


# The audit events that write a new version of a person's record (step 7's history).
RECORD_VERSIONS = (
    AuditAction.CONFIRMED,
    AuditAction.CHANGE_CONFIRMED,
    AuditAction.CONTACT_CHANGED,
    AuditAction.ON_POST_APPROVED,
)


@dataclass(frozen=True)
class RecordVersion:
    """One confirmed version of a record: when, what made it, who, and what it changed."""

    at: object
    action: str
    label: str
    actor: User | None
    archive_number: str
    changes: list[dict]


def record_history(*, practitioner: Practitioner) -> list[RecordVersion]:
    """Every confirmed version of the record, newest first, from the audit trail (which is
    never edited): the counter's confirmations of the collection and of change requests, the
    practitioner's contact changes and approved on-post registrations. One query."""
    versions = []
    events = AuditEvent.objects.filter(
        practitioner=practitioner, action__in=RECORD_VERSIONS
    ).select_related("actor")
    for event in events.order_by("-at", "-id")[:100]:
        changes = []
        for change in event.detail.get("changes", []):
            # The field's label and the values in the reader's language; the label kept with
            # the entry (in the writer's) only for a field since removed.
            field = change.get("field", "")
            try:
                label = Practitioner.field_label(field)
            except Exception:  # noqa: BLE001 - a field since removed: its label as kept
                label = change.get("label") or field
            changes.append(
                {
                    "label": label,
                    "old": records.as_read(field, change.get("old")),
                    "new": records.as_read(field, change.get("new")),
                }
            )
        versions.append(
            RecordVersion(
                at=event.at,
                action=event.action,
                label=event.action_label,
                actor=event.actor,
                archive_number=event.detail.get("archive_number", ""),
                changes=changes,
            )
        )
    return versions


# The application states the weekly figures count (Application.counted_as), by their stored
# codes: the same codes as Standing's.
_COUNTED = {Standing.DRAFT, Standing.WAITING, Standing.RETURNED, Standing.CONFIRMED}


def standings(practitioners) -> dict[int, Standing]:
    """Where each person of a page of the register stands (practitioners.constants.Standing):
    in the pending pool, else their application's counted state in the running campaign (the
    weekly figures' own), else confirmed if their record was confirmed before, else not
    started. One query for the whole page, whatever its size.

    The applications are read through the record's reverse relation by name, so the register
    does not import the collection app above it; the codes are the same on both sides.
    """
    people = list(practitioners)
    counted = dict(
        Practitioner.objects.filter(
            pk__in=[p.pk for p in people], applications__campaign__is_active=True
        ).values_list("pk", "applications__counted_as")
    )
    return {p.pk: standing_of(p, counted.get(p.pk, "")) for p in people}


def standing_of(practitioner: Practitioner, counted_as: str) -> Standing:
    """Where one person stands, given their application's counted state in the running
    campaign ("" without one): the pending pool first (it bars everything else), then the
    campaign's counted state, then a confirmation from before, else not started."""
    if practitioner.pending_since is not None:
        return Standing.PENDING
    if counted_as in _COUNTED:
        return Standing(counted_as)
    if practitioner.confirmed_at is not None:
        return Standing.CONFIRMED
    return Standing.NOT_STARTED


def unused_staff_accounts(*, now: datetime.datetime | None = None) -> QuerySet[User]:
    """Active accounts that open staff pages or the admin and have not logged in for
    REGISTRY_STAFF_UNUSED_DAYS (never logged in: counted from their creation)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REGISTRY_STAFF_UNUSED_DAYS)
    staff = Q(role__in=STAFF_ROLES) | Q(is_staff=True) | Q(is_superuser=True)
    unused = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return User.objects.filter(staff & unused, is_active=True).order_by("username")
