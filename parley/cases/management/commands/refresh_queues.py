"""Set every open complaint's "waits for" flags again (whose queue it is in, ``Complaint.waits_for_<role>``),
and check every scheduled session again (``MediationSession.no_longer_suits``: a booking to make again, in
the coordinator's queue).

Parley keeps the flags with every step of the workflow, every change of a program policy, every correction
of a person's details and every change of a venue or a mediator, so this is for repair and upgrades: after
complaints, policies, people, venues or mediators were changed outside Parley (a database edit, an
``update()`` in a shell), or after a database was migrated through several versions at once (README,
upgrade notes). ``--check`` changes nothing: it names the complaints whose flags are wrong and fails if
there are any, for a monitoring job.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from parley.cases.models import Complaint
from parley.cases.selectors import refresh_waiting, stale_waiting
from parley.mediation.eligibility import recheck_bookings_locked
from parley.mediation.models import MediationSession, SessionStatus

BATCH = 5000


class Command(BaseCommand):
    help = "Set every complaint's queue flags again from the workflow's conditions (--check: only report)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report complaints whose flags are wrong; change nothing."
        )

    def handle(self, *args, check: bool = False, **options):
        last, read, wrong = 0, 0, 0
        named: list[str] = []
        while True:
            ids = list(Complaint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            batch = Complaint.objects.filter(pk__in=ids)
            with transaction.atomic():  # a batch at a time: no long lock on the complaints
                stale = {pk for keys in stale_waiting(batch).values() for pk in keys}
                if stale and not check:
                    # locked first, so that a step in progress on one of them has finished (and what it
                    # wrote is read) before the flags are set again
                    locked = Complaint.objects.select_for_update().filter(pk__in=sorted(stale))
                    refresh_waiting(Complaint.objects.filter(pk__in=list(locked.values_list("pk", flat=True))))
            wrong += len(stale)
            if check and len(named) < 20:
                named += Complaint.objects.filter(pk__in=sorted(stale)).values_list("reference", flat=True)[:20]
            read += len(ids)
            last = ids[-1]
        # the scheduled sessions, a batch at a time, each batch's complaints locked while it is checked (as a
        # correction of their people locks them: mediation/signals.py)
        bookings: list[int] = []
        scheduled = MediationSession.objects.filter(status=SessionStatus.SCHEDULED).order_by("pk")
        keys = list(scheduled.values_list("pk", flat=True))
        for start in range(0, len(keys), BATCH):
            batch = MediationSession.objects.filter(pk__in=keys[start : start + BATCH])
            bookings += recheck_bookings_locked(batch, write=not check)
        if check:
            if wrong or bookings:
                sessions = MediationSession.objects.filter(pk__in=bookings)
                named += sessions.values_list("complaint__reference", flat=True)[:20]
                raise CommandError(
                    f"{wrong:,} of {read:,} complaints have queue flags that disagree with the workflow, and "
                    f"{len(bookings):,} scheduled sessions are wrongly marked as suiting or not "
                    f"(first: {', '.join(named[:20])}); run `manage.py refresh_queues` to set them again."
                )
            self.stdout.write(f"Checked {read:,} complaints and the scheduled sessions: every queue flag is right.")
            return
        self.stdout.write(
            f"Checked {read:,} complaints; set the queue flags of {wrong:,} again, and of {len(bookings):,} "
            "scheduled sessions."
        )
