from django.core.management.base import BaseCommand, CommandError

from practitioners import twofactor
from practitioners.models import User


class Command(BaseCommand):
    help = (
        "Issue a one-time second-factor enrolment code for an account (the first city "
        "administrator of a new installation; later ones get theirs from another administrator "
        "on the enrolment codes page). Audited; the code is printed once and not stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account that will set up its second factor")

    def handle(self, *args, username: str, **options):
        try:
            account = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active account is named {username}.") from None
        code = twofactor.issue_enrolment_code(account=account, issued_by=None)
        hours = int(twofactor.ENROLMENT_CODE_LIFETIME.total_seconds() // 3600)
        self.stdout.write(
            f"Enrolment code for {username}: {code}\n"
            f"Valid once, for {hours} hours. After logging in, {username} types it on the "
            "second-factor page, then sets up the authenticator app."
        )
        if not twofactor.must_have(account):
            self.stderr.write(
                f"Note: the settings do not require a second factor of {username}; "
                "the code is not needed to set one up."
            )
