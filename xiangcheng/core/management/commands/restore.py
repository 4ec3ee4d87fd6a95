from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangcheng.core.backups import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup archive into an EMPTY database and EMPTY media folders, then check every "
            "table and file against the archive's manifest.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", required=True,
                            help="the empty database: postgresql://user:password@host:port/name")
        parser.add_argument("--media-root", type=Path, default=None,
                            help="empty folder for the public files (default: MEDIA_ROOT)")
        parser.add_argument("--private-root", type=Path, default=None,
                            help="empty folder for the private files (default: PRIVATE_MEDIA_ROOT)")

    def handle(self, *args, archive: Path, database: str, media_root: Path | None, private_root: Path | None,
               **options):
        try:
            result = restore(archive=archive, database=database,
                             media_root=media_root or Path(settings.MEDIA_ROOT),
                             private_root=private_root or Path(settings.PRIVATE_MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {result.tables} tables, {result.rows} rows and {result.files} files; "
                          "all match the manifest.")
