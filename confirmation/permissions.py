"""Who may do what at the counter. The one place that decides it.

- act (confirm, return, correct, print): clerks of the practitioner's bureau; city staff for
  the city-level (市本级) practitioners, whose counter is the city service hall;
- view (queue, review, day list): the above, the bureau's admin, and city staff for every bureau;
- print settings: the bureau's admin (city staff for the city bureau).
"""

from practitioners import permissions as register
from practitioners.constants import Role
from practitioners.models import Bureau, User


def can_act(user: User, bureau: Bureau) -> bool:
    return register.serves_counter_of(user, bureau)


def can_view(user: User, bureau: Bureau) -> bool:
    return register.sees_counter_of(user, bureau)


def can_manage_printer(user: User, bureau: Bureau) -> bool:
    if not register.is_staff_member(user):
        return False
    if user.role == Role.BUREAU_ADMIN:
        return user.bureau_id == bureau.pk
    return user.role == Role.CITY_STAFF and bureau.is_city
