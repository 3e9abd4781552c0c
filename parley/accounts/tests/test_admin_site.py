"""What every admin page does besides Django's (``ParleyAdmin``), for Parley's own model admins and
those of the other apps (Django's groups, django-axes, the task queue) alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.accounts.roles import Role
from parley.testing.factories import UserFactory
from parley.testing.web import login, text


@pytest.fixture
def root(db):
    """Ruth Okafor, program administrator with every Django permission (a superuser)."""
    return UserFactory(
        username="root", first_name="Ruth", last_name="Okafor", role=Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.mark.parametrize(
    "changelist,params",
    [
        ("admin:accounts_user_changelist", "role__exact=%00"),
        ("admin:cases_officer_changelist", "unit=%00"),
        ("admin:cases_officer_changelist", "q=a%00b"),
        ("admin:axes_accessattempt_changelist", "path_info=%00"),
        ("admin:django_tasks_database_dbtaskresult_changelist", "queue_name=%00"),
    ],
)
def test_a_list_filtered_by_a_null_character_is_shown_unfiltered_and_says_why(client, root, changelist, params):
    login(client, root)
    url = reverse(changelist)
    response = client.get(f"{url}?{params}")
    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be filtered or searched by text with a null character" in text(page)
