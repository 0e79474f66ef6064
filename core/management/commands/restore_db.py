from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = "Restore a pg_dump backup with pg_restore: into DATABASE_URL (replacing its objects), or into --target-url."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="The .dump file (default: the newest in var/backups).")
        parser.add_argument("--target-url", help="postgres://… of the database to restore into (default: this site's database).")
        parser.add_argument("--create", action="store_true", help="Create the target database first (it must not exist).")
        parser.add_argument("--yes", action="store_true", help="Confirm replacing the objects of an existing database.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"]) if options["file"] else backups.latest_backup()
        if path is None:
            raise CommandError("no backup found; give the file")
        try:
            target = backups.Target.from_url(options["target_url"]) if options["target_url"] else backups.Target.from_connection()
            if not options["create"] and not options["yes"]:
                raise CommandError(f"this replaces the contents of database {target.name!r}; add --yes (make restore CONFIRM=yes)")
            backups.database_restore(path=path, target=target, create=options["create"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"restored {path} into {target.name}"))
