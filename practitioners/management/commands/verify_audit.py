from django.core.management.base import BaseCommand, CommandError

from practitioners import auditchain


class Command(BaseCommand):
    help = (
        "Walk the audit trail's chain and name the first event that was changed, removed or "
        "inserted (exit status 1), or say that every event is as it was written. Reads only, "
        "unless --seal."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help="seal the events not yet in the chain first"
        )
        parser.add_argument(
            "--head",
            help="a head PLACE:HASH that seal_audit printed earlier, which the chain must still hold",
        )
        parser.add_argument(
            "--show-key",
            action="store_true",
            help="print the audit key in hexadecimal (for REGISTRY_AUDIT_KEY) and stop",
        )

    def handle(self, *args, seal: bool, show_key: bool, head: str | None, **options):
        if show_key:
            self.stdout.write(auditchain.key().hex())
            return
        known = None
        if head:
            place, _, chain = head.partition(":")
            if not place.isdigit() or len(chain) != 64:
                raise CommandError("--head is PLACE:HASH, as seal_audit prints it.")
            known = (int(place), chain)
        if seal:
            auditchain.seal()
        report = auditchain.verify(known_head=known)
        key = f"audit key {auditchain.fingerprint()}"
        if report.problem is not None:
            raise CommandError(
                f"The audit trail was tampered with: {report.problem.text}. "
                f"({report.sealed} event(s) before it verified; {key}.)"
            )
        self.stdout.write(
            f"The audit trail is intact: {report.sealed} event(s) in the chain, "
            f"{report.unsealed} written since the last seal and each as written ({key})."
        )
