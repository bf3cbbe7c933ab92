"""The notice's gate: "须先完成个人信息采集确认，才能办理上岗注册、继续教育登记等其他业务".

A practitioner does business with the bureau (an information change, a change of contact
details, an on-post registration, a continuing-education registration) only once the counter
has confirmed their collected information, and not while their record is in the pending pool
(待处理库). `refusal` is the one rule; every service of such an action is wrapped in `gated`,
which calls it before anything else and registers the action in GATED_ACTIONS (a test lists
them, so that a new action cannot skip the gate).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practitioners.models import Practitioner

# The actions behind the gate, and what they are called.
CHANGE_REQUEST = "change_request"
CONTACT_CHANGE = "contact_change"
ON_POST_REGISTRATION = "on_post_registration"
CONTINUING_EDUCATION = "continuing_education"
LABELS = {
    CHANGE_REQUEST: gettext_lazy("Information change"),
    CONTACT_CHANGE: gettext_lazy("Change of contact details"),
    ON_POST_REGISTRATION: gettext_lazy("On-post registration"),
    CONTINUING_EDUCATION: gettext_lazy("Continuing-education registration"),
}

# action -> label of every service wrapped in `gated` (filled as the services are imported).
GATED_ACTIONS: dict[str, str] = {}


@dataclass(frozen=True)
class Refusal:
    """Why a practitioner may not do business yet; `pending` when their record is in the pool."""

    message: str
    pending: bool


class NotCollected(Exception):  # noqa: N818 - a refusal, read as "the person is not collected"
    def __init__(self, refusal: Refusal, action: str):
        super().__init__(refusal.message)
        self.message = refusal.message
        self.pending = refusal.pending
        self.action = action


def _not_collected_message(action: str | None) -> str:
    """Why an unconfirmed practitioner is refused, naming what they tried to do (a whole
    sentence per action, so that each language can word it its own way)."""
    if action == CHANGE_REQUEST:
        return _(
            "First complete the information collection and have it confirmed at the counter: "
            "only then can you change your information."
        )
    if action == CONTACT_CHANGE:
        return _(
            "First complete the information collection and have it confirmed at the counter: "
            "only then can you change your contact details."
        )
    if action == ON_POST_REGISTRATION:
        return _(
            "First complete the information collection and have it confirmed at the counter: "
            "only then can you register on a post."
        )
    if action == CONTINUING_EDUCATION:
        return _(
            "First complete the information collection and have it confirmed at the counter: "
            "only then can you register continuing education."
        )
    return _(
        "First complete the information collection and have it confirmed at the "
        "counter: only then can you register on a post, register continuing education "
        "or change your information."
    )


def _pending_message(action: str | None) -> str:
    """Why a practitioner in the pending pool is refused, naming what they tried to do."""
    if action == CHANGE_REQUEST:
        return _(
            "Your record is in the pending pool because your information was not confirmed "
            "by the collection deadline. Complete the information collection and have it "
            "confirmed at the counter; then you can change your information at once."
        )
    if action == CONTACT_CHANGE:
        return _(
            "Your record is in the pending pool because your information was not confirmed "
            "by the collection deadline. Complete the information collection and have it "
            "confirmed at the counter; then you can change your contact details at once."
        )
    if action == ON_POST_REGISTRATION:
        return _(
            "Your record is in the pending pool because your information was not confirmed "
            "by the collection deadline. Complete the information collection and have it "
            "confirmed at the counter; then you can register on a post at once."
        )
    if action == CONTINUING_EDUCATION:
        return _(
            "Your record is in the pending pool because your information was not confirmed "
            "by the collection deadline. Complete the information collection and have it "
            "confirmed at the counter; then you can register continuing education at once."
        )
    return _(
        "Your record is in the pending pool because your information was not confirmed "
        "by the collection deadline. Complete the information collection and have it "
        "confirmed at the counter; then you can do this at once."
    )


def refusal(practitioner: Practitioner, action: str | None = None) -> Refusal | None:
    """None when the practitioner may do business; otherwise why not, in their words. Given
    the action they tried, the message names it (the contact-details page speaks of contact
    details); without one (the home page) it names the business in general."""
    if practitioner.pending_since is not None:
        return Refusal(_pending_message(action), pending=True)
    if practitioner.confirmed_at is None:
        return Refusal(_not_collected_message(action), pending=False)
    return None


def require_collected(practitioner: Practitioner, action: str) -> None:
    """Raise NotCollected unless the practitioner may do business."""
    found = refusal(practitioner, action)
    if found is not None:
        raise NotCollected(found, action)


def gated(action: str) -> Callable:
    """Mark a service as business that needs a confirmed collection: it is refused (NotCollected)
    before it reads or writes anything. The service takes the practitioner as `practitioner=`."""

    def decorate(service: Callable) -> Callable:
        GATED_ACTIONS[action] = LABELS[action]

        @functools.wraps(service)
        def wrapped(*args, practitioner: Practitioner, **kwargs):
            require_collected(practitioner, action)
            return service(*args, practitioner=practitioner, **kwargs)

        wrapped.gated_action = action
        return wrapped

    return decorate
