"""The demo (`make run`) is told through the product's own services on a controlled clock
(accounting_registry.demo), so it holds what real data hold by construction. These tests check
that the story reaches every state a user should be able to try, that its figures agree with
its rows, and that its sheets and bulletins agree with each other."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from business.constants import RegistrationStatus
from business.models import EducationRecord, OnPostRegistration
from business.selectors import change_overlaps, flagged
from collection import tallies as application_tallies
from collection.constants import ApplicationKind, ApplicationStatus
from collection.models import Application, Campaign, Submission
from confirmation.models import Confirmation, CounterReturn
from practitioners import tallies as register_tallies
from practitioners.models import Bureau, Practitioner, User
from reporting import weeks
from reporting.constants import PlanStatus, SheetStatus
from reporting.figures import Figures
from reporting.models import Bulletin, ProgressSheet, WorkPlan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, demo_media):
    """The demo, seeded once for the module's tests (a seeding takes seconds; each test only
    reads it), in a transaction rolled back after the last of them. Each test's own transaction
    nests inside it as a savepoint, so what a test writes (seeding again, say) is undone before
    the next, and the demo's rows reach every test as the demo left them."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=demo_media),
        translation.override("en"),  # as tests.conftest's english_messages, for a test's seeding
    ):
        outer = transaction.atomic()
        outer.__enter__()
        call_command("seed_demo", "--practitioners", "600", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def private_media(settings, demo_media):
    """The demo's photos and forms stay where the seeding put them (tests.conftest gives
    each test a MEDIA_ROOT of its own)."""
    settings.MEDIA_ROOT = demo_media


@pytest.fixture
def seeded(seeded_once, db):
    return Campaign.objects.get(is_active=True)


def test_the_demo_reaches_every_state_and_its_figures_agree_with_its_rows(seeded, client):
    states = set(Application.objects.filter(campaign=seeded).values_list("status", flat=True))
    assert states == {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RETURNED,
        ApplicationStatus.CONFIRMED,
    }
    assert register_tallies.differences() == {}
    assert application_tallies.differences(campaign=seeded) == {}
    # Every confirmation was made at the counter of the person's bureau of the time (a person
    # moved since keeps the confirmation where it was made).
    for confirmation in Confirmation.objects.select_related("clerk"):
        assert confirmation.clerk.bureau_id == confirmation.bureau_id
    assert CounterReturn.objects.exists()
    # Some were returned once and confirmed after resubmitting.
    assert Submission.objects.filter(number=2, application__status="confirmed").exists()
    # A past day's list at a counter holds that day's confirmations.
    first = Confirmation.objects.select_related("bureau").order_by("confirmed_at").first()
    day = timezone.localtime(first.confirmed_at).date()
    assert day < timezone.localdate()
    client.force_login(User.objects.get(username=f"clerk_{first.bureau.code}"))
    sheet = client.get(reverse("confirmation:day_sheet"), {"day": day.isoformat()}).context["sheet"]
    assert any(first in items["confirmed"] for items in sheet.values())
    # The business after confirmation is there to try.
    county = Bureau.objects.get(code="450103")
    assert flagged(bureau=county).exists()
    for model in (OnPostRegistration, EducationRecord):
        assert model.objects.filter(status=RegistrationStatus.SUBMITTED).exists()
        assert model.objects.filter(status=RegistrationStatus.APPROVED).exists()
    change = Application.objects.get(kind=ApplicationKind.CHANGE)
    assert change.status == ApplicationStatus.SUBMITTED and change.bureau == county
    waiting = list(OnPostRegistration.objects.filter(status=RegistrationStatus.SUBMITTED))
    assert change_overlaps(registrations=waiting)  # both review screens show the overlap
    person = Practitioner.objects.filter(account__isnull=False).first()
    assert authenticate(username=person.id_number, password="Registry-2026") is not None
    assert authenticate(username="clerk_450103", password="Registry-2026") is not None
    # Seeding again adds nothing.
    counts = [m.objects.count() for m in (Practitioner, Application, Submission, Confirmation)]
    call_command("seed_demo", "--practitioners", "600", "--quiet-accounts")
    assert [m.objects.count() for m in (Practitioner, Application, Submission, Confirmation)] == (
        counts
    )


def test_the_demos_sheets_bulletins_and_plans_agree(seeded):
    plans = WorkPlan.objects.filter(campaign=seeded)
    assert {p.status for p in plans} == set(PlanStatus.values) and plans.count() < 12
    sheets = list(ProgressSheet.objects.filter(campaign=seeded))
    assert {s.status for s in sheets} == set(SheetStatus.values)
    assert any(s.late for s in sheets)
    past = [s for s in sheets if s.cutoff < timezone.now()]
    assert past and all(s.figures is not None for s in past)  # frozen by the demo's cron
    bulletins = list(Bulletin.objects.filter(campaign=seeded))
    assert len(bulletins) == 2
    for bulletin in bulletins:
        rows = {r["bureau_code"]: r for r in bulletin.rows}
        for sheet in (s for s in sheets if s.week == bulletin.week):
            row = rows[sheet.bureau.code]
            figures = Figures.from_dict(sheet.figures)
            for key in ("holders", "waiting", "returned", "confirmed", "confirmed_week", "pending"):
                assert getattr(figures, key) == row[key], (bulletin.week, sheet.bureau.code, key)
        assert sum(r["confirmed"] for r in bulletin.rows) == bulletin.totals["confirmed"]
        assert bulletin.cutoff == weeks.cutoff(seeded, weeks.Week.parse(bulletin.week))


def test_the_demo_register_exported_imports_back_unchanged(seeded):
    """Anything the product stored, it accepts again: the demo's register after its story
    (confirmed records, corrections at the counter, contact changes, moves included), in each
    of the export's formats."""
    from practitioners import imports as register_imports
    from practitioners import services as register_services

    held = Practitioner.objects.count()
    assert held == 600 and Confirmation.objects.exists()
    for fmt in ("csv", "xlsx", "json"):
        out = io.BytesIO() if fmt == "xlsx" else io.StringIO()
        count = register_services.export_register(actor=None, fmt=fmt, out=out)
        data = out.getvalue() if fmt == "xlsx" else out.getvalue().encode("utf-8")
        assert count == held
        result = register_imports.import_register(actor=None, data=data, dry_run=True)
        assert not list(result.problems), (fmt, list(result.problems)[:3])
        assert (result.unchanged, result.created, result.updated) == (held, 0, 0), fmt
        assert not result.skipped_confirmed, fmt
