"""A program policy whose step rules change (in the admin) changes whose steps wait on its open
complaints: which roles decide suitability, whether officers are asked, when. Their queues follow at
once, in the same transaction: the complaints whose flags change are written again (``refresh_waiting``).

The policy's row is locked by its own save; steps under it hold a share lock on it from their start
(``services._hold_policy``), so this waits for those in progress and holds back those to come, and
reads none of their rows half-written."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from parley.cases.models import Complaint
from parley.cases.selectors import STEP_POLICY_FIELDS, refresh_waiting
from parley.cases.workflow import OPEN
from parley.policies.models import ProgramPolicy

STEP_RULES = tuple(name for name in STEP_POLICY_FIELDS if name != "pk")


@receiver(pre_save, sender=ProgramPolicy)
def policy_saving(sender: type[ProgramPolicy], instance: ProgramPolicy, raw: bool = False, **kwargs: Any) -> None:
    """Note the step rules as they were, when the save may change them."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(STEP_RULES)):
        instance._step_rules_before = None
        return
    instance._step_rules_before = ProgramPolicy.objects.filter(pk=instance.pk).values_list(*STEP_RULES).first()


@receiver(post_save, sender=ProgramPolicy)
def policy_saved(sender: type[ProgramPolicy], instance: ProgramPolicy, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_step_rules_before", None)
    if raw or before is None:  # new (no complaints yet), a fixture, or no step rule in the save
        return
    if before == tuple(getattr(instance, name) for name in STEP_RULES):
        return  # saved with the same rules (a description, its activation)
    refresh_waiting(Complaint.objects.filter(policy=instance, status__in=sorted(OPEN)), only_stale=True)
