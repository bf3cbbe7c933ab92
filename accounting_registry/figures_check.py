"""Drift check: whether the weekly figures' tallies still agree with the rows they count.

The register and the applications each have one writer that keeps the tallies in the same
transaction (practitioners.records, collection.services.states), so drift should be impossible;
this makes it loud if anything ever writes around them (a hand-made SQL fix, a restore of half a
backup, a bug). `manage.py check_figures` runs it (cron it; it exits 1 on drift), and /health/
shows its summary to staff.
"""

from dataclasses import dataclass, field

from collection import tallies as application_tallies
from collection.models import Application, Campaign
from practitioners import tallies as register_tallies
from reporting import weeks
from reporting.models import ProgressSheet


@dataclass
class Drift:
    """What disagrees: empty when every figure agrees with its rows."""

    register: dict = field(default_factory=dict)  # bureau -> figure -> (total, hourly, count)
    applications: dict = field(default_factory=dict)  # campaign -> bureau -> state -> (…)
    miscounted: int = 0  # applications whose stored counted state is not the rule's
    cutoffs: list[str] = field(default_factory=list)  # sheets whose cut-off is not their week's

    @property
    def ok(self) -> bool:
        return not (self.register or self.applications or self.miscounted or self.cutoffs)


def drift(*, thorough: bool = True) -> Drift:
    """Compare the tallies with a count of the rows; `thorough` also re-applies the counted-state
    rule to every application and checks every sheet's stored cut-off (slower: for the command)."""
    found = Drift(register=register_tallies.differences())
    for campaign in Campaign.objects.all():
        differences = application_tallies.differences(campaign=campaign)
        if differences:
            found.applications[campaign.pk] = differences
    if not thorough:
        return found
    rows = Application.objects.filter(campaign__isnull=False).values_list(
        "status", "submitted_at", "returned_at", "counted_as"
    )
    for status, submitted, returned, counted in rows.iterator(chunk_size=5000):
        if status in application_tallies.COUNTED_STATUSES and counted != (
            application_tallies.state_of(status, submitted, returned)
        ):
            found.miscounted += 1
    campaigns = {c.pk: c for c in Campaign.objects.all()}
    for sheet in ProgressSheet.objects.select_related("bureau").only(
        "campaign_id", "week", "cutoff", "bureau__code"
    ):
        expected = weeks.cutoff(campaigns[sheet.campaign_id], weeks.Week.parse(sheet.week))
        if sheet.cutoff != expected:
            found.cutoffs.append(f"{sheet.bureau.code} {sheet.week}")
    return found
