from django.core.management.base import BaseCommand, CommandError

from parley.accounts.demo import DEMO_TOTP_SECRET, demo_device
from parley.accounts.twofactor import code_now, seconds_left


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo login (demo logins only; their secret is public)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        device = demo_device(username)
        if device is None:
            raise CommandError(
                f"{username!r} is not a demo login with the demo authenticator secret. Run `manage.py demo_logins` "
                "to list them; a real account's codes come only from its own authenticator app."
            )
        self.stdout.write(code_now(device))
        self.stderr.write(
            f"(the code for {username} changes in {seconds_left(device)} seconds; every demo login uses the "
            f"authenticator secret {DEMO_TOTP_SECRET})"
        )
