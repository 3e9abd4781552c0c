"""What every admin page does besides Django's (``ParleyAdmin``), for Parley's own model admins and
those of the other apps (Django's groups, django-axes, the task queue) alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.testing.web import login, text


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


TOO_LARGE = "99999999999999999999"  # past the largest key a database can hold


def _category_list_edit(**changes) -> dict:
    from parley.cases.models import AllegationCategory

    category = AllegationCategory.objects.first()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(category.pk),
        "form-0-order": "1",
        "form-0-active": "on",
        "_save": "Save",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    "url,data",
    [
        ("admin:auth_group_add", {"name": "helpdesk", "permissions": [TOO_LARGE]}),
        ("admin:policies_programpolicy_add", {"slug": "p2", "name": "P2", "excluded_categories": [TOO_LARGE]}),
        ("admin:cases_allegationcategory_changelist", lambda: _category_list_edit(**{"form-0-id": TOO_LARGE})),
    ],
    ids=["group-permissions", "policy-excluded-categories", "list-edited-row"],
)
def test_a_form_naming_a_row_past_the_largest_key_says_so_and_saves_nothing(client, root, policy, url, data):
    from django.contrib.auth.models import Group

    from parley.policies.models import ProgramPolicy

    login(client, root)
    data = data() if callable(data) else data  # a list edit names a row that exists only once the test runs
    response = client.post(reverse(url), data, follow=True)
    assert response.status_code == 200
    assert "The form named a record that cannot exist (its number is too large), so nothing was saved." in text(
        response
    )
    assert not Group.objects.exists()
    assert not ProgramPolicy.objects.filter(slug="p2").exists()


def test_a_list_edited_in_place_still_saves(client, root, policy):
    from parley.cases.models import AllegationCategory

    category = AllegationCategory.objects.first()
    login(client, root)
    data = _category_list_edit(**{"form-0-order": "7"})
    assert client.post(reverse("admin:cases_allegationcategory_changelist"), data).status_code == 302
    category.refresh_from_db()
    assert category.order == 7
