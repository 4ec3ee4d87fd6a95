from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.demo import demo_load as events_demo_load
from members.demo import DEMO_PASSWORD
from members.demo import demo_load as members_demo_load

from ...demo import demo_load as services_demo_load


class Command(BaseCommand):
    help = "Load the demo accounts, venues, events and inbox tickets (idempotent) and print the logins."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            # Demo logins share one published password: never on a real database.
            raise CommandError(f"seed_demo refuses to run with {settings.SETTINGS_MODULE}: demo accounts "
                               "with a published password must not reach a production database.")
        logins = members_demo_load()
        events = events_demo_load()
        logins += services_demo_load()
        self.stdout.write(f"Demo events created: {events}")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login, role in logins:
            self.stdout.write(f"  {role:17} {login}")
