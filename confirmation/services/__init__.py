"""State changes at the counter (DESIGN §3.2), one module per subject: the decisions
(decisions), lookups of other bureaus' people (lookups), printing (printing); the refusals in
errors. Each is one atomic, audited function taking the acting clerk as `actor`.
"""

from confirmation.services.decisions import (
    close_change_request,
    confirm_at_counter,
    correct_at_counter,
    decision_changes,
    required_ticks,
    return_at_counter,
    return_reason_text,
)
from confirmation.services.errors import (
    AlreadyDecided,
    ChangedMeanwhile,
    CounterError,
    InvalidCorrection,
    InvalidDecision,
    MissingOriginals,
    NothingToChange,
    NotThisCounter,
    StillChanges,
)
from confirmation.services.lookups import record_lookup_elsewhere
from confirmation.services.printing import log_print, print_settings_for, save_print_settings

__all__ = [
    "AlreadyDecided",
    "ChangedMeanwhile",
    "CounterError",
    "InvalidCorrection",
    "InvalidDecision",
    "MissingOriginals",
    "NotThisCounter",
    "NothingToChange",
    "StillChanges",
    "close_change_request",
    "confirm_at_counter",
    "correct_at_counter",
    "decision_changes",
    "log_print",
    "print_settings_for",
    "record_lookup_elsewhere",
    "required_ticks",
    "return_at_counter",
    "return_reason_text",
    "save_print_settings",
]
