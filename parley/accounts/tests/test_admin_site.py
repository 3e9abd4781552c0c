"""What every admin page does besides Django's (``ParleyAdmin``), for Parley's own model admins and
those of the other apps (Django's groups, django-axes, the task queue) alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.testing.web import admin_change_data, admin_list_data, admin_list_shown_again, login, row_of, text


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
    url = reverse("admin:cases_allegationcategory_changelist")
    assert 'type="hidden" name="form-_stored_values"' in text(client.get(url))  # the page carries the digests
    data = admin_list_data(client, url)
    data[f"{row_of(data, category.pk)}-order"] = "7"
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.order == 7


def test_a_list_saved_after_someone_else_changed_another_row_keeps_their_change(client, root, policy):
    """Django sends every row back: an old list used to make a category deactivated meanwhile active again."""
    from parley.cases.models import AllegationCategory

    mine, theirs = AllegationCategory.objects.order_by("order")[:2]
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)  # opened
    data[f"{row_of(data, mine.pk)}-order"] = "42"
    AllegationCategory.objects.filter(pk=theirs.pk).update(active=False, order=99)  # another administrator
    response = client.post(url, data, follow=True)
    assert "1 allegation category was changed successfully." in text(response)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.order == 42
    assert (theirs.active, theirs.order) == (False, 99)


def test_a_list_saved_after_someone_else_changed_the_same_value_is_refused_then_saved_on_review(client, root, policy):
    from parley.cases.models import AllegationCategory

    first, second = AllegationCategory.objects.order_by("order")[:2]
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data[f"{row_of(data, first.pk)}-order"] = "5"
    data[f"{row_of(data, second.pk)}-order"] = "6"
    AllegationCategory.objects.filter(pk=first.pk).update(order=8)  # another administrator, the same value
    response = client.post(url, data)
    assert response.status_code == 200
    body = text(response)
    assert f"Someone changed {first.name} since you opened the list (Order)." in body
    assert "Someone changed this since you opened the list." in body
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (8, second.order)  # nothing saved, the other row neither
    assert second.order != 6
    again = {**data, **{k: v for k, v in response.context["cl"].formset.management_form.data.items() if "stored" in k}}
    assert client.post(url, again).status_code == 302  # reviewed and saved again: it goes through
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (5, 6)


def test_a_list_where_both_made_the_same_change_saves(client, root, policy):
    from parley.cases.models import AllegationCategory

    category = AllegationCategory.objects.order_by("order").first()
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data.pop(f"{row_of(data, category.pk)}-active")  # unticked here
    AllegationCategory.objects.filter(pk=category.pk).update(active=False)  # and there
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.active is False


@pytest.mark.parametrize("digests", [None, "", "not json", "[]", '{"1": "x"}'])
def test_a_list_sent_without_the_digests_it_was_opened_with_saves_nothing_and_says_why(client, root, policy, digests):
    from parley.cases.models import AllegationCategory

    category = AllegationCategory.objects.order_by("order").first()
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data[f"{row_of(data, category.pk)}-order"] = "77"
    if digests is None:
        del data["form-_stored_values"]
    else:
        data["form-_stored_values"] = digests
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This row is incomplete" in text(response)
    category.refresh_from_db()
    assert category.order != 77


# ---------------------------------------------------------------- a form opened before someone else saved


def test_a_change_form_saved_after_someone_else_changed_the_same_fields_is_refused(client, root):
    from parley.mediation.models import Mediator
    from parley.testing.factories import MediatorFactory

    mediator = MediatorFactory(former_law_enforcement=False, active=True)
    login(client, root)
    url = reverse("admin:mediation_mediator_change", args=[mediator.pk])
    data = admin_change_data(client, url, first_name="Maria")  # opened, a typo fixed
    Mediator.objects.filter(pk=mediator.pk).update(former_law_enforcement=True, active=False)  # another administrator
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "Someone changed this mediator since you opened it (Former law enforcement, Active). "
        "Nothing was saved: review their change and save again." in text(response)
    )
    assert response.context["adminform"].form["first_name"].value() == "Maria"  # what was typed is kept
    mediator.refresh_from_db()
    assert (mediator.first_name, mediator.former_law_enforcement, mediator.active) != ("Maria", False, True)
    assert mediator.former_law_enforcement and not mediator.active
    # reviewed: their change kept, the typo fixed, saved again from the page as it came back
    again = {**data, "_stored_values": response.context["adminform"].form["_stored_values"].value()}
    again.update(former_law_enforcement="on")
    again.pop("active")
    assert client.post(url, again).status_code == 302
    mediator.refresh_from_db()
    assert (mediator.first_name, mediator.former_law_enforcement, mediator.active) == ("Maria", True, False)


def test_a_change_someone_else_made_the_same_way_meanwhile_does_not_refuse_the_form(client, root):
    from parley.mediation.models import Venue
    from parley.testing.factories import VenueFactory

    venue = VenueFactory(capacity=8)
    login(client, root)
    url = reverse("admin:mediation_venue_change", args=[venue.pk])
    data = admin_change_data(client, url, capacity="12")
    Venue.objects.filter(pk=venue.pk).update(capacity=12)
    assert client.post(url, data).status_code == 302
    venue.refresh_from_db()
    assert venue.capacity == 12


def test_an_inline_row_added_meanwhile_refuses_the_policy_form(client, root, policy):
    from parley.policies.models import ExclusionFactor

    login(client, root)
    url = reverse("admin:policies_programpolicy_change", args=[policy.pk])
    data = admin_change_data(client, url, name="Renamed program")
    ExclusionFactor.objects.create(policy=policy, code="new-question", question="A new question?", order=99)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone changed this program policy since you opened it (Exclusion factors)." in text(response)
    policy.refresh_from_db()
    assert policy.name != "Renamed program"


def test_an_unchanged_policy_form_with_its_inlines_saves(client, root, policy):
    login(client, root)
    url = reverse("admin:policies_programpolicy_change", args=[policy.pk])
    assert client.post(url, admin_change_data(client, url, name="Renamed program")).status_code == 302
    policy.refresh_from_db()
    assert policy.name == "Renamed program"


def test_a_change_form_sent_without_what_was_stored_is_refused(client, root):
    from parley.testing.factories import VenueFactory

    venue = VenueFactory(name="Old hall")
    login(client, root)
    url = reverse("admin:mediation_venue_change", args=[venue.pk])
    data = admin_change_data(client, url, name="New hall")
    del data["_stored_values"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This form is incomplete" in text(response)
    venue.refresh_from_db()
    assert venue.name == "Old hall"


# From a review: a refused list shown again, and a tampered digest field


def test_admin_list_refused_row_saved_again_keeps_the_other_admins_deactivation(client, root, policy):
    """Admin A changes a category's order; meanwhile admin B changed its order AND deactivated it. The
    order conflict is refused; A reviews the page shown again and saves it: B's deactivation must stand."""
    from parley.cases.models import AllegationCategory

    category = AllegationCategory.objects.order_by("order").first()
    assert category.active
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data[f"{row_of(data, category.pk)}-order"] = "5"  # A's change; A leaves "active" as it was
    AllegationCategory.objects.filter(pk=category.pk).update(order=8, active=False)  # B, meanwhile
    refused = client.post(url, data)
    assert refused.status_code == 200 and "since you opened the list (Order)" in text(refused)
    again = client.post(url, admin_list_shown_again(refused))  # A keeps order 5 and saves
    assert again.status_code == 302
    category.refresh_from_db()
    assert category.order == 5
    assert category.active is False, "B's deactivation was silently undone by A's second save"


