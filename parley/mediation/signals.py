"""A venue or a mediator changed in the admin (made inactive, a room no longer step-free or smaller, a
language removed, a certification that now lapses earlier) may no longer suit the sessions already booked
with them: each such save checks those sessions again, in the same transaction, so that one that no
longer suits waits in the coordinator's queue to be booked again (``eligibility.recheck_bookings``).

The check reads the sessions' people as committed. A correction of one of them in progress holds its
complaint's lock (every workflow step does), so the complaints are locked first, as a step locks them: a
correction that started first is read once it has committed, and one that starts later waits for this save
and then reads the venue or the mediator as saved. A booking in progress locks the venue and the mediators
it books (``services.session_schedule``), so it waits for this save, or this save for it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from parley.mediation.eligibility import recheck_bookings_locked
from parley.mediation.models import MediationSession, Mediator, SessionStatus, Venue


def _recheck_booked_with(instance: Venue | Mediator, **booked_with: Any) -> None:
    # in the save's transaction (the admin's); a save made outside one (a shell, a script) is checked in its own
    changed = recheck_bookings_locked(MediationSession.objects.filter(**booked_with, status=SessionStatus.SCHEDULED))
    # for the administrator's message: the bookings still to come that this save made unsuitable
    instance._bookings_no_longer_suiting = MediationSession.objects.filter(
        pk__in=changed, no_longer_suits=True, starts_at__gt=timezone.now()
    ).count()


@receiver(post_save, sender=Venue)
def venue_saved(sender: type[Venue], instance: Venue, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not (raw or created):
        _recheck_booked_with(instance, venue=instance)


@receiver(post_save, sender=Mediator)
def mediator_saved(sender: type[Mediator], instance: Mediator, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not (raw or created):
        _recheck_booked_with(instance, mediators=instance)
