"""Program policies in the admin: what it accepts, screening, scheduling and retention can use."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("officer_repeat_window_days", "1000000", "Ensure this value is less than or equal to 3650."),
        ("retention_years", "3000", "Ensure this value is less than or equal to 100."),
        ("retention_years", "0", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_period_screening_or_retention_cannot_use_is_refused(client, root, policy, field, value, message):
    """A million days or 3,000 years back is before the year 1 (screening and the retention run
    failed); no retention at all would anonymise every closed complaint at the next run."""
    login(client, root)
    response = client.post(reverse("admin:policies_programpolicy_add"), _new_policy(**{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert not ProgramPolicy.objects.filter(slug="new-program").exists()


def test_a_new_policy_is_added(client, root):
    login(client, root)
    data = _new_policy(officer_repeat_window_days="3650", retention_years="100")
    assert client.post(reverse("admin:policies_programpolicy_add"), data).status_code == 302
    added = ProgramPolicy.objects.get(slug="new-program")
    assert (added.suitability_deciders, added.officer_repeat_window_days, added.retention_years) == (["iad"], 3650, 100)
