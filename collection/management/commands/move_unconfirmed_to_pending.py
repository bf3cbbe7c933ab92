"""Move the campaign's unconfirmed records into the pending pool (待处理库), or count them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from collection import services
from collection.models import Campaign
from collection.selectors import active_campaign


class Command(BaseCommand):
    help = (
        "After the collection deadline and its grace period, move every record without a "
        "confirmed collection in the campaign into the pending pool. --dry-run counts them "
        "per bureau and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--campaign", type=int, help="campaign id (default: the active one)")

    def handle(self, *args, dry_run: bool, campaign: int | None, **options):
        if campaign is not None:
            found = Campaign.objects.filter(pk=campaign).first()
            if found is None:
                raise CommandError(f"no campaign {campaign}")
        else:
            found = active_campaign()
            if found is None:
                raise CommandError("no active campaign: name one with --campaign")
        try:
            result = services.move_unconfirmed_to_pending(
                campaign=found, actor=None, dry_run=dry_run
            )
        except services.CollectionError as exc:
            raise CommandError(exc.message) from None
        for bureau, count in result.counts.items():
            self.stdout.write(f"{bureau.code} {bureau.name}: {count}")
        verb = "would move" if dry_run else "moved"
        opens = timezone.localtime(result.opens_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"{verb} {result.total} records (the pool opens {opens})")
