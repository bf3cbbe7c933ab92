from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from business import registerimport
from practitioners.registerfile import RegisterFileError, write_problems

_SHOWN = 20  # warnings printed; problems are all printed and written to the error file


class Command(BaseCommand):
    help = (
        "Import the register from the old system's file (.xlsx, .csv in UTF-8 or GB18030/GBK, .json). "
        "All or nothing unless --skip-invalid; records confirmed at the counter are never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows even if others have problems",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args, file: Path, skip_invalid: bool, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            result = registerimport.import_register(
                actor=None,
                data=data,
                filename=file.name,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
            )
        except RegisterFileError as exc:
            raise CommandError(f"{file}: {exc}") from None

        for problem in result.problems:
            self.stderr.write(
                f"row {problem.row}, {problem.column}, {problem.value!r}: {problem.reason}"
            )
        for warning in result.warnings[:_SHOWN]:
            self.stdout.write(f"warning: row {warning.row}, {warning.column}: {warning.reason}")
        if len(result.warnings) > _SHOWN:
            self.stdout.write(f"... and {len(result.warnings) - _SHOWN} more warnings")
        for row, masked in result.skipped_confirmed:
            self.stdout.write(
                f"skipped: row {row} ({masked}) was confirmed at the counter; not overwritten"
            )
        if result.unknown_headers:
            self.stdout.write(f"unknown columns (ignored): {', '.join(result.unknown_headers)}")
        if result.problems.omitted:
            self.stderr.write(f"... and {result.problems.omitted} more problems (not listed)")
        error_file = file.with_name(file.name + ".errors.csv")
        if result.problems:
            with error_file.open("w", encoding="utf-8-sig", newline="") as out:
                write_problems(result.problems, out)
        elif error_file.exists():
            error_file.unlink()

        verb = "written" if result.written else "nothing written"
        self.stdout.write(
            f"{result.total_rows} rows: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.skipped_confirmed)} skipped (confirmed), "
            f"{result.invalid_rows} invalid — {verb}{' (dry run)' if dry_run else ''}."
        )
        if result.problems:
            self.stderr.write(f"Problems written to {error_file}")
            if not skip_invalid or dry_run:
                raise CommandError(f"{result.invalid_rows} invalid rows; nothing was written.")
