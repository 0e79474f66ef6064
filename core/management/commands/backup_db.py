from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = "Dump the database with pg_dump (custom format) to var/backups/ (or BACKUP_DIR / --dir)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", help="Folder for the dump (default var/backups or $BACKUP_DIR).")

    def handle(self, *args, **options) -> None:
        try:
            path = backups.database_backup(directory=options["dir"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"backup written: {path} ({path.stat().st_size} bytes)"))
