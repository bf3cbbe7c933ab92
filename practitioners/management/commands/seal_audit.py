from django.core.management.base import BaseCommand

from practitioners import auditchain


class Command(BaseCommand):
    help = (
        "Seal the audit events written since the last run into the chain (cron, every minute; "
        "practitioners.auditchain) and print the chain's head for the system log, apart from "
        "the database: `verify_audit --head` checks later that the chain still holds it. "
        "Idempotent; one sealer at a time."
    )

    def handle(self, *args, **options):
        sealed = auditchain.seal()
        if options["verbosity"] > 1 or sealed:
            seq, chain = auditchain.head()
            self.stdout.write(f"{sealed} audit event(s) sealed; head {seq}:{chain}")
