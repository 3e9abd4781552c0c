"""Write every complaint's copies of its people again: the names the search reads and the people the list
and the queue print (parley/cases/names.py).

Parley writes the copy wherever names change, so this is for repair: after a deployment where older
code took in complaints beside a database that already had the copy (their copy is empty, and a
one-word search cannot find them by name, and the list reads their people the slow way), or after
names were changed outside Parley.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from parley.cases.models import Complaint
from parley.cases.names import refresh_people_copies

BATCH = 2000


class Command(BaseCommand):
    help = "Write every complaint's copies of its people (for the search, for the lists) again, where they differ."

    def handle(self, *args, **options):
        last, checked, written = 0, 0, 0
        while True:
            ids = list(Complaint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            with transaction.atomic():  # a batch at a time: no long lock on the complaints
                written += refresh_people_copies(ids)
            checked += len(ids)
            last = ids[-1]
        self.stdout.write(f"Checked {checked:,} complaints; wrote the copies of {written:,} again.")
