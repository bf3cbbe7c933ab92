from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practitioners import selectors, services
from practitioners.constants import Role
from practitioners.models import User


class Command(BaseCommand):
    help = (
        "Disable the staff accounts nobody has used for REGISTRY_STAFF_UNUSED_DAYS (cron, daily), "
        "each audited, and mail the list to the city's administrators, who keep the accounts "
        "and second factors. --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            accounts = list(selectors.unused_staff_accounts())
        else:
            accounts = services.disable_unused_staff()
        for account in accounts:
            last = f"{account.last_login:%Y-%m-%d}" if account.last_login else "never"
            self.stdout.write(
                f"{account.username}\t{account.get_role_display()}\tlast login {last}"
            )
        verb = "would be disabled" if dry_run else "disabled"
        self.stdout.write(f"{len(accounts)} unused staff account(s) {verb}.")
        if accounts and not dry_run:
            self._tell_the_administrators(accounts)

    def _tell_the_administrators(self, accounts: list[User]) -> None:
        to = list(
            User.objects.filter(role=Role.CITY_STAFF, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not to:
            self.stderr.write("No active city administrator has an e-mail address to tell.")
            return
        with translation.override(settings.LANGUAGE_CODE):
            days = settings.REGISTRY_STAFF_UNUSED_DAYS
            subject = ngettext(
                "%(count)d staff account disabled after %(days)d days unused",
                "%(count)d staff accounts disabled after %(days)d days unused",
                len(accounts),
            ) % {"count": len(accounts), "days": days}
            lines = [
                f"{a.username} ({a.display_name or a.get_role_display()}"
                + (f", {a.bureau.short_name}" if a.bureau else "")
                + ")"
                for a in accounts
            ]
            body = "\n".join(
                [
                    _(
                        "These accounts were not used for %(days)d days and can no longer log in. "
                        "An administrator makes one active again if it is still needed."
                    )
                    % {"days": days},
                    "",
                    *lines,
                ]
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
