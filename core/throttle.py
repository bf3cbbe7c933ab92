"""Limits on guessing and on bulk lookups, counted in the shared cache.

Each limited act (a login, an activation, a reset code, a password-reset request) counts its
failures several ways at once, following OWASP's Authentication Cheat Sheet:

- per client address across accounts, and per the address's network (/24, /64; see
  core.clients): one address, or one subscriber's block, trying password after password over
  many predictable user names (spraying) is stopped after a few dozen, whichever accounts;
- per account and client address: a few failures, then a short cool-off. A person who mistyped
  waits minutes; so does an attacker at one address;
- per account, from everywhere: a growing delay, never a long lock. Once the account has had
  some failures, each further attempt waits longer after the last failure (doubling up to a
  few minutes), so guessing from many addresses gets at most a dozen tries an hour, while the
  owner, who did not make those failures, waits minutes at most;
- for logins, a device cookie (signed, for one account, set after a successful login) marks a
  browser that has logged in to the account before. Such a browser is counted on its own
  (a few failures per cookie) instead of by the tiers above, so failures from elsewhere,
  at the account or at a shared address, never stop the owner at their usual device.

Rate windows are fixed (django-ratelimit's): a count starts at the first failure and is
forgotten when its window ends, which is also the time the person is told to come back.
"""

import datetime
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Slowdown:
    """A growing wait per account: after `free` failures (from anywhere), each attempt waits
    `first_wait` seconds after the last failure, doubled with each further failure up to
    `longest_wait`; the count is forgotten `forget_after` seconds after the last failure."""

    free: int
    first_wait: int
    longest_wait: int
    forget_after: int

    def wait(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.first_wait * 2 ** min(failures - self.free, 30), self.longest_wait)


@dataclass(frozen=True)
class Limit:
    """How many counted events an act may have in a window, by each of the counts it keeps.

    Rates are django-ratelimit's: "5/15m" is 5 in 15 minutes. A count left None is not kept.
    per_account is a hard quota per account (acts of logged-in staff, whose account is who they
    are); guessing is slowed per account by `account_slowdown` instead, which never locks for
    long."""

    name: str
    per_account: str | None = None
    per_account_address: str | None = None
    per_address: str | None = None
    per_network: str | None = None
    per_device: str | None = None
    account_slowdown: Slowdown | None = None


# More free failures than one address may make for one account (per_account_address), so a
# stranger at one address never makes the owner wait at all.
_SLOWDOWN = Slowdown(free=10, first_wait=15, longest_wait=5 * 60, forget_after=60 * 60)

LOGIN = Limit(
    "login",
    per_account_address="5/15m",
    per_address="20/15m",
    per_network="60/15m",
    per_device="5/15m",
    account_slowdown=_SLOWDOWN,
)
# Activation is done once per person, often from an employer's shared address on the same
# days as colleagues: the counts across accounts run over an hour and allow more.
ACTIVATION = Limit(
    "activation",
    per_account_address="5/15m",
    per_address="30/h",
    per_network="100/h",
    account_slowdown=_SLOWDOWN,
)
RESET_CODE = Limit(
    "reset-code",
    per_account_address="5/15m",
    per_address="20/h",
    per_network="60/h",
    account_slowdown=_SLOWDOWN,
)
# Every request counts (each may send an email), not only failures; a mailbox is flooded by
# many requests, so the per-address quota stays a hard one.
PASSWORD_RESET_REQUEST = Limit(
    "password-reset",
    per_account="10/h",
    per_account_address="3/h",
    per_address="10/h",
    per_network="30/h",
)
# A staff account's lookups of people who belong to another bureau (the counter's directions).
LOOKUP_ELSEWHERE = Limit("lookup-elsewhere", per_account="60/d")
# A practitioner's downloads of everything held about them (the PDF is drawn on request).
MY_DATA = Limit("my-data", per_account="10/h")

# Scopes of a limit reached: what the person is told differs.
ACCOUNT = "account"
NETWORK = "network"


class Throttled(Exception):
    """A limit is reached; the person may try again at `until`. `scope`: ACCOUNT when the
    account's counts are used up, NETWORK when the client's address or network's are."""

    def __init__(self, until: datetime.datetime, scope: str = ACCOUNT):
        self.until = until
        self.scope = scope
        super().__init__(message(until, scope))


def message(until: datetime.datetime, scope: str = ACCOUNT) -> str:
    """What the person is told: when to try again, in local time, rounded up to the minute
    (so that "after 10:33" is always true)."""
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    if local.date() == timezone.localdate():
        when = local.strftime("%H:%M")
    else:
        when = local.strftime("%Y-%m-%d %H:%M")
    if scope == NETWORK:
        return _(
            "Too many failed attempts from your network. Try again after %(time)s, or from another network."
        ) % {"time": when}
    return _("Too many failed attempts. Try again after %(time)s.") % {"time": when}


def _digest(value: str) -> str:
    # Keys go into the cache hashed (an ID number is personal data).
    return hashlib.sha256(value.encode()).hexdigest()


