"""Who may see and do what in the collection app. The one place that decides it.

- A practitioner sees their own record, application, photo and printed form.
- Staff see the applications and photos of their bureau's people; city staff every bureau's.
- City staff manage the campaigns.
- A one-time password code is issued only by a counter clerk of the person's bureau, who has
  the ID card in front of them: not by the bureau's admin, nor by city staff.
"""

from practitioners import permissions as register
from practitioners.constants import Role
from practitioners.models import Practitioner, User


def can_see_practitioner(user: User, practitioner: Practitioner) -> bool:
    """The practitioner themself, or staff of the practitioner's bureau (city staff: all)."""
    if register.is_practitioner(user):
        return practitioner.account_id == user.pk
    return register.can_see_bureau(user, practitioner.bureau)


def can_manage_campaigns(user: User) -> bool:
    return register.is_city_staff(user)


def can_issue_reset_code(user: User, practitioner: Practitioner) -> bool:
    return (
        register.is_staff_member(user)
        and user.role == Role.CLERK
        and user.bureau_id == practitioner.bureau_id
    )
