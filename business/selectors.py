"""Reads of registrations and of the people who did business before collecting, scoped by
business.permissions (404 outside the user's scope)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from business import permissions
from business.constants import ON_POST_RECORD_FIELDS, RegistrationStatus
from business.models import MODELS, AnyRegistration, EducationRecord, OnPostRegistration
from collection import diff
from collection.constants import OPEN_STATUSES, ApplicationKind
from collection.models import Application
from practitioners import selectors as practitioner_selectors
from practitioners.constants import Standing
from practitioners.models import Bureau, Practitioner, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Not (yet) collected: never confirmed, or back in the pending pool.
NOT_COLLECTED = Q(confirmed_at__isnull=True) | Q(pending_since__isnull=False)


def registrations_of(*, practitioner: Practitioner) -> dict[str, list[AnyRegistration]]:
    """Each kind's registrations of the practitioner, newest first."""
    return {
        kind: list(model.objects.filter(practitioner=practitioner).select_related("decided_by"))
        for kind, model in MODELS.items()
    }


def waiting(*, bureau: Bureau) -> dict[str, list[AnyRegistration]]:
    """The registrations of the bureau's people waiting for a decision, oldest first."""
    return {
        kind: list(
            model.objects.filter(practitioner__bureau=bureau, status=RegistrationStatus.SUBMITTED)
            .select_related("practitioner")
            .order_by("submitted_at", "id")[:200]
        )
        for kind, model in MODELS.items()
    }


def registration_for(*, user: User, kind: str, pk: int) -> AnyRegistration:
    model = MODELS.get(kind)
    if model is None:
        raise Http404
    registration = (
        model.objects.select_related("practitioner__bureau", "practitioner__account")
        .filter(pk=pk)
        .first()
    )
    if registration is None or not permissions.can_see_bureau(
        user, registration.practitioner.bureau
    ):
        raise Http404
    return registration


def _has_business() -> Q:
    return Exists(OnPostRegistration.objects.filter(practitioner=OuterRef("pk"))) | Exists(
        EducationRecord.objects.filter(practitioner=OuterRef("pk"))
    )


class FlaggedCounts(TypedDict):
    """What flagged() adds to each person."""

    on_post_count: int
    education_count: int
    counted_as: str | None


def flagged(*, bureau: Bureau) -> "QuerySet[WithAnnotations[Practitioner, FlaggedCounts]]":
    """The bureau's people with on-post or continuing-education records but no confirmed
    collection (or back in the pending pool), with how many of each, by name."""
    return (
        Practitioner.objects.filter(NOT_COLLECTED, _has_business(), bureau=bureau)
        .annotate(
            on_post_count=Count("onpostregistrations", distinct=True),
            education_count=Count("educationrecords", distinct=True),
            # Where they stand in the running campaign, for the one vocabulary's word.
            counted_as=Subquery(
                Application.objects.filter(
                    practitioner=OuterRef("pk"), campaign__is_active=True
                ).values("counted_as")[:1]
            ),
        )
        .order_by("name", "id")
    )


def did_business_before_collecting(practitioner: Practitioner) -> bool:
    return Practitioner.objects.filter(NOT_COLLECTED, _has_business(), pk=practitioner.pk).exists()


def collection_state(practitioner: Practitioner) -> str:
    """Where a person of `flagged` stands, in the one vocabulary's word."""
    return str(standing(practitioner).label)


def standing(practitioner: Practitioner) -> Standing:
    """Where a person of `flagged` stands (its `counted_as` annotation)."""
    return practitioner_selectors.standing_of(
        practitioner, getattr(practitioner, "counted_as", None) or ""
    )


@dataclass(frozen=True)
class Overlap:
    """An information change and an on-post registration of one person that change the same
    fields of the record: whichever is decided first makes the other (partly) moot."""

    change: Application
    registration: OnPostRegistration
    labels: list[str]  # the fields both change, as people read them


def _overlapping(change: Application, registration: OnPostRegistration) -> Overlap | None:
    asked = [
        c
        for c in diff.compute_changes(change.practitioner, change.data)
        if c.field in ON_POST_RECORD_FIELDS
    ]
    if not asked:
        return None
    return Overlap(change=change, registration=registration, labels=[c.label for c in asked])


def change_overlaps(*, registrations: list[OnPostRegistration]) -> dict[int, Overlap]:
    """registration pk -> the open information change of its person that changes the same
    fields (employer, credit code, post, in a post). One query."""
    by_person = {r.practitioner_id: r for r in registrations}
    found = {}
    for change in Application.objects.filter(
        practitioner_id__in=list(by_person), kind=ApplicationKind.CHANGE, status__in=OPEN_STATUSES
    ).select_related("practitioner"):
        overlap = _overlapping(change, by_person[change.practitioner_id])
        if overlap:
            found[overlap.registration.pk] = overlap
    return found


def registration_overlap(*, change: Application) -> Overlap | None:
    """The waiting on-post registration of the change request's person that changes the same
    fields, if any."""
    registration = OnPostRegistration.objects.filter(
        practitioner_id=change.practitioner_id, status=RegistrationStatus.SUBMITTED
    ).first()
    return _overlapping(change, registration) if registration else None
