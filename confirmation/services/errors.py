"""The counter's refusals: each says why, in words for the clerk."""


class CounterError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyDecided(CounterError):
    """Another counter confirmed or returned the application first."""


class ChangedMeanwhile(CounterError):
    """The application changed after the clerk opened it (or the form carries no revision)."""


class NotThisCounter(CounterError):
    """The application is (now) another counter's: the person belongs to another bureau."""


class InvalidDecision(CounterError):
    """What the clerk entered for the decision cannot be used (a reason, a field, a value)."""


class MissingOriginals(CounterError):
    """Confirm was pressed with required ticks unset; `missing` holds their keys."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


class NothingToChange(CounterError):
    """A change request whose values the record already holds: there is nothing to confirm."""


class StillChanges(CounterError):
    """A change request asked to be closed while it still changes the record."""


class InvalidCorrection(InvalidDecision):
    """The corrected value breaks the application's rules (collection.rules)."""
