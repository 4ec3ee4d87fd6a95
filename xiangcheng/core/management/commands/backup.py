from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangcheng.core.backups import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = ("Write one archive (.tar) of the database (pg_dump, custom format) and both media folders, "
            "with a manifest of every table's row count and checksum and every file's sha256.")

    def add_arguments(self, parser):
        parser.add_argument("--destination", type=Path, default=None,
                            help="folder for the archive (default: BACKUP_DIR)")
        parser.add_argument("--prune", action="store_true",
                            help="then keep the newest archive of each of the last 7 days, 4 weeks and 12 months "
                                 "in the folder and delete the other archives")

    def handle(self, *args, destination: Path | None, prune: bool, **options):
        folder = destination or Path(settings.BACKUP_DIR)
        try:
            archive = backup_create(destination=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
        if prune:
            for old in backups_prune(folder=folder):
                self.stdout.write(f"deleted {old}")
