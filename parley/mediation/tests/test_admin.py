"""Mediators and venues in the admin: what it accepts, the scheduling pages can use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.mediation.models import Mediator
from parley.testing.factories import MediatorFactory
from parley.testing.web import login, text


def _add_mediator(client, languages: str):
    data = {"first_name": "Mo", "last_name": "Lang", "languages": languages, "monthly_case_limit": "4", "active": "on"}
    return client.post(reverse("admin:mediation_mediator_add"), data)


@pytest.mark.parametrize(
    "languages",
    ["1e999", '["\\u0000"]'],
    ids=["a-number-too-large", "a-null-character"],
)
def test_languages_no_database_can_store_are_refused_in_plain_words(client, root, languages):
    login(client, root)
    response = _add_mediator(client, languages)
    assert response.status_code == 200
    assert "Enter JSON without numbers too large to store and without null characters" in text(response)
    assert not Mediator.objects.exists()


@pytest.mark.parametrize("languages", ["5", "[1, 2]", '["en", ["es"]]', '["en", "klingon"]'])
def test_languages_that_are_not_a_list_of_known_codes_are_refused(client, root, languages):
    login(client, root)
    response = _add_mediator(client, languages)
    assert response.status_code == 200
    assert 'Enter a list of language codes, e.g. ["en", "es"]. The codes are: en, es,' in text(response)
    assert not Mediator.objects.exists()


def test_a_mediator_with_known_languages_is_added(client, root):
    login(client, root)
    assert _add_mediator(client, '["en", "es"]').status_code == 302
    assert Mediator.objects.get().languages == ["en", "es"]


@pytest.fixture
def held_session(policy, irene, ray, carla, alma):
    """A complaint mediated at a held session, with its team and who was in the room recorded."""
    from parley.cases.tests.helpers import reach
    from parley.cases.workflow import Status
    from parley.testing.factories import Journey

    complaint = reach(Status.MEDIATED, Journey(intake=irene, iad=ray, coordinator=carla, admin=alma))
    return complaint.sessions.get()


def _record(session) -> tuple:
    from parley.mediation.models import SessionAttendance

    return (
        sorted(session.mediators.values_list("pk", flat=True)),
        sorted(SessionAttendance.objects.filter(session=session).values_list("pk", flat=True)),
    )


def test_a_mediator_on_a_session_cannot_be_deleted_and_the_page_says_to_deactivate_them(client, root, held_session):
    mediator = held_session.mediators.first()
    before = _record(held_session)
    login(client, root)
    url = reverse("admin:mediation_mediator_delete", args=[mediator.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "1 mediation session(s) with this mediator on the team: deactivate the mediator instead" in text(page)
    client.post(url, {"post": "yes"})
    assert Mediator.objects.filter(pk=mediator.pk).exists()
    assert _record(held_session) == before


def test_a_bulk_delete_of_mediators_on_a_session_deletes_none(client, root, held_session):
    before = _record(held_session)
    spare = MediatorFactory()
    login(client, root)
    data = {"action": "delete_selected", "_selected_action": [*before[0], spare.pk], "post": "yes"}
    response = client.post(reverse("admin:mediation_mediator_changelist"), data)
    assert "deactivate the mediator instead" in text(response)
    assert Mediator.objects.filter(pk=spare.pk).exists()
    assert _record(held_session) == before


def test_a_mediator_on_no_session_can_be_deleted(client, root, db):
    mediator = MediatorFactory()
    login(client, root)
    response = client.post(reverse("admin:mediation_mediator_delete", args=[mediator.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Mediator.objects.filter(pk=mediator.pk).exists()


def test_who_was_in_the_room_keeps_its_mediator_whatever_deletes_them(held_session):
    from django.db.models import ProtectedError

    from parley.mediation.models import SessionAttendance

    attendance = SessionAttendance.objects.filter(session=held_session, mediator__isnull=False).first()
    with pytest.raises(ProtectedError):
        attendance.mediator.delete()
