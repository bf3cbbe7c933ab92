from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounting_registry import backup


class Command(BaseCommand):
    help = "Restore a backup folder into the configured, empty database and storage."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup.restore(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored the database and {len(manifest['files'])} files")
