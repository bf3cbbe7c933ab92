"""Limits on guessing and on bulk lookups, counted by django-ratelimit in the shared cache.

Each limited act (a login, an activation, a reset code, a password-reset request) counts its
failures in two tiers, both keyed on the account the attempt is for:

- per account and client address: a few failures, then a short cool-off. A person who mistyped
  waits minutes; so does an attacker at one address, who cannot try more than a few a quarter.
- per account alone: many more failures, only reachable from many addresses, then a longer one.

Never per address alone: behind one NAT or load balancer many people share an address, and one
person's failures must not lock the others out. A stranger who knows someone's ID number can lock
that person out only for the short cool-off from the stranger's own address, and for the longer
one only by spreading attempts over many addresses.

Windows are fixed (django-ratelimit's): a count starts at the first failure and is forgotten when
its window ends, which is also the time the person is told to come back.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Limit:
    """How many counted events an account may have in a window, from one address and in all.

    Rates are django-ratelimit's: "5/15m" is 5 in 15 minutes. per_address None: the account
    alone is counted (acts of logged-in staff, whose account is who they are)."""

    name: str
    per_address: str | None
    per_account: str


LOGIN = Limit("login", per_address="5/15m", per_account="30/h")
ACTIVATION = Limit("activation", per_address="5/15m", per_account="20/h")
RESET_CODE = Limit("reset-code", per_address="5/15m", per_account="20/h")
# Every request counts (each may send an email), not only failures.
PASSWORD_RESET_REQUEST = Limit("password-reset", per_address="3/h", per_account="10/h")
# A staff account's lookups of people who belong to another bureau (the counter's directions).
LOOKUP_ELSEWHERE = Limit("lookup-elsewhere", per_address=None, per_account="60/d")


class Throttled(Exception):
    """The account has reached a limit; it may try again at `until`."""

    def __init__(self, until: datetime.datetime):
        self.until = until
        super().__init__(message(until))


def message(until: datetime.datetime) -> str:
    """What the person is told: when to try again, in local time."""
    local = timezone.localtime(until)
    if local.date() == timezone.localdate():
        when = local.strftime("%H:%M")
    else:
        when = local.strftime("%Y-%m-%d %H:%M")
    return _("Too many failed attempts. Try again after %(time)s.") % {"time": when}


def _usage(limit: Limit, rate: str, value: str, *, increment: bool) -> dict:
    # The key goes into the cache key hashed (an ID number is personal data).
    digest = hashlib.sha256(value.encode()).hexdigest()
    return get_usage(
        None,
        group=f"registry-{limit.name}",
        key=lambda _group, _request: digest,
        rate=rate,
        increment=increment,
    )


def _tiers(limit: Limit, account: str, address: str) -> list[tuple[str, str]]:
    tiers = [(limit.per_account, f"account:{account}")]
    if limit.per_address is not None:
        tiers.insert(0, (limit.per_address, f"account:{account}|address:{address}"))
    return tiers


def check(limit: Limit, *, account: str, address: str = "") -> None:
    """Raise Throttled if the account (from this address) has used up its limit."""
    now = timezone.now()
    until = None
    for rate, value in _tiers(limit, account, address):
        usage = _usage(limit, rate, value, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            ends = now + datetime.timedelta(seconds=max(usage["time_left"], 1))
            until = ends if until is None else max(until, ends)
    if until is not None:
        raise Throttled(until)


def record(limit: Limit, *, account: str, address: str = "") -> None:
    """Count one event (a failure; for PASSWORD_RESET_REQUEST, a request) against the limit."""
    for rate, value in _tiers(limit, account, address):
        _usage(limit, rate, value, increment=True)
