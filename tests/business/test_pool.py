"""The pending pool (待处理库): the dry run, the move (refused before the pool opens), running it
again, the release on confirmation, the weekly figures, the command and the city's page."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from collection import services
from practitioners import gate
from practitioners import tallies as register_tallies
from practitioners.constants import AuditAction, RegisterFigure
from practitioners.models import AuditEvent, Practitioner
from reporting.figures import progress
from tests.factories import PractitionerFactory
from tests.helpers import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_deadline(campaign):
    """The campaign's deadline and grace period are over."""
    campaign.collection_due_date = timezone.localdate() - datetime.timedelta(days=40)
    campaign.start_date = campaign.collection_due_date - datetime.timedelta(days=60)
    campaign.plan_due_date = campaign.start_date
    campaign.pending_grace_days = 30
    campaign.save()
    return campaign


@pytest.fixture
def people(county_a, county_b, submitted_a, clerk_a, practitioner_b, past_deadline):
    """practitioner_a submitted (not confirmed), another of A's confirmed, practitioner_b and
    two more of B's untouched."""
    from tests.helpers import make_submitted

    confirmed = make_submitted(county_a, past_deadline, 1)[0]
    confirm(confirmed, clerk_a)
    PractitionerFactory(bureau=county_b)
    PractitionerFactory(bureau=county_b)
    return {"confirmed": confirmed.practitioner, "waiting": submitted_a}


def test_the_dry_run_counts_per_bureau_and_changes_nothing(
    people, past_deadline, county_a, county_b
):
    result = services.move_unconfirmed_to_pending(campaign=past_deadline, actor=None, dry_run=True)
    assert {b.code: n for b, n in result.counts.items()} == {county_a.code: 1, county_b.code: 3}
    assert not Practitioner.objects.filter(pending_since__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.MOVED_TO_PENDING).exists()


def test_the_move_is_refused_before_the_pool_opens(people, campaign, past_deadline):
    past_deadline.collection_due_date = timezone.localdate() - datetime.timedelta(days=5)
    past_deadline.save()
    with pytest.raises(services.CollectionError, match="opens"):
        services.move_unconfirmed_to_pending(campaign=past_deadline, actor=None)
    assert not Practitioner.objects.filter(pending_since__isnull=False).exists()


def test_the_move_counts_in_the_weekly_figures_runs_once_and_confirmation_releases(
    people, past_deadline, county_a, county_b, clerk_a, city_staff
):
    moved = services.move_unconfirmed_to_pending(campaign=past_deadline, actor=city_staff)
    assert moved.total == 4
    assert Practitioner.objects.filter(pending_since__isnull=False).count() == 4
    assert people["confirmed"].pk not in Practitioner.objects.filter(
        pending_since__isnull=False
    ).values_list("pk", flat=True)
    assert register_tallies.differences() == {}
    figures = progress(campaign=past_deadline).bureaus
    assert figures[county_a.pk].pending == 1 and figures[county_b.pk].pending == 3
    events = AuditEvent.objects.filter(action=AuditAction.MOVED_TO_PENDING)
    assert {(e.bureau_id, e.detail["count"]) for e in events} == {
        (county_a.pk, 1),
        (county_b.pk, 3),
    }

    again = services.move_unconfirmed_to_pending(campaign=past_deadline, actor=city_staff)
    assert again.total == 0
    assert events.count() == 2

    # In the pool: no business until the collection is confirmed, which takes it out at once.
    waiting = people["waiting"]
    person = waiting.practitioner
    person.refresh_from_db()
    assert gate.refusal(person).pending
    confirm(waiting, clerk_a)
    person.refresh_from_db()
    assert person.pending_since is None and gate.refusal(person) is None
    assert progress(campaign=past_deadline).bureaus[county_a.pk].pending == 0
    assert register_tallies.differences() == {}


def test_a_move_to_another_bureau_carries_the_pool_count(
    people, past_deadline, county_b, city_staff
):
    services.move_unconfirmed_to_pending(campaign=past_deadline, actor=city_staff)
    person = people["waiting"].practitioner
    person.refresh_from_db()
    services.move_practitioner(
        practitioner=person, bureau=county_b, actor=city_staff, reason="转入"
    )
    assert register_tallies.differences() == {}
    assert register_tallies.figures()[county_b.pk][RegisterFigure.PENDING] == 4


def test_the_command_dry_run_and_move(people, past_deadline):
    out = StringIO()
    call_command("move_unconfirmed_to_pending", "--dry-run", stdout=out)
    assert "would move 4 records" in out.getvalue()
    assert not Practitioner.objects.filter(pending_since__isnull=False).exists()
    out = StringIO()
    call_command("move_unconfirmed_to_pending", stdout=out)
    assert "moved 4 records" in out.getvalue()
    out = StringIO()
    call_command("move_unconfirmed_to_pending", stdout=out)
    assert "moved 0 records" in out.getvalue()


def test_the_command_refuses_before_the_pool_opens(people, past_deadline):
    past_deadline.pending_grace_days = 365
    past_deadline.save()
    with pytest.raises(CommandError, match="opens"):
        call_command("move_unconfirmed_to_pending", stdout=StringIO())


def test_only_city_staff_move_records(people, past_deadline, admin_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.move_unconfirmed_to_pending(campaign=past_deadline, actor=admin_a)


def test_the_city_page_shows_the_dry_run_and_moves(client, people, past_deadline, city_staff):
    client.force_login(city_staff)
    url = reverse("collection:pending_pool", args=[past_deadline.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="move-to-pool"' in page.text
    assert 'id="dry-run-total">4<' in page.text
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(url)
    assert 'id="dry-run-total">0<' in page.text and "待处理库" in page.text
    assert Practitioner.objects.filter(pending_since__isnull=False).count() == 4


def test_a_pending_practitioner_is_told_on_their_home_page(
    client, people, past_deadline, account_a
):
    services.move_unconfirmed_to_pending(campaign=past_deadline, actor=None)
    client.force_login(account_a)
    page = client.get(reverse("collection:home"))
    assert 'id="pending-pool"' in page.text


def test_before_the_pool_opens_the_dry_run_says_when_the_records_will_move(
    client, campaign, submitted_a, city_staff
):
    from django.utils.translation import gettext as _

    client.force_login(city_staff)
    page = client.get(reverse("collection:pending_pool", args=[campaign.pk])).text
    opens = timezone.localtime(services.pool_opens_at(campaign)).strftime("%Y-%m-%d")
    assert 'id="pool-closed"' in page and 'id="move-to-pool"' not in page
    assert _("Dry run: records that would move now") not in page  # not "now": not yet
    assert (
        _(
            "Dry run: records that will move to the pending pool on %(date)s unless confirmed "
            "before then"
        )
        % {"date": opens}
        in page
    )