def test_admin_list_with_deeply_nested_digests_is_not_a_server_error(client, root, policy):
    """A tampered hidden field: json.loads raises RecursionError, which _all_opened (and the change
    form's _opened_digests) do not catch (only ValueError)."""
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data["form-_stored_values"] = "[" * 100_000
    client.raise_request_exception = False
    response = client.post(url, data)
    assert response.status_code == 200, f"gave {response.status_code}"
    assert "This row is incomplete" in text(response)


def test_admin_list_an_edit_made_on_the_page_shown_again_is_saved_not_silently_dropped(client, root, policy):
    """A edits category Y's order; meanwhile B changed Y's order and deactivated X. A's save is refused (Y).
    The page shown again now shows X unticked (B's value, ``_show_stored``). A, having seen it, ticks X
    active again on purpose and saves. The row's digests are still those of the first opening, so the
    guard thinks A did not touch X and keeps B's value: A's explicit edit is dropped, and the save says
    it succeeded."""
    from parley.cases.models import AllegationCategory

    x, y = AllegationCategory.objects.order_by("order")[:2]
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data[f"{row_of(data, y.pk)}-order"] = "5"
    AllegationCategory.objects.filter(pk=y.pk).update(order=8)  # B, meanwhile
    AllegationCategory.objects.filter(pk=x.pk).update(active=False)
    refused = client.post(url, data)
    assert refused.status_code == 200 and "since you opened the list" in text(refused)
    again = admin_list_shown_again(refused)
    assert f"{row_of(again, x.pk)}-active" not in again  # the page shows B's deactivation
    again[f"{row_of(again, x.pk)}-active"] = "on"  # A ticks it again, deliberately
    saved = client.post(url, again)
    assert saved.status_code == 302
    x.refresh_from_db()
    assert x.active is True, "A re-ticked 'active' on the page shown again and saved; the box was silently unticked"


def test_admin_list_a_value_shown_again_does_not_undo_a_third_persons_later_change(client, root, policy):
    """Same root cause: B deactivates X while A's list is open; A's save is refused on another row and the
    page shows X unticked. Then C re-activates X. A saves the page as shown, without touching X: X goes
    back to inactive (C's change undone with no warning), because X's digests are still the first ones."""
    from parley.cases.models import AllegationCategory

    x, y = AllegationCategory.objects.order_by("order")[:2]
    login(client, root)
    url = reverse("admin:cases_allegationcategory_changelist")
    data = admin_list_data(client, url)
    data[f"{row_of(data, y.pk)}-order"] = "5"
    AllegationCategory.objects.filter(pk=y.pk).update(order=8)  # B
    AllegationCategory.objects.filter(pk=x.pk).update(active=False)  # B
    refused = client.post(url, data)
    assert refused.status_code == 200
    AllegationCategory.objects.filter(pk=x.pk).update(active=True)  # C, later
    saved = client.post(url, admin_list_shown_again(refused))
    x.refresh_from_db()
    assert (saved.status_code, x.active) != (302, False), "A's untouched row silently undid C's re-activation"
