"""The demo data (`make run`) hold every invariant that real data hold: what the services would
have left behind, state by state. Checked on freshly seeded data."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Max

from collection import diff
from collection.constants import APPLICATION_FIELDS, ApplicationStatus
from collection.models import Application, Submission
from confirmation.models import ArchiveSequence, Confirmation, CounterReturn
from confirmation.services import required_ticks
from practitioners.models import Practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--practitioners", "600")
    capsys.readouterr()
    return Application.objects.select_related("practitioner", "bureau")


def test_every_state_is_seeded(seeded):
    states = set(seeded.values_list("status", flat=True))
    assert states == set(ApplicationStatus.values) - {ApplicationStatus.CLOSED}


def test_an_applications_bureau_is_its_practitioners(seeded):
    assert all(a.bureau_id == a.practitioner.bureau_id for a in seeded)


def test_every_submitted_version_is_complete(seeded):
    for application in seeded.exclude(status=ApplicationStatus.DRAFT):
        latest = application.latest_submission
        assert application.reference and application.submitted_at, application.pk
        assert latest is not None and latest.photo_id == application.photo_id
        assert latest.data == application.data and latest.record
        assert set(latest.data) == set(APPLICATION_FIELDS)
        changes = diff.changes_between(latest.record, latest.data)
        assert application.has_identity_changes == any(c.identity for c in changes)


def test_every_confirmed_application_was_confirmed_at_its_counter(seeded):
    confirmed = seeded.filter(status=ApplicationStatus.CONFIRMED)
    assert confirmed.exists()
    for application in confirmed:
        confirmation = Confirmation.objects.get(application=application)
        submission = application.latest_submission
        assert confirmation.submission == submission
        assert confirmation.bureau_id == application.bureau_id
        assert confirmation.clerk.bureau_id == application.bureau_id
        assert confirmation.confirmed_at == application.confirmed_at
        assert confirmation.archive_number.startswith(application.bureau.code)
        changes = diff.changes_between(submission.record, submission.data)
        assert set(confirmation.checklist) == {
            key for key, _label in required_ticks(data=submission.data, changes=changes)
        }
        practitioner = application.practitioner
        assert practitioner.confirmed_at == application.confirmed_at
        assert diff.record_values(practitioner) == submission.data  # the record is the version
    assert not Confirmation.objects.exclude(
        application__status=ApplicationStatus.CONFIRMED
    ).exists()


def test_archive_numbers_are_unique_and_their_sequences_know_the_last(seeded):
    numbers = list(Confirmation.objects.values_list("archive_number", flat=True))
    assert len(numbers) == len(set(numbers))
    for sequence in ArchiveSequence.objects.select_related("bureau"):
        prefix = f"{sequence.bureau.code}{sequence.year}"
        highest = Confirmation.objects.filter(archive_number__startswith=prefix).aggregate(
            n=Max("archive_number")
        )["n"]
        assert int(highest[len(prefix) :]) == sequence.last_number


def test_every_returned_application_was_returned_at_its_counter_with_a_notice(seeded):
    returned = seeded.filter(status=ApplicationStatus.RETURNED)
    assert returned.exists()
    for application in returned:
        counter_return = CounterReturn.objects.get(application=application)
        assert counter_return.reason == application.return_reason
        assert counter_return.returned_at == application.returned_at
        assert counter_return.clerk.bureau_id == application.bureau_id
        assert application.practitioner.account.notices.filter(
            application=application, read_at__isnull=True
        ).exists()


def test_past_day_lists_are_not_empty(client, seeded):
    from django.urls import reverse
    from django.utils import timezone

    from practitioners.models import User

    confirmation = Confirmation.objects.select_related("bureau").order_by("confirmed_at").first()
    assert timezone.localtime(confirmation.confirmed_at).date() < timezone.localdate()
    client.force_login(User.objects.get(username=f"clerk_{confirmation.bureau.code}"))
    day = timezone.localtime(confirmation.confirmed_at).date()
    sheet = client.get(reverse("confirmation:day_sheet"), {"day": day.isoformat()}).context["sheet"]
    assert any(confirmation in items["confirmed"] for items in sheet.values())


def test_seeding_twice_adds_nothing(seeded, capsys):
    before = (
        Application.objects.count(),
        Submission.objects.count(),
        Confirmation.objects.count(),
        CounterReturn.objects.count(),
    )
    call_command("seed_demo", "--practitioners", "600")
    capsys.readouterr()
    assert (
        Application.objects.count(),
        Submission.objects.count(),
        Confirmation.objects.count(),
        CounterReturn.objects.count(),
    ) == before
    assert (
        not Practitioner.objects.values("account")
        .exclude(account=None)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


def test_the_weekly_figures_tallies_agree_with_the_rows(seeded):
    from collection import tallies as application_tallies
    from collection.models import Campaign
    from practitioners import tallies as register_tallies

    assert register_tallies.differences() == {}
    for campaign in Campaign.objects.all():
        assert application_tallies.differences(campaign=campaign) == {}


def test_the_demo_plans_are_what_the_services_would_have_left(seeded):
    from reporting import documents
    from reporting.constants import PlanStatus
    from reporting.models import WorkPlan

    plans = list(WorkPlan.objects.prefetch_related("versions"))
    assert {p.status for p in plans} == set(PlanStatus.values)
    assert len(plans) < 12  # one county never filed: overdue
    for plan in plans:
        numbers = sorted(v.number for v in plan.versions.all())
        assert numbers == list(range(1, len(numbers) + 1))
        for version in plan.versions.all():
            data = version.file.read()
            assert documents.identify(data, version.file_name).kind == version.kind
            assert len(data) == version.size
        assert (plan.decided_at is not None) == (
            plan.status != PlanStatus.FILED or len(numbers) > 1
        )
        assert plan.filed_at <= plan.updated_at


def test_the_demo_sheets_hold_the_figures_of_their_moment(seeded):
    from reporting import weeks
    from reporting.constants import SheetStatus
    from reporting.figures import Figures, progress
    from reporting.models import ProgressSheet

    sheets = list(ProgressSheet.objects.select_related("campaign").prefetch_related("versions"))
    assert {s.status for s in sheets} == set(SheetStatus.values)
    assert any(s.late for s in sheets)
    for sheet in sheets:
        versions = sorted(sheet.versions.all(), key=lambda v: v.number)
        assert (sheet.status == SheetStatus.DRAFT) == (not versions)
        if not versions:
            continue
        first, last = versions[0], versions[-1]
        assert sheet.late == (first.submitted_at >= sheet.cutoff)
        assert sheet.figures == last.figures and sheet.figures_as_of == last.figures_as_of
        assert all(v.decision for v in versions[:-1])
        if sheet.status in (SheetStatus.ACCEPTED, SheetStatus.RETURNED):
            assert last.decision == sheet.status
        week = weeks.Week.parse(sheet.week)
        live = progress(campaign=sheet.campaign, as_of=last.figures_as_of, week=week)
        assert Figures.from_dict(last.figures) == live.bureaus.get(sheet.bureau_id, Figures())


def test_the_demo_bulletins_rank_every_bureau_and_add_up(seeded):
    from reporting.models import Bulletin

    bulletins = list(Bulletin.objects.all())
    assert bulletins
    for bulletin in bulletins:
        assert len(bulletin.rows) == 13
        rates = [r["rate"] for r in bulletin.rows]
        assert rates == sorted(rates, reverse=True)
        for key in ("holders", "confirmed", "waiting", "not_started"):
            assert sum(r[key] for r in bulletin.rows) == bulletin.totals[key]
        assert bulletin.pdf and bulletin.xlsx and bulletin.rate_svg.lstrip().startswith("<svg")


def test_every_demo_week_counts_its_holders_and_no_figure_is_negative(seeded):
    from reporting.models import Bulletin, ProgressSheetVersion

    frozen = [v.figures for v in ProgressSheetVersion.objects.all()]
    frozen += [row for b in Bulletin.objects.all() for row in b.rows]
    assert frozen
    for figures in frozen:
        assert all(
            figures[k] >= 0
            for k in ("holders", "not_started", "draft", "waiting", "returned", "confirmed")
        )
    for bulletin in Bulletin.objects.all():
        assert bulletin.totals["holders"] > 0
        assert all(week["holders"] > 0 for week in bulletin.trend)


def test_the_demo_registrations_are_what_the_services_would_have_left(seeded):
    from business.constants import RegistrationStatus, Source
    from business.models import EducationRecord, OnPostRegistration
    from business.selectors import flagged
    from collection.constants import ApplicationKind
    from practitioners import gate
    from practitioners.models import Bureau

    for model in (OnPostRegistration, EducationRecord):
        records = model.objects.select_related("practitioner")
        assert records.filter(status=RegistrationStatus.SUBMITTED).exists()
        for record in records:
            if record.source == Source.ONLINE:
                # Registered online: through the gate, by a confirmed person.
                assert gate.refusal(record.practitioner) is None, record.pk
            else:
                assert record.status == RegistrationStatus.APPROVED and record.decided_at
    county = Bureau.objects.get(code="450103")
    assert flagged(bureau=county).exists()
    change = seeded.get(kind=ApplicationKind.CHANGE)
    assert change.status == ApplicationStatus.SUBMITTED and change.bureau == county
    assert change.practitioner.confirmed_at is not None
    assert diff.changes_between(change.latest_submission.record, change.data)


def test_every_demo_confirmation_is_in_the_records_history(seeded):
    from practitioners.constants import AuditAction
    from practitioners.models import AuditEvent

    confirmed = seeded.filter(status=ApplicationStatus.CONFIRMED)
    audited = set(
        AuditEvent.objects.filter(action=AuditAction.CONFIRMED).values_list(
            "practitioner_id", flat=True
        )
    )
    assert (
        confirmed.exists() and set(confirmed.values_list("practitioner_id", flat=True)) <= audited
    )
