"""Accounts in the admin: no one changes what their own account may see and do, and every change of a
role or of the staff and superuser flags is in the audit trail with its values and who made it."""

from __future__ import annotations

from django.urls import reverse

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.audit.models import AuditEntry
from parley.testing.factories import UserFactory
from parley.testing.web import login


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
    data.update(date_joined_0="2026-01-01", date_joined_1="09:00:00")
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
