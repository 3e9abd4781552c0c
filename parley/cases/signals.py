"""A program policy that changes (in the admin) can change whose steps wait on its open complaints:
which roles decide suitability, whether officers are asked, when. Their queues follow at once."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from parley.cases.models import Complaint
from parley.cases.selectors import refresh_waiting
from parley.cases.workflow import OPEN
from parley.policies.models import ProgramPolicy


@receiver(post_save, sender=ProgramPolicy)
def policy_saved(sender: type[ProgramPolicy], instance: ProgramPolicy, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # a fixture being loaded: its complaints come after it
        return
    refresh_waiting(Complaint.objects.filter(policy=instance, status__in=sorted(OPEN)))
