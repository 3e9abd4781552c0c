"""Anonymise closed complaints whose retention period has passed. Shows a dry run unless --apply."""

from django.core.management.base import BaseCommand

from parley.cases.retention import apply_retention, retention_report


class Command(BaseCommand):
    help = "Report (default) or apply the retention policy to closed complaints."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Anonymise for real (the default is a dry run).")

    def handle(self, *args, apply: bool = False, **options):
        report = apply_retention() if apply else retention_report()
        verb = "Anonymised" if apply else "Dry run: would anonymise"
        self.stdout.write(
            f"{verb} {len(report.complaints)} complaint(s): {report.parties} people, {report.notes} notes, "
            f"{report.events} events, {report.mediation_records} mediation records, "
            f"{report.audit_entries} audit entries."
        )
        for reference in report.complaints[:50]:
            self.stdout.write(f"  {reference}")
        if len(report.complaints) > 50:
            self.stdout.write(f"  … and {len(report.complaints) - 50} more")
        if not apply and report.complaints:
            self.stdout.write("Run again with --apply to anonymise them.")
