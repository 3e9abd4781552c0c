"""Program policies in the admin: what it accepts, screening, scheduling and retention can use."""

from __future__ import annotations

from django.urls import reverse

from parley.policies.models import ProgramPolicy
from parley.testing.web import login, text


def _new_policy(**changes) -> dict:
    data = {
        "slug": "new-program",
        "name": "New program",
        "suitability_deciders": '["iad"]',
        "consent_order": "complainant_first",
        "multi_officer_rule": "all_must_agree",
        "mediators_per_session": "2",
        "session_minutes": "60",
        "written_agreement": "none",
        "no_show_closure": "mediation_attempted",
        "deadline_calendar": "calendar",
        "exclusion_factors-TOTAL_FORMS": "0",
        "exclusion_factors-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_a_role_given_as_a_list_is_refused_in_plain_words(client, root):
    login(client, root)
    response = client.post(
        reverse("admin:policies_programpolicy_add"), _new_policy(suitability_deciders='["iad", ["x"]]')
    )
    assert response.status_code == 200
    assert "Unknown or unsuitable roles [['x']]; use intake, iad or admin." in text(response)
    assert not ProgramPolicy.objects.filter(slug="new-program").exists()


def test_a_new_policy_is_added(client, root):
    login(client, root)
    assert client.post(reverse("admin:policies_programpolicy_add"), _new_policy()).status_code == 302
    assert ProgramPolicy.objects.get(slug="new-program").suitability_deciders == ["iad"]
