"""Accounts in the admin: no one changes what their own account may see and do, and every change of a
role or of the staff and superuser flags is in the audit trail with its values and who made it."""

from __future__ import annotations

from django.urls import reverse

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.audit.models import AuditEntry
from parley.testing.factories import UserFactory
from parley.testing.web import admin_form_opened, login, text


def _change_form_data(client, user: User, **changes) -> tuple[str, dict]:
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(date_joined_0="2026-01-01", date_joined_1="09:00:00", groups=[], user_permissions=[])
    data.pop("last_login", None)
    data.update(changes)
    return url, {k: v for k, v in data.items() if k.rsplit("_", 1)[0] in form.fields or k in form.fields}


def _root():
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


def test_an_administrator_cannot_change_their_own_role_or_flags(client, db):
    root = _root()
    login(client, root)
    url = reverse("admin:accounts_user_change", args=[root.pk])
    form = client.get(url).context["adminform"].form
    for name in ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"):
        assert name not in form.fields, name
    # a crafted POST with a role is ignored: the field is not on the form
    data = {"username": "root", "first_name": "Ro", "last_name": "Ot", "email": "", "role": Role.COORDINATOR}
    data.update(date_joined_0="2026-01-01", date_joined_1="09:00:00", **admin_form_opened(client, url))
    response = client.post(url, data)
    assert response.status_code == 302
    root.refresh_from_db()
    assert (root.role, root.first_name, root.is_superuser) == (Role.ADMIN, "Ro", True)
    assert not AuditEntry.objects.filter(action="user.privileges_changed").exists()
    # so their own pages stay those of an administrator: the mediation center's records stay closed
    assert client.get(reverse("audit:list")).status_code == 403


def test_another_administrator_changes_a_role_and_the_trail_says_from_what_to_what(client, irene):
    root = _root()
    login(client, root)
    url, data = _change_form_data(client, irene, role=Role.COORDINATOR)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    irene.refresh_from_db()
    assert irene.role == Role.COORDINATOR
    entry = AuditEntry.objects.get(action="user.privileges_changed")
    assert entry.actor == root
    assert (entry.object_type, entry.object_id) == ("user", str(irene.pk))
    assert entry.detail == {"username": "irene", "changes": {"role": [Role.INTAKE, Role.COORDINATOR]}}


def test_saving_an_account_without_changing_its_privileges_adds_no_entry(client, irene):
    root = _root()
    login(client, root)
    url, data = _change_form_data(client, irene, first_name="Irena")
    assert client.post(url, data).status_code == 302
    assert not AuditEntry.objects.filter(action="user.privileges_changed").exists()
    irene.refresh_from_db()
    assert irene.first_name == "Irena"


def test_a_new_account_is_in_the_trail_with_its_role_and_a_shell_change_too(db):
    user = UserFactory(username="newbie", role=Role.IAD)
    created = AuditEntry.objects.get(action="user.created", object_id=str(user.pk))
    assert created.detail["changes"] == {"role": [None, Role.IAD]}
    assert created.actor is None  # not from a request: a command or a shell
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    changed = AuditEntry.objects.get(action="user.privileges_changed")
    assert changed.detail["changes"] == {"is_superuser": [False, True]}
    user.last_login = None
    user.save(update_fields=["last_login"])  # what sign-in saves: not a change of privileges
    assert AuditEntry.objects.filter(action__startswith="user.").count() == 2


def test_an_action_on_a_tampered_selection_says_so_and_does_nothing(client, irene):
    login(client, _root())
    for selected in (["abc"], ["99999999999999999999"], [str(irene.pk), "1.5"]):
        for action in ("deactivate", "reset_two_factor", "delete_selected"):
            response = client.post(
                reverse("admin:accounts_user_changelist"), {"action": action, "_selected_action": selected}, follow=True
            )
            assert response.status_code == 200, (action, selected)
            assert "The selection was not valid, so nothing was done." in response.content.decode()
    irene.refresh_from_db()
    assert irene.is_active


def test_the_reference_data_admins_refuse_a_tampered_selection_too(client, db):
    login(client, _root())
    data = {"action": "delete_selected", "_selected_action": ["x"]}
    response = client.post(reverse("admin:mediation_venue_changelist"), data, follow=True)
    assert response.status_code == 200
    assert "The selection was not valid, so nothing was done." in response.content.decode()


def test_only_what_a_save_writes_is_recorded(irene):
    irene.is_superuser, irene.role = True, Role.IAD  # the flag changed in memory only
    irene.save(update_fields=["role"])
    entry = AuditEntry.objects.get(action="user.privileges_changed")
    assert entry.detail["changes"] == {"role": [Role.INTAKE, Role.IAD]}
    irene.refresh_from_db()
    assert not irene.is_superuser


