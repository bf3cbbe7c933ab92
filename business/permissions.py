"""Who may decide and see registrations. The one place that decides it, by the counter's rules
(practitioners.permissions, which the counter's own permissions also use): the clerks of the
practitioner's bureau decide (city staff for the city's own people); they, the bureau's admin
and city staff see them."""

from practitioners import permissions as register
from practitioners.models import Bureau, Practitioner, User


def can_decide(user: User, practitioner: Practitioner) -> bool:
    return can_decide_for(user, practitioner.bureau)


def can_decide_for(user: User, bureau: Bureau) -> bool:
    """Whether the user decides the registrations of this bureau's people."""
    return register.serves_counter_of(user, bureau)


def can_see_bureau(user: User, bureau: Bureau) -> bool:
    return register.sees_counter_of(user, bureau)
