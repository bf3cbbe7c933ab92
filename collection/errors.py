"""Refusals of the collection app's services, each with a message for the user."""

from django.utils import timezone
from django.utils.translation import gettext as _


class CollectionError(Exception):
    """A refusal with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActivationError(CollectionError):
    def __init__(self, message: str, *, not_matched: bool = False, bureau=None, locked_until=None):
        super().__init__(message)
        # No record matches what was typed (none for the ID number, or other details): say where
        # to go, the same way in both cases.
        self.not_matched = not_matched
        self.bureau = bureau
        self.locked_until = locked_until


class NoActiveCampaign(CollectionError):
    pass


class StaleApplication(CollectionError):
    """The form was built from an older revision (another tab or device saved meanwhile), or
    carries none at all."""

    def __init__(self, application):
        super().__init__(
            _(
                "This application was changed in another window at %(time)s. Your entries are kept below: check them and save again."
            )
            % {"time": timezone.localtime(application.updated_at).strftime("%H:%M:%S")}
        )
        self.application = application


class TransitionNotAllowed(CollectionError):
    pass


class InvalidApplication(CollectionError):
    """The values break the application's rules (collection.rules); `errors`: field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Some entries need correcting: see the messages next to the fields."))
        self.errors = errors
