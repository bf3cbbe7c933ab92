from django.core.management.base import BaseCommand

from collection import retention


class Command(BaseCommand):
    help = (
        "Delete the files that have outlived their purpose (collection.retention: photos no "
        "application refers to, import problem reports, old confirmed forms; each period a "
        "setting), every deletion audited and every version on an object store removed. "
        "Cron, nightly. --dry-run lists and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args, dry_run: bool, **options):
        for outcome in retention.apply(dry_run=dry_run):
            if options["verbosity"] > 1:
                for name in outcome.files:
                    self.stdout.write(f"{outcome.kind}\t{name}")
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(f"{outcome.kind}: {len(outcome.files)} file(s) {verb}")
