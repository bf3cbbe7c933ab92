"""Who may see and do what in the register. The one place that decides it.

- A clerk or bureau admin sees the practitioners of their own bureau.
- City staff see every bureau.
- Bureau admins import and export their bureau's register; city staff any bureau's.
- Practitioners see only their own record (step 2 gives them pages).
"""

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from practitioners.constants import Role
from practitioners.models import Bureau, User


def is_staff_member(user: User | AnonymousUser) -> TypeGuard[User]:
    """A bureau's active staff, signed in. (A TypeGuard: when true the user is a User; when
    false they may still be one, a practitioner.)"""
    return bool(user.is_authenticated and getattr(user, "is_bureau_staff", False))


def opens_the_admin(user: User | AnonymousUser) -> TypeGuard[User]:
    """An active account Django's admin lets in (is_staff or is_superuser), whatever its role:
    one made by hand or before `createsuperuser` made city staff may have no bureau."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def has_staff_access(user: User | AnonymousUser) -> TypeGuard[User]:
    """Whoever can open a staff page or the admin: the accounts a second factor is for."""
    return is_staff_member(user) or opens_the_admin(user)


def can_issue_enrolment_codes(user: User | AnonymousUser) -> TypeGuard[User]:
    """City staff issue second-factor enrolment codes to the other accounts that need one."""
    return is_city_staff(user)


def is_practitioner(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.role == Role.PRACTITIONER)


def is_city_staff(user: User | AnonymousUser) -> TypeGuard[User]:
    return is_staff_member(user) and user.role == Role.CITY_STAFF


def bureau_scope(user: User | AnonymousUser) -> Q | None:
    """A filter on `bureau` for the bureaus whose people the user may see; None when all."""
    if is_city_staff(user):
        return None
    if is_staff_member(user):
        return Q(bureau_id=user.bureau_id)
    return Q(pk__in=[])


def can_see_bureau(user: User | AnonymousUser, bureau: Bureau) -> bool:
    return is_city_staff(user) or (is_staff_member(user) and user.bureau_id == bureau.pk)


def can_manage_register(user: User, bureau: Bureau | None = None) -> bool:
    """Import and export: the bureau's admin, or city staff for any bureau."""
    if is_city_staff(user):
        return True
    if not is_staff_member(user) or user.role != Role.BUREAU_ADMIN:
        return False
    return bureau is None or user.bureau_id == bureau.pk


def importable_bureau_codes(user: User) -> set[str] | None:
    """Bureau codes whose rows the user may import; None when every bureau."""
    if is_city_staff(user):
        return None
    if can_manage_register(user) and user.bureau is not None:  # staff always have a bureau
        return {user.bureau.code}
    return set()


def can_add_practitioner(user: User, bureau: Bureau | None = None) -> bool:
    """A record for a holder the register lacks: the bureau's clerks and admin, city staff anywhere."""
    if is_city_staff(user):
        return True
    return is_staff_member(user) and (bureau is None or user.bureau_id == bureau.pk)


def can_move_practitioner(user: User) -> bool:
    """Moving a person to another bureau (with their applications): city staff only."""
    return is_city_staff(user)


def can_read_audit(user: User) -> bool:
    """Searching and exporting the whole audit trail: city staff only."""
    return is_city_staff(user)


def serves_counter_of(user: User, bureau: Bureau) -> bool:
    """A clerk of the bureau's service hall (city staff for the city-level practitioners, whose
    counter is the city hall): decides the bureau's people's applications and registrations."""
    if not is_staff_member(user):
        return False
    if user.role == Role.CLERK:
        return user.bureau_id == bureau.pk
    return user.role == Role.CITY_STAFF and bureau.is_city


def sees_counter_of(user: User, bureau: Bureau) -> bool:
    """Who sees the bureau's counter work: its clerks, its admin, and city staff."""
    return serves_counter_of(user, bureau) or (
        is_staff_member(user)
        and (
            user.role == Role.CITY_STAFF
            or (user.role == Role.BUREAU_ADMIN and user.bureau_id == bureau.pk)
        )
    )