def test_switching_an_account_on_again_is_recorded_and_switching_it_off_once(irene):
    irene.is_active = False
    irene.save()
    irene.is_active = True
    irene.save()
    assert list(
        AuditEntry.objects.filter(action__in=["user.deactivated", "user.privileges_changed"]).values_list(
            "action", "detail__changes"
        )
    ) == [("user.deactivated", None), ("user.privileges_changed", {"is_active": [False, True]})]


def test_django_permissions_and_groups_given_in_the_admin_are_recorded_with_who_gave_them(client, irene):
    from django.contrib.auth.models import Group, Permission

    root = _root()
    login(client, root)
    change_user = Permission.objects.get(codename="change_user")
    helpdesk = Group.objects.create(name="helpdesk")
    url, data = _change_form_data(client, irene, user_permissions=[change_user.pk], groups=[helpdesk.pk])
    assert client.post(url, data).status_code == 302
    entries = AuditEntry.objects.filter(action="user.privileges_changed", object_id=str(irene.pk))
    recorded = {
        key: entry.detail[key] for entry in entries for key in ("groups", "user_permissions") if key in entry.detail
    }
    assert recorded == {"groups": {"added": ["helpdesk"]}, "user_permissions": {"added": [str(change_user)]}}
    assert {entry.actor for entry in entries} == {root}
    # a group's own permissions, through the group admin (a way round a form that guards the account)
    group_url = reverse("admin:auth_group_change", args=[helpdesk.pk])
    data = {"name": "helpdesk", "permissions": [change_user.pk], **admin_form_opened(client, group_url)}
    assert client.post(group_url, data).status_code == 302
    entry = AuditEntry.objects.get(action="group.permissions_changed")
    assert (entry.actor, entry.detail) == (root, {"permissions": {"added": [str(change_user)]}})


def test_every_admin_refuses_a_tampered_selection_djangos_and_axes_too(client, db):
    login(client, _root())
    for changelist in ("admin:auth_group_changelist", "admin:axes_accessattempt_changelist"):
        data = {"action": "delete_selected", "_selected_action": ["abc"]}
        response = client.post(reverse(changelist), data, follow=True)
        assert response.status_code == 200, changelist
        assert "The selection was not valid, so nothing was done." in response.content.decode()


def test_an_administrator_cannot_deactivate_their_own_account(client, irene):
    root = _root()
    login(client, root)
    data = {"action": "deactivate", "_selected_action": [root.pk, irene.pk]}
    response = client.post(reverse("admin:accounts_user_changelist"), data, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    root.refresh_from_db()
    irene.refresh_from_db()
    assert root.is_active and not irene.is_active


def test_the_delete_page_counts_an_accounts_audit_entries_without_showing_them(client, irene):
    from parley.audit.services import audit_record

    audit_record(action="view:cases:detail", actor=irene, object_type="complaint", object_id="2026-0042")
    entries = AuditEntry.objects.filter(actor=irene).count()
    login(client, _root())
    url = reverse("admin:accounts_user_delete", args=[irene.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f"{entries} audit-trail entries: deactivate the account instead" in text(page)
    assert "view:cases:detail" not in text(page)  # the trail is for auditors only
    client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=irene.pk).exists()


def test_an_account_form_opened_before_another_administrator_deactivated_it_does_not_switch_it_on(client, irene):
    login(client, _root())
    url, data = _change_form_data(client, irene, first_name="Irena")
    irene.is_active, irene.role = False, Role.COORDINATOR  # another administrator, meanwhile
    irene.save()
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "Someone changed this account since you opened it (Active, Role). "
        "Nothing was saved: review their change and save again." in text(response)
    )
    irene.refresh_from_db()
    assert (irene.first_name, irene.is_active, irene.role) == ("Irene", False, Role.COORDINATOR)


def test_the_add_form_and_the_password_form_need_no_stored_values(client, irene):
    login(client, _root())
    data = {
        "username": "newbie",
        "password1": "a-Long-passphrase-9",
        "password2": "a-Long-passphrase-9",
        "usable_password": "true",
        "role": Role.INTAKE,
    }
    assert client.post(reverse("admin:accounts_user_add"), data).status_code == 302
    url = reverse("admin:auth_user_password_change", args=[irene.pk])
    data = {"password1": "Another-long-pass-42", "password2": "Another-long-pass-42", "usable_password": "true"}
    assert client.post(url, data).status_code == 302
    irene.refresh_from_db()
    assert irene.check_password("Another-long-pass-42")
