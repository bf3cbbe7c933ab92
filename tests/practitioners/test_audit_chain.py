"""The audit trail is tamper-evident (practitioners.auditchain): every event carries its own
keyed SM3 seal, the sealer chains them, `verify_audit` names the first event changed, removed
or inserted, and on PostgreSQL a trigger refuses to change or delete one. On both databases."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from practitioners import auditchain
from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, Practitioner
from practitioners.services import record_event
from tests.helpers import audit_trigger_off, clear_audit_trail

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's"
)


@pytest.fixture
def sealed_trail(practitioner_a, clerk_a):
    """Six events in the chain: five written one by one, one by the bulk writer."""
    clear_audit_trail()
    for n in range(5):
        record_event(
            actor=clerk_a,
            action=AuditAction.UPDATED,
            practitioner=practitioner_a,
            changes=[{"field": "mobile", "old": str(n), "new": f"{n}·新"}],
            share=0.1 * n,
        )
    record_event(actor=None, action=AuditAction.VIEWED, bureau=practitioner_a.bureau)
    assert auditchain.seal() == 6
    return list(AuditEvent.objects.order_by("seq"))


def verify_command(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_every_event_is_sealed_as_written_and_the_sealer_chains_them_once(sealed_trail):
    assert [e.seq for e in sealed_trail] == [1, 2, 3, 4, 5, 6]
    assert all(len(e.mac) == 64 and len(e.chain) == 64 for e in sealed_trail)
    assert auditchain.seal() == 0  # nothing new: nothing moves
    assert list(AuditEvent.objects.order_by("seq").values_list("chain", flat=True)) == [
        e.chain for e in sealed_trail
    ]
    report = auditchain.verify()
    assert report.problem is None and report.sealed == 6 and report.unsealed == 0
    assert "intact: 6 event(s) in the chain" in verify_command()


def test_an_edited_event_is_named(sealed_trail):
    third = sealed_trail[2]
    with audit_trigger_off():
        AuditEvent.objects.filter(pk=third.pk).update(detail={"changes": "nothing to see"})
    problem = auditchain.verify().problem
    assert problem.kind == "changed" and problem.event_id == third.pk and problem.seq == 3
    with pytest.raises(CommandError, match=f"event {third.pk} .* was changed"):
        verify_command()


def test_an_event_given_to_someone_else_or_moved_in_time_is_named(sealed_trail, clerk_b):
    with audit_trigger_off():
        AuditEvent.objects.filter(pk=sealed_trail[1].pk).update(actor=clerk_b)
    assert auditchain.verify().problem.event_id == sealed_trail[1].pk


def test_a_removed_event_is_named_by_its_place(sealed_trail):
    with audit_trigger_off():
        AuditEvent.objects.filter(pk=sealed_trail[3].pk).delete()
    problem = auditchain.verify().problem
    assert problem.kind == "removed" and problem.seq == 4
    with pytest.raises(CommandError, match="place 4 of the chain is missing"):
        verify_command()


def test_an_inserted_event_is_caught_even_as_a_copy_of_a_real_one(sealed_trail):
    """Someone with the database but not the key copies a real event (its seal is valid for
    its content) into the middle of the chain, moving the later ones up a place."""
    copied = sealed_trail[1]
    with audit_trigger_off():
        for event in reversed(sealed_trail[2:]):
            AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq + 1)
        forged = AuditEvent.objects.create(
            at=copied.at,
            actor_id=copied.actor_id,
            action=copied.action,
            practitioner_id=copied.practitioner_id,
            bureau_id=copied.bureau_id,
            detail=copied.detail,
            mac=copied.mac,
            seq=3,
            chain=copied.chain,
        )
    problem = auditchain.verify().problem
    assert problem.kind == "inserted" and problem.event_id == forged.pk


def test_a_made_up_event_without_the_key_is_caught_before_and_after_sealing(sealed_trail):
    made_up = AuditEvent.objects.create(action=AuditAction.VIEWED, mac="0" * 64)
    problem = auditchain.verify().problem  # unsealed: its own seal is wrong
    assert problem.kind == "changed" and problem.event_id == made_up.pk
    auditchain.seal()
    assert auditchain.verify().problem.event_id == made_up.pk
    with audit_trigger_off():
        AuditEvent.objects.filter(pk=made_up.pk).update(mac="", seq=None, chain="")
    problem = auditchain.verify().problem  # no seal of its own at all
    assert problem.kind == "inserted" and problem.event_id == made_up.pk


def test_events_removed_from_the_end_show_against_the_head_noted_apart(sealed_trail):
    out = io.StringIO()
    call_command("seal_audit", verbosity=2, stdout=out)
    noted = out.getvalue().split("head ")[1].strip()
    assert noted == f"6:{sealed_trail[-1].chain}"
    with audit_trigger_off():
        AuditEvent.objects.filter(seq__gte=5).delete()
    assert auditchain.verify().problem is None  # the chain alone cannot tell
    with pytest.raises(CommandError, match="ends at place 4: the events after it"):
        verify_command("--head", noted)


def test_the_bulk_writer_seals_its_events_too(sealed_trail, clerk_a, practitioner_b):
    from practitioners.records import _event

    event = _event(
        actor=clerk_a,
        action=AuditAction.UPDATED,
        practitioner_id=practitioner_b.pk,
        bureau_id=practitioner_b.bureau_id,
        at=sealed_trail[0].at,
        detail={"count": 2},
    )
    AuditEvent.objects.bulk_create([event])
    assert auditchain.seal() >= 1 and auditchain.verify().problem is None
    assert AuditEvent.objects.get(pk=event.pk).seq is not None


def test_deleting_a_person_or_an_account_leaves_their_events_as_written(
    sealed_trail, practitioner_a, clerk_a
):
    """The events keep the ids they were written with; nothing rewrites them (which the
    trigger would refuse, and the seal would show)."""
    Practitioner.objects.filter(pk=practitioner_a.pk).delete()
    clerk_a.delete()
    assert AuditEvent.objects.filter(practitioner_id=practitioner_a.pk).count() == 5
    assert auditchain.verify().problem is None


def test_a_different_key_reads_every_event_as_changed(sealed_trail, settings):
    settings.REGISTRY_AUDIT_KEY = "ab" * 32
    assert auditchain.verify().problem.event_id == sealed_trail[0].pk
    settings.REGISTRY_AUDIT_KEY = "not hex"
    with pytest.raises(Exception, match="REGISTRY_AUDIT_KEY"):
        auditchain.key()


def test_show_key_prints_what_keeps_the_trail_readable_after_a_new_secret_key(
    sealed_trail, settings
):
    derived = verify_command("--show-key").strip()
    settings.SECRET_KEY = "a-new-secret-key-" * 4
    assert auditchain.verify().problem is not None
    settings.REGISTRY_AUDIT_KEY = derived
    assert auditchain.verify().problem is None


@postgresql_only
def test_the_trigger_refuses_to_change_or_delete_an_event(sealed_trail):
    event = sealed_trail[0]
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(seq=99),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(chain="0" * 64),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="never"), transaction.atomic():
            attempt()
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE practitioners_auditevent SET detail = '{}'::jsonb WHERE id = %s",
                [event.pk],
            )


@postgresql_only
def test_the_trigger_lets_the_sealer_seal_once_and_change_nothing_else(practitioner_a):
    clear_audit_trail()
    event = record_event(actor=None, action=AuditAction.VIEWED, practitioner=practitioner_a)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(seq=1, chain="1" * 64, action="x")
    assert auditchain.seal() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(seq=None, chain="")


def test_the_retention_setting_has_a_floor_of_180_days():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "90"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'accounting_registry.settings.test'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "AUDIT_RETENTION_DAYS must be at least 180" in done.stderr
