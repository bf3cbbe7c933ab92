"""Who may see and do what in progress reporting. The one place that decides it.

- A county's admin files its work plan and writes and submits its weekly sheets.
- The county's staff (admin and clerks) see its figures, plan, sheets and the people behind
  the figures.
- City staff see every bureau's, and act: acknowledge or return plans, accept or return sheets,
  publish bulletins.
- Everyone, signed in or not, reads published bulletins.
"""

from django.contrib.auth.models import AnonymousUser

from practitioners.constants import Role
from practitioners.models import Bureau, User
from practitioners.permissions import can_see_bureau, is_city_staff, is_staff_member


def can_see_progress(user: User | AnonymousUser, bureau: Bureau) -> bool:
    """A bureau's figures, plan, sheets and people lists: its own staff and city staff."""
    return can_see_bureau(user, bureau)


def is_county_admin(user: User | AnonymousUser, bureau: Bureau) -> bool:
    return (
        is_staff_member(user)
        and user.role == Role.BUREAU_ADMIN
        and user.bureau_id == bureau.pk
        and not bureau.is_city
    )


def can_file_plan(user: User | AnonymousUser, bureau: Bureau) -> bool:
    return is_county_admin(user, bureau)


def can_write_sheet(user: User | AnonymousUser, bureau: Bureau) -> bool:
    return is_county_admin(user, bureau)


def can_supervise(user: User | AnonymousUser) -> bool:
    """Acknowledge or return plans, accept or return sheets, publish bulletins, the dashboard."""
    return is_city_staff(user)


def reports(bureau: Bureau) -> bool:
    """Whether a bureau files plans and sheets: the counties do; the city supervises them."""
    return not bureau.is_city
