"""The demo's third chapter: the counters. A bureau's clerk confirms an application (ticking
what the review asks for) or returns it with a reason, in the hall's opening hours.

`CounterActs` is mixed into the demo (campaign.Demo), which gives it the campaign, the staff
users and the counts; applications.ApplicantActs plans these acts.
"""

from collection.models import Application
from confirmation import services as counter_services
from practitioners.models import User


class CounterActs:
    """The clerks' decisions at the counter."""

    def _waiting(self, pk: int) -> Application:
        return Application.objects.select_related("practitioner", "bureau").get(
            practitioner_id=pk, campaign=self.campaign
        )

    def _clerk(self, application: Application) -> User:
        return self.users[f"clerk_{application.bureau.code}"]

    def confirm(self, pk: int) -> None:
        application = self._waiting(pk)
        changes = counter_services.decision_changes(application, application.latest_submission)
        ticks = counter_services.required_ticks(
            data=application.latest_submission.data, changes=changes, kind=application.kind
        )
        counter_services.confirm_at_counter(
            application=application,
            actor=self._clerk(application),
            checklist={key for key, _label in ticks},
            revision=application.revision,
        )
        self.counts["confirmations"] += 1

    def return_(self, pk: int, reason: str) -> None:
        application = self._waiting(pk)
        counter_services.return_at_counter(
            application=application,
            actor=self._clerk(application),
            reason=reason,
            revision=application.revision,
        )
        self.counts["returns"] += 1
