"""Write every complaint's copy of its people's names for the search again (parley/cases/names.py).

Parley writes the copy wherever names change, so this is for repair: after a deployment where older
code took in complaints beside a database that already had the copy (their copy is empty, and a
one-word search cannot find them by name), or after names were changed outside Parley.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from parley.cases.models import Complaint
from parley.cases.names import refresh_search_names

BATCH = 2000


class Command(BaseCommand):
    help = "Write every complaint's copy of its people's names for the search again, where it differs."

    def handle(self, *args, **options):
        last, checked, written = 0, 0, 0
        while True:
            ids = list(Complaint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            with transaction.atomic():  # a batch at a time: no long lock on the complaints
                written += refresh_search_names(ids)
            checked += len(ids)
            last = ids[-1]
        self.stdout.write(f"Checked {checked:,} complaints; wrote the copy of {written:,} again.")
