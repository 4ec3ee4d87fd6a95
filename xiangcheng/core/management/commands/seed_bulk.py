import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiangcheng.core.bulk import BulkRun, bulk_load_all, tables_settled


class Command(BaseCommand):
    help = ("Load every app's bulk data for benchmarks (the volumes at --scale 1.0: 100k members, 1M "
            "registrations …), only what is absent; the same rows for the same --seed on the same day.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is the full volume; 0.01 a hundredth")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale: float, seed: int, **options):
        if not settings.BULK_DATA_ALLOWED:
            # Every bulk account shares one published password: never on a real database.
            raise CommandError(f"seed_bulk refuses to run with {settings.SETTINGS_MODULE}: bulk accounts with a "
                               "published password must not reach a production database.")
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        # The data's "today" is the start of the day in Xiangcheng: a reload the same day is identical.
        now = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        run = BulkRun(scale=scale, seed=seed, now=now)
        started = time.monotonic()
        for loaded in bulk_load_all(run=run):
            if loaded.skipped:
                self.stdout.write(f"{loaded.key}: already loaded")
                continue
            took = time.monotonic() - started
            self.stdout.write(f"{loaded.key}: loaded ({took:.0f} s so far)")
            for model, count in loaded.rows.items():
                self.stdout.write(f"  {model._meta.label:36} {count:>10,}")
            tables_settled(*loaded.rows)
        self.stdout.write(f"Bulk data ready in {time.monotonic() - started:.0f} s (scale {scale:g}, seed {seed}).")
