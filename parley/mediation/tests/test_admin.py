"""Mediators and venues in the admin: what it accepts, the scheduling pages can use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parley.mediation.models import Mediator
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
