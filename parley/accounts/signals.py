"""Switching an account off signs it out everywhere, at once, and is audited; so is every change to
what an account may see and do (its role, its staff and superuser flags), with the values before and
after (the request's own entry names only the fields a form sent).

Any save that turns ``is_active`` off counts: the admin form, the admin's "Deactivate" action, a
shell. (``QuerySet.update()`` sends no signal; such a user is still refused on their next request,
because the session's user must be active, and their sessions then expire.)
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from parley.accounts.models import User
from parley.accounts.services import user_sessions_end
from parley.audit.services import audit_record


def _touches_is_active(update_fields) -> bool:
    return update_fields is None or "is_active" in update_fields


# What decides what an account may see and do (permissions.py reads the role; the admin site the flags).
PRIVILEGES = ("role", "is_staff", "is_superuser")


@receiver(pre_save, sender=User)
def _remember_privileges(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(PRIVILEGES) & set(update_fields):
        return
    instance._privileges_before = User.objects.filter(pk=instance.pk).values(*PRIVILEGES).first()


@receiver(post_save, sender=User)
def _audit_privileges(sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    before = {} if created else getattr(instance, "_privileges_before", None)
    instance._privileges_before = None
    if before is None:  # nothing of them saved (update_fields), or a row that was not there
        return
    changes = {
        name: [before.get(name), getattr(instance, name)]
        for name in PRIVILEGES
        if before.get(name) != getattr(instance, name) and (not created or getattr(instance, name))
    }
    if not changes:
        return
    audit_record(
        action="user.created" if created else "user.privileges_changed",
        request=getattr(instance, "_audit_request", None),
        object_type="user",
        object_id=instance.pk,
        detail={"username": instance.username, "changes": changes},
    )


@receiver(pre_save, sender=User)
def _remember_whether_active(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or instance.is_active or not _touches_is_active(update_fields):
        return
    instance._was_active = User.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=User)
def _sign_out_when_deactivated(
    sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs
) -> None:
    if raw or created or instance.is_active or not _touches_is_active(update_fields):
        return
    ended = user_sessions_end(user=instance)
    if getattr(instance, "_was_active", False):
        instance._was_active = False
        audit_record(
            action="user.deactivated",
            request=getattr(instance, "_audit_request", None),
            object_type="user",
            object_id=instance.pk,
            detail={"username": instance.username, "sessions_ended": ended},
        )
