"""Who may decide and see registrations. The one place that decides it, after the counter's
rules (confirmation.permissions): the clerks of the practitioner's bureau decide (city staff
for the city's own people); they, the bureau's admin and city staff see them."""

from confirmation import permissions as counter
from practitioners.models import Bureau, Practitioner, User


def can_decide(user: User, practitioner: Practitioner) -> bool:
    return can_decide_for(user, practitioner.bureau)


def can_decide_for(user: User, bureau: Bureau) -> bool:
    """Whether the user decides the registrations of this bureau's people."""
    return counter.can_act(user, bureau)


def can_see_bureau(user: User, bureau: Bureau) -> bool:
    return counter.can_view(user, bureau)
