"""Switching an account off signs it out everywhere, at once, and is audited; so is every change to
what an account may see and do (its role, its staff and superuser flags), with the values before and
after (the request's own entry names only the fields a form sent).

Any save that turns ``is_active`` off counts: the admin form, the admin's "Deactivate" action, a
shell. (``QuerySet.update()`` sends no signal; such a user is still refused on their next request,
because the session's user must be active, and their sessions then expire.)
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from parley.accounts.models import User
from parley.accounts.services import user_sessions_end
from parley.audit.services import audit_record


def _touches_is_active(update_fields) -> bool:
    return update_fields is None or "is_active" in update_fields


# What decides what an account may see and do (permissions.py reads the role; the admin site the flags
# and, for an administrator who is not a superuser, Django's groups and permissions: below), and
# whether it may sign in at all (switching an account off has an entry of its own; switching it on
# again is recorded here).
PRIVILEGES = ("role", "is_staff", "is_superuser", "is_active")


@receiver(pre_save, sender=User)
def _remember_privileges(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._privileges_before = None
    if raw or instance.pk is None:
        return
    saved = [name for name in PRIVILEGES if update_fields is None or name in update_fields]
    if not saved:
        return
    # only what this save writes: a field changed in memory but left out of update_fields is not saved
    instance._privileges_before = User.objects.filter(pk=instance.pk).values(*saved).first()


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
        for name in (PRIVILEGES if created else before)
        if before.get(name) != getattr(instance, name)
        and (not created or (getattr(instance, name) and name != "is_active"))
        and not (name == "is_active" and not instance.is_active)  # a deactivation: "user.deactivated"
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


def _names(model, pks) -> list[str]:
    return sorted(str(thing) for thing in model.objects.filter(pk__in=pks or ()))


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _audit_granted(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """An account's groups or Django permissions, or a group's permissions, added or taken away (for an
    administrator who is not a superuser, they decide what the admin lets them change)."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    field = {User.groups.through: "groups", User.user_permissions.through: "user_permissions"}.get(
        sender, "permissions"
    )
    if reverse:  # changed from the other side (a group's members, a permission's holders): named whole
        detail = {"changed": field, "how": action.removeprefix("post_").removeprefix("pre_"), "through": str(instance)}
    else:
        if action == "pre_clear":  # what is about to go (after the clear it cannot be read any more)
            pk_set = set(getattr(instance, field).values_list("pk", flat=True))
            if not pk_set:
                return
        detail = {field: {"added" if action == "post_add" else "removed": _names(model, pk_set)}}
    if isinstance(instance, User):
        object_type, detail = "user", {"username": instance.username, **detail}
    else:
        object_type = "group" if isinstance(instance, Group) else instance._meta.model_name
    audit_record(
        action="user.privileges_changed" if object_type == "user" else "group.permissions_changed",
        request=getattr(instance, "_audit_request", None),
        object_type=object_type,
        object_id=instance.pk,
        detail=detail,
    )