def _usage(limit: Limit, rate: str, value: str, *, increment: bool) -> dict:
    digest = _digest(value)
    return get_usage(
        None,
        group=f"registry-{limit.name}",
        key=lambda _group, _request: digest,
        rate=rate,
        increment=increment,
    )


def _now() -> float:
    # The counters' clock (django-ratelimit's), so that every count of a limit moves together
    # (tests move it).
    return ratelimit_core.time.time()


def _tiers(
    limit: Limit, account: str, address: str, network: str, device: str | None
) -> list[tuple[str, str, str]]:
    """(rate, counted value, scope) of every rate count that applies to this attempt."""
    if device is not None and limit.per_device is not None:
        return [(limit.per_device, f"device:{device}", ACCOUNT)]
    tiers = []
    if limit.per_account is not None:
        tiers.append((limit.per_account, f"account:{account}", ACCOUNT))
    if limit.per_account_address is not None:
        tiers.append((limit.per_account_address, f"account:{account}|address:{address}", ACCOUNT))
    if limit.per_address is not None and address:
        tiers.append((limit.per_address, f"address:{address}", NETWORK))
    if limit.per_network is not None and network:
        tiers.append((limit.per_network, f"network:{network}", NETWORK))
    return tiers


def _slowdown_key(limit: Limit, account: str) -> str:
    return f"registry-{limit.name}-slowdown:{_digest(account)}"


def check(
    limit: Limit,
    *,
    account: str,
    address: str = "",
    network: str = "",
    device: str | None = None,
) -> None:
    """Raise Throttled if this attempt has to wait: the account's, the address's, the
    network's or (`device`, from known_device) the device's counts are used up."""
    now = timezone.now()
    waits: list[tuple[datetime.datetime, str]] = []
    for rate, value, scope in _tiers(limit, account, address, network, device):
        usage = _usage(limit, rate, value, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            waits.append((now + datetime.timedelta(seconds=max(usage["time_left"], 1)), scope))
    if limit.account_slowdown is not None and device is None:
        key = _slowdown_key(limit, account)
        stored = _cache().get_many([f"{key}:failures", f"{key}:last"])
        failures, last = stored.get(f"{key}:failures", 0), stored.get(f"{key}:last", 0.0)
        left = last + limit.account_slowdown.wait(failures) - _now()
        if left > 0:
            waits.append((now + datetime.timedelta(seconds=math.ceil(left)), ACCOUNT))
    if waits:
        raise Throttled(*max(waits))


def record(
    limit: Limit,
    *,
    account: str,
    address: str = "",
    network: str = "",
    device: str | None = None,
) -> None:
    """Count one event (a failure; for PASSWORD_RESET_REQUEST, a request) against the limit."""
    for rate, value, _scope in _tiers(limit, account, address, network, device):
        _usage(limit, rate, value, increment=True)
    slowdown = limit.account_slowdown
    if slowdown is not None and device is None:
        # The count goes up by the cache's increment (one for each of two failures at once),
        # and both it and the time of the last failure are forgotten an hour after the last.
        key, cache = _slowdown_key(limit, account), _cache()
        cache.add(f"{key}:failures", 0, slowdown.forget_after)
        try:
            cache.incr(f"{key}:failures")
        except ValueError:  # expired between the two calls
            cache.set(f"{key}:failures", 1, slowdown.forget_after)
        cache.touch(f"{key}:failures", slowdown.forget_after)
        cache.set(f"{key}:last", _now(), slowdown.forget_after)


def _cache():
    # The cache django-ratelimit counts in (its setting), so that every count lives together.
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


# --- Device cookies ----------------------------------------------------------------------

DEVICE_COOKIE_PREFIX = "registry_device_"
DEVICE_COOKIE_AGE = 365 * 24 * 60 * 60
_DEVICE_SALT = "core.throttle.device"


def _account_mac(account: str) -> str:
    return salted_hmac(_DEVICE_SALT, account, algorithm="sha256").hexdigest()


def _device_cookie_name(account: str) -> str:
    # One cookie per account (a shared computer at a counter serves several), named without
    # the account's name in clear.
    return DEVICE_COOKIE_PREFIX + _account_mac(account)[:16]


def known_device(request: HttpRequest, account: str) -> str | None:
    """The id of this browser's device cookie for `account`, if it holds a valid one (signed
    by us, for this account, less than a year old), else None."""
    value = request.COOKIES.get(_device_cookie_name(account))
    if not value:
        return None
    try:
        mac, device = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(device, str) or not constant_time_compare(mac, _account_mac(account)):
        return None
    return device


def trust_device(request: HttpRequest, account: str) -> None:
    """After a successful login: give this browser a new device cookie for the account
    (written on the response by DeviceCookieMiddleware)."""
    value = signing.dumps([_account_mac(account), secrets.token_hex(16)], salt=_DEVICE_SALT)
    request.registry_device_cookie = (_device_cookie_name(account), value)  # type: ignore[attr-defined]


class DeviceCookieMiddleware:
    """Writes the device cookie trust_device chose for the request onto its response (the
    authentication backend, which decides it, has no response to write on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cookie = getattr(request, "registry_device_cookie", None)
        if cookie is not None:
            name, value = cookie
            response.set_cookie(
                name,
                value,
                max_age=DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
