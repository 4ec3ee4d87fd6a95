from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiangcheng.core.demo import DEMO_PASSWORD, demo_load_all


class Command(BaseCommand):
    help = "Load every app's demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            # Demo logins share one published password: never on a real database.
            raise CommandError(f"seed_demo refuses to run with {settings.SETTINGS_MODULE}: demo accounts "
                               "with a published password must not reach a production database.")
        loaded = demo_load_all()
        for part in loaded:
            if part.summary:
                self.stdout.write(part.summary)
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for part in loaded:
            for login, role in part.logins:
                self.stdout.write(f"  {role:17} {login}")
