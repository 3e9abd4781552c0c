"""A venue or a mediator changed in the admin (made inactive, a room no longer step-free or smaller, a
language removed, a certification that now lapses earlier) may no longer suit the sessions already booked
with them: each such save checks those sessions again, in the same transaction, so that one that no
longer suits waits in the coordinator's queue to be booked again (``eligibility.recheck_bookings``)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from parley.mediation.eligibility import recheck_bookings
from parley.mediation.models import MediationSession, Mediator, SessionStatus, Venue


@receiver(post_save, sender=Venue)
def venue_saved(sender: type[Venue], instance: Venue, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not (raw or created):
        recheck_bookings(MediationSession.objects.filter(venue=instance, status=SessionStatus.SCHEDULED))


@receiver(post_save, sender=Mediator)
def mediator_saved(sender: type[Mediator], instance: Mediator, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not (raw or created):
        recheck_bookings(MediationSession.objects.filter(mediators=instance, status=SessionStatus.SCHEDULED))
