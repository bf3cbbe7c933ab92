import time

from django.core.management.base import BaseCommand

from accounting_registry import demo
from collection.demo import CAMPAIGN_NAME, sample_people
from collection.models import Campaign
from practitioners.demo import DEMO_PASSWORD
from practitioners.models import Bureau, Practitioner


class Command(BaseCommand):
    help = (
        "Load the demo: staff accounts, a register of practitioners and a campaign seven weeks "
        "in, played through the product's own services (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--practitioners", type=int, default=3000, help="how many people (default 3000)"
        )
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="do not print the demo accounts"
        )
        parser.add_argument(
            "--applications",
            type=int,
            default=None,
            metavar="N",
            help="at most N of them take part in the campaign (default: about 40%% of them)",
        )

    def handle(
        self, *args, practitioners: int, quiet_accounts: bool, applications: int | None, **options
    ):
        if not Bureau.objects.exists():
            self.stderr.write("No bureaus: run `manage.py migrate` first.")
            return
        started = time.perf_counter()
        before = Practitioner.objects.count()
        told = demo.seed(practitioners=practitioners, applications=applications)
        elapsed = time.perf_counter() - started
        added = Practitioner.objects.count() - before
        if told is None:
            self.stdout.write(
                f"Demo: {added:,} new practitioners; the campaign was seeded before ({elapsed:.1f}s)"
            )
        else:
            self.stdout.write(
                f"Demo: {added:,} practitioners; the campaign played through the services in "
                f"{elapsed:.1f}s: {told['applicants']:,} applicants, {told['confirmations']:,} "
                f"confirmed and {told['returns']:,} returned at the counters, "
                f"{told['sheets']} weekly sheets, {told['bulletins']} bulletins"
            )
        if not quiet_accounts:
            self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for username, role, bureau in demo.staff_accounts(list(Bureau.objects.order_by("code"))):
            self.stdout.write(f"  {username:<14} {role:<28} {bureau}")
        campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
        if campaign is None:
            return
        self.stdout.write(
            "Demo practitioners of 青秀区, whose counter is clerk_450103 (log in with the ID"
            " number and the same password; activate the last one yourself)"
        )
        for state, login, name, clerk in sample_people(campaign):
            self.stdout.write(f"  {state:<14} {login}  {name}  (counter: {clerk})")
