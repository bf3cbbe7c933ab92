"""Staff accounts unused for REGISTRY_STAFF_UNUSED_DAYS are disabled by the daily command,
each audited, and the city's administrators are told; a dry run changes nothing."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from practitioners.constants import AuditAction
from practitioners.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(clerk_a, clerk_b, admin_a, city_staff, account_a):
    now = timezone.now()
    old = now - datetime.timedelta(days=91)
    User.objects.filter(pk=clerk_a.pk).update(last_login=old)
    User.objects.filter(pk=admin_a.pk).update(last_login=None, date_joined=old)  # never used
    User.objects.filter(pk=clerk_b.pk).update(last_login=now - datetime.timedelta(days=89))
    User.objects.filter(pk=account_a.pk).update(last_login=old)  # a practitioner: not staff
    User.objects.filter(pk=city_staff.pk).update(last_login=now, email="city@example.gov.cn")
    return clerk_a, admin_a, clerk_b, account_a


def run(*args) -> str:
    out = io.StringIO()
    call_command("disable_unused_staff", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_dry_run_lists_and_changes_nothing(accounts):
    out = run("--dry-run")
    assert "clerk_a" in out and "admin_a" in out and "clerk_b" not in out
    assert "2 unused staff account(s) would be disabled" in out
    assert User.objects.filter(is_active=False).count() == 0
    assert (
        not mail.outbox
        and not AuditEvent.objects.filter(action=AuditAction.STAFF_DISABLED_UNUSED).exists()
    )


def test_unused_staff_are_disabled_audited_and_the_city_told(accounts, client):
    clerk_a, admin_a, clerk_b, account_a = accounts
    assert "2 unused staff account(s) disabled" in run()
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "clerk_a",
        "admin_a",
    }
    events = AuditEvent.objects.filter(action=AuditAction.STAFF_DISABLED_UNUSED)
    assert sorted(e.detail["account"] for e in events) == ["admin_a", "clerk_a"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["city@example.gov.cn"]
    assert "clerk_a" in mail.outbox[0].body and "admin_a" in mail.outbox[0].body
    assert not client.login(username="clerk_a", password="Pass-word-2026")
    assert "0 unused" in run()  # disabled ones are not counted again
