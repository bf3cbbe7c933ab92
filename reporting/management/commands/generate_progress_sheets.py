from django.core.management.base import BaseCommand, CommandError

from collection.selectors import active_campaign
from reporting import services, weeks


class Command(BaseCommand):
    help = (
        "Create this week's draft progress sheet for every county that has none (idempotent; "
        "run it from cron, e.g. every Monday at 00:05)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            help="the ISO week, e.g. 2026-W49 (default: the week whose sheets are due next)",
        )

    def handle(self, *args, week: str | None, **options):
        campaign = active_campaign()
        if campaign is None:
            self.stdout.write("No active campaign: no sheets to create.")
            return
        try:
            chosen = weeks.Week.parse(week) if week else weeks.current_week(campaign)
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            created = services.generate_progress_sheets(campaign=campaign, week=chosen)
        except services.ReportingError as error:
            raise CommandError(str(error)) from None
        cutoff = weeks.cutoff(campaign, chosen)
        self.stdout.write(
            f"{campaign.name} {chosen} (due {cutoff:%Y-%m-%d %H:%M %Z}): {created} new draft sheet(s)."
        )
