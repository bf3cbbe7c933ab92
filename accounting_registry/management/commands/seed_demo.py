import datetime
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from business.demo import seed_business
from collection import tallies as application_tallies
from collection.demo import demo_campaign, sample_people, seed_applications
from confirmation.demo import seed_counter
from practitioners import tallies as register_tallies
from practitioners.bulk import insert_practitioners
from practitioners.constants import Role
from practitioners.demo import DEMO_PASSWORD, demo_people
from practitioners.models import Bureau, User
from reporting.demo import seed_reporting

_BATCH = 20_000
REGISTER_AGE_DAYS = 120  # more than the demo campaign's weeks so far (collection.demo)


class Command(BaseCommand):
    help = "Load realistic demo data: practitioners, staff accounts, a campaign in progress with applications (idempotent)."

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
            help="give at most N practitioners an account and an application (default: about 40%% of them)",
        )

    def handle(
        self, *args, practitioners: int, quiet_accounts: bool, applications: int | None, **options
    ):
        bureaus = list(Bureau.objects.order_by("code"))
        if not bureaus:
            self.stderr.write("No bureaus: run `manage.py migrate` first.")
            return
        ids = {b.code: b.id for b in bureaus}
        codes = list(ids)
        started = time.perf_counter()
        # The register was loaded from the old system before the campaign began: every weekly
        # figure of the demo's past weeks counts its people.
        loaded = timezone.now() - datetime.timedelta(days=REGISTER_AGE_DAYS)
        inserted = 0
        for start in range(0, practitioners, _BATCH):
            stop = min(start + _BATCH, practitioners)
            rows = []
            for person in demo_people(start, stop, codes):
                person["bureau_id"] = ids[person.pop("bureau_code")]
                person["created_at"] = person["updated_at"] = loaded
                rows.append(person)
            with transaction.atomic():
                inserted += insert_practitioners(rows, ignore_conflicts=True)
            if practitioners >= 100_000:
                self.stdout.write(f"  {stop:,} / {practitioners:,}")
        self.stdout.write(
            f"Demo practitioners: {inserted:,} new ({practitioners:,} asked) in {time.perf_counter() - started:.1f}s"
        )
        accounts = self._accounts(bureaus)  # the clerks decide the demo's applications
        campaign = demo_campaign()
        counts = seed_applications(campaign=campaign, limit=applications)
        counter = seed_counter(campaign=campaign)
        # The bulk loads above bypass the services: count what they wrote.
        register_tallies.rebuild()
        application_tallies.rebuild()
        reporting = seed_reporting(campaign=campaign)
        business = seed_business(campaign=campaign)
        self.stdout.write(
            f"Campaign “{campaign.name}” ({campaign.start_date} – {campaign.collection_due_date}); new applications: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f"; at the counter: {counter['confirmations']:,} confirmed, {counter['returns']:,} returned"
            + f"; reporting: {reporting['plans']} plans, {reporting['sheets']} sheets, {reporting['bulletins']} bulletins"
            + f"; registrations: {business['on_post']:,} on-post, {business['education']:,} continuing education, {business['changes']} change request"
        )
        if not quiet_accounts:
            self._print_accounts(accounts)
            self.stdout.write(
                "Demo practitioners of 青秀区, whose counter is clerk_450103 (log in with the ID"
                " number and the same password; activate the last one yourself)"
            )
            for state, login, name, clerk in sample_people(campaign):
                self.stdout.write(f"  {state:<14} {login}  {name}  (counter: {clerk})")

    def _accounts(self, bureaus: list[Bureau]) -> list[tuple[str, str, str]]:
        password = make_password(DEMO_PASSWORD)  # hashed once for every account
        city = next(b for b in bureaus if b.is_city)
        wanted = [("admin", None, city, "系统管理员")]
        wanted.append(("city", Role.CITY_STAFF, city, "市会计管理科 李科长"))
        for bureau in bureaus:
            wanted.append(
                (f"clerk_{bureau.code}", Role.CLERK, bureau, f"{bureau.short_name}受理员")
            )
            if not bureau.is_city:
                wanted.append(
                    (
                        f"admin_{bureau.code}",
                        Role.BUREAU_ADMIN,
                        bureau,
                        f"{bureau.short_name}会计管理股",
                    )
                )
        rows = []
        for username, role, bureau, display in wanted:
            superuser = role is None
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": Role.CITY_STAFF if superuser else role,
                    "bureau": bureau,
                    "display_name": display,
                    "password": password,
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            rows.append(
                (
                    username,
                    str(user.get_role_display()) if not superuser else "superuser (Django admin)",
                    bureau.name,
                )
            )
        return rows

    def _print_accounts(self, rows) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for username, role, bureau in rows:
            self.stdout.write(f"  {username:<14} {role:<28} {bureau}")
