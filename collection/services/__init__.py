"""State changes of the collection app (DESIGN §3.1). Views and other apps call these only.

accounts: activation and new passwords; applications: drafts, submissions (collections and
change requests), contact changes, photos; moves: a person to another bureau; campaigns; states: an application's one
writer (its status, counted state and tallies); pool: the pending pool. The refusals are in collection.errors.
"""

from collection.errors import (
    ActivationError,
    CollectionError,
    InvalidApplication,
    NoActiveCampaign,
    StaleApplication,
    TransitionNotAllowed,
)
from collection.services.accounts import (
    activate_account,
    issue_reset_code,
    reset_password_with_code,
)
from collection.services.applications import (
    add_submission_version,
    change_contact,
    mark_notice_read,
    save_change_draft,
    save_draft,
    set_application_photo,
    submit_application,
    submit_change,
)
from collection.services.campaigns import save_campaign
from collection.services.moves import move_practitioner
from collection.services.pool import PoolMove, move_unconfirmed_to_pending, pool_opens_at
from collection.services.states import save_application

__all__ = [
    "ActivationError",
    "CollectionError",
    "InvalidApplication",
    "NoActiveCampaign",
    "PoolMove",
    "StaleApplication",
    "TransitionNotAllowed",
    "activate_account",
    "add_submission_version",
    "change_contact",
    "issue_reset_code",
    "mark_notice_read",
    "move_practitioner",
    "move_unconfirmed_to_pending",
    "pool_opens_at",
    "reset_password_with_code",
    "save_application",
    "save_campaign",
    "save_change_draft",
    "save_draft",
    "set_application_photo",
    "submit_application",
    "submit_change",
]
