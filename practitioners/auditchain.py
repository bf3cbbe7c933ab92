"""The audit trail made tamper-evident: every event sealed by a keyed SM3 hash, and chained.

Two hashes, both HMAC-SM3 under the audit key (settings.REGISTRY_AUDIT_KEY, or one derived from
SECRET_KEY), which the database does not hold, so that someone able to write to the database
cannot forge either:

- `mac`, written with the event itself (`stamp`, called by the two writers of events,
  practitioners.services.record_event and practitioners.records): the hash of the event's
  content. Changing an event, or inserting one without the key, is caught from the moment it
  is written.
- `seq` and `chain`, written by the sealer (`seal`, `manage.py seal_audit`, run every minute
  by cron, or `verify_audit --seal`): the event's place in one sequence, and the hash of the
  previous event's `chain` and this event's `mac`. Removing a sealed event leaves a gap in the
  sequence, and putting one back or in between breaks the chain: both are caught.

Sealing after the event, in its own short transaction, rather than chaining as events are
written: a chain written with each event would make every transaction that audits anything
wait for every other one until it commits, at the peak. Until it is sealed (a minute at most),
an event that is removed leaves no trace; one that is changed or made up does.

On PostgreSQL a trigger (migration 0008) refuses to delete an event, or to change one other
than by sealing it once. The admin shows events read-only, and no page or command changes them.
`verify` walks the chain and names the first event that was changed, removed or inserted.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from practitioners.models import AuditEvent

VERSION = 1  # of the content's layout: hashed in, so that a later layout is never confused
GENESIS = "0" * 64  # the chain's value before the first event
SEAL_BATCH = 5000
# The PostgreSQL advisory lock that makes one sealer at a time (any fixed number of ours).
SEAL_LOCK = 4_502_011


def key() -> bytes:
    """The audit key: REGISTRY_AUDIT_KEY (at least 32 bytes, in hexadecimal), or else derived
    from SECRET_KEY (then changing the secret key without first setting REGISTRY_AUDIT_KEY to
    the derived key, `verify_audit --show-key`, makes every event read as changed)."""
    configured = settings.REGISTRY_AUDIT_KEY
    if not configured:
        return hmac.new(settings.SECRET_KEY.encode(), b"registry audit chain", "sm3").digest()
    try:
        secret = bytes.fromhex(configured)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise ImproperlyConfigured("REGISTRY_AUDIT_KEY must be at least 32 bytes in hexadecimal.")
    return secret


def _sm3(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, "sm3").hexdigest()


def content(event: AuditEvent) -> bytes:
    """The event as hashed: every column it is written with, in a fixed form that the
    database gives back unchanged (the time in UTC to the microsecond, the address as bytes, the
    detail as JSON with sorted keys)."""
    at = event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    address = ipaddress.ip_address(event.address).packed.hex() if event.address else None
    detail = json.loads(json.dumps(event.detail, cls=AuditEvent._meta.get_field("detail").encoder))
    return json.dumps(
        [
            VERSION,
            at,
            event.actor_id,
            event.action,
            event.bureau_id,
            event.practitioner_id,
            detail,
            address,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def stamp(event: AuditEvent, secret: bytes | None = None) -> AuditEvent:
    """Set the event's `mac` (before it is written; the time must be set)."""
    event.mac = _sm3(secret or key(), content(event))
    return event


def link(previous: str, mac: str, secret: bytes) -> str:
    return _sm3(secret, f"{previous}:{mac}".encode())


def seal(*, batch: int = SEAL_BATCH) -> int:
    """Give every unsealed event its place in the chain, oldest first; how many were sealed.
    One sealer at a time (an advisory lock on PostgreSQL; on SQLite the second writer waits or
    fails and seals at its next run)."""
    secret = key()
    sealed = 0
    while True:
        try:
            done = _seal_batch(secret, batch)
        except IntegrityError:  # another sealer took these places first (SQLite)
            return sealed
        sealed += done
        if done < batch:
            return sealed


