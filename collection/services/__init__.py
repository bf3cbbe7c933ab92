"""State changes of the collection app (DESIGN §3.1). Views and other apps call these only.

accounts: activation and new passwords; applications: drafts, submissions, photos, moves,
campaigns. The refusals are in collection.errors.
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
    mark_notice_read,
    move_practitioner,
    save_application,
    save_campaign,
    save_draft,
    set_application_photo,
    submit_application,
)

__all__ = [
    "ActivationError",
    "CollectionError",
    "InvalidApplication",
    "NoActiveCampaign",
    "StaleApplication",
    "TransitionNotAllowed",
    "activate_account",
    "add_submission_version",
    "issue_reset_code",
    "mark_notice_read",
    "move_practitioner",
    "reset_password_with_code",
    "save_application",
    "save_campaign",
    "save_draft",
    "set_application_photo",
    "submit_application",
]
