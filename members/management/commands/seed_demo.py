from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo accounts (idempotent) and print their logins."

    def handle(self, *args, **options):
        logins = demo_load()
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login, role in logins:
            self.stdout.write(f"  {role:16} {login}")
