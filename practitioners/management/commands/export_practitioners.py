import sys

from django.core.management.base import BaseCommand, CommandError

from practitioners import registerfile, services
from practitioners.models import Bureau


class Command(BaseCommand):
    help = "Export the register with the old system's columns (importable again)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=registerfile.FORMATS, default="csv")
        parser.add_argument("--bureau", metavar="CODE", help="only this bureau's practitioners")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="file to write (default: standard output)"
        )

    def handle(self, *args, format: str, bureau: str | None, output: str | None, **options):
        selected = None
        if bureau:
            try:
                selected = Bureau.objects.get(code=bureau)
            except Bureau.DoesNotExist:
                raise CommandError(f"No bureau has code {bureau}.") from None
        if output is None and format == "xlsx":
            raise CommandError("--format xlsx needs -o FILE.")
        if output is None:
            count = services.export_register(
                actor=None, fmt=format, out=sys.stdout, bureau=selected
            )
        else:
            mode = "wb" if format == "xlsx" else "w"
            kwargs = {} if format == "xlsx" else {"encoding": "utf-8", "newline": ""}
            with open(output, mode, **kwargs) as out:
                count = services.export_register(actor=None, fmt=format, out=out, bureau=selected)
        self.stderr.write(f"{count} practitioners exported.")
