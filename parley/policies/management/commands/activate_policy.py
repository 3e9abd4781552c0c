from django.core.management.base import BaseCommand, CommandError

from parley.policies.models import ProgramPolicy
from parley.policies.presets import install_presets, policy_activate


class Command(BaseCommand):
    help = "Make a program policy the active one for complaints received from now on."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="e.g. st-louis, nyc-ccrb, dc-opc, new-orleans-ipm")

    def handle(self, *args, slug: str, **options):
        install_presets()
        if not ProgramPolicy.objects.filter(slug=slug).exists():
            known = ", ".join(ProgramPolicy.objects.values_list("slug", flat=True))
            raise CommandError(f"No policy '{slug}'. Known policies: {known}.")
        policy = policy_activate(slug=slug)
        self.stdout.write(f"Active policy: {policy.name}")