def _seal_batch(secret: bytes, batch: int) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
        seq, previous = head()
        events = list(
            AuditEvent.objects.filter(seq__isnull=True).order_by("id").only("id", "mac")[:batch]
        )
        for event in events:
            seq += 1
            event.seq = seq
            event.chain = previous = link(previous, event.mac, secret)
        AuditEvent.objects.bulk_update(events, ["seq", "chain"], batch_size=1000)
        return len(events)


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong: which event (its id, None for a missing one), its place
    in the chain, and what (changed, removed or inserted)."""

    kind: str  # "changed" | "removed" | "inserted"
    event_id: int | None
    seq: int | None
    text: str


@dataclass
class Report:
    sealed: int = 0
    unsealed: int = 0
    problem: Problem | None = None


def head() -> tuple[int, str]:
    """The chain's last place and its hash ((0, GENESIS) before the first seal). Kept outside
    the database (`seal_audit` prints it for the system log), it shows later that no event was
    removed from the end of the chain, which the chain alone cannot show."""
    last = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "chain")
        .first()
    )
    return last if last else (0, GENESIS)


def verify(*, chunk: int = 2000, known_head: tuple[int, str] | None = None) -> Report:
    """Walk the sealed events in chain order, then the unsealed ones; stop at the first
    problem. `known_head`: a head (place, hash) noted earlier, which the chain must still
    hold. Reads only."""
    secret = key()
    report = Report()
    report.problem = _check_head(known_head) if known_head else None
    if report.problem:
        return report
    previous, expected = GENESIS, 1
    for event in _events(seq__isnull=False, order="seq", chunk=chunk):
        if event.seq != expected:
            if event.seq > expected:
                missing = (
                    f"{expected}" if event.seq == expected + 1 else f"{expected}–{event.seq - 1}"
                )
                text = f"place {missing} of the chain is missing: removed before event {event.id}"
                report.problem = Problem("removed", None, expected, text)
            else:
                text = f"event {event.id} takes place {event.seq}, already taken: inserted"
                report.problem = Problem("inserted", event.id, event.seq, text)
            return report
        if not hmac.compare_digest(event.mac, _sm3(secret, content(event))):
            report.problem = _changed_or_inserted(event)
            return report
        previous = link(previous, event.mac, secret)
        if not hmac.compare_digest(event.chain, previous):
            text = (
                f"the chain breaks at event {event.id} (place {event.seq}): an event was "
                "inserted or removed before it, or its place was changed"
            )
            report.problem = Problem("inserted", event.id, event.seq, text)
            return report
        report.sealed += 1
        expected += 1
    for event in _events(seq__isnull=True, order="id", chunk=chunk):
        if event.chain or not hmac.compare_digest(event.mac, _sm3(secret, content(event))):
            report.problem = _changed_or_inserted(event)
            return report
        report.unsealed += 1
    return report


def _check_head(known: tuple[int, str]) -> Problem | None:
    seq, chain = known
    found = AuditEvent.objects.filter(seq=seq).values_list("id", "chain").first()
    if found is None:
        last = head()[0]
        text = f"the chain ends at place {last}: the events after it, to place {seq}, were removed"
        return Problem("removed", None, last + 1, text)
    if not hmac.compare_digest(found[1], chain):
        text = (
            f"place {seq} (event {found[0]}) does not hold the head noted: the chain was rewritten"
        )
        return Problem("inserted", found[0], seq, text)
    return None


def _changed_or_inserted(event: AuditEvent) -> Problem:
    if not event.mac:
        text = f"event {event.id} has no seal of its own: inserted behind the registry's back"
        return Problem("inserted", event.id, event.seq, text)
    text = f"event {event.id} ({event.action}, {event.at:%Y-%m-%d %H:%M:%S}) was changed"
    return Problem("changed", event.id, event.seq, text)


def _events(*, order: str, chunk: int, **filters: Any) -> Iterator[AuditEvent]:
    """The events in `order`, a chunk at a time by keyset (flat memory at millions)."""
    after = None
    while True:
        qs = AuditEvent.objects.filter(**filters).order_by(order)
        if after is not None:
            qs = qs.filter(**{f"{order}__gt": after})
        rows = list(qs[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        after = getattr(rows[-1], order)


def fingerprint() -> str:
    """The audit key's fingerprint (the start of its SM3 hash): two deployments showing the same
    one hold the same key, and the fingerprint gives nothing of the key away."""
    return hashlib.new("sm3", key()).hexdigest()[:16]
