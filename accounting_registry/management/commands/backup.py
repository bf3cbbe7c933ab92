from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounting_registry import backup


class Command(BaseCommand):
    help = "Back up the database and every private file into a new folder (README: Backup)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup.back_up(folder)
        except (backup.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{manifest['database']} database and {len(manifest['files'])} files in {folder}"
        )
