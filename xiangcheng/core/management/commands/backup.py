from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangcheng.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = ("Write one archive (.tar) of the database (pg_dump, custom format) and both media folders, "
            "with a manifest of every table's row count and checksum and every file's sha256.")

    def add_arguments(self, parser):
        parser.add_argument("--destination", type=Path, default=None,
                            help="folder for the archive (default: BACKUP_DIR)")

    def handle(self, *args, destination: Path | None, **options):
        try:
            archive = backup_create(destination=destination or Path(settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
