"""Presets of the program policies Parley ships with, from the programs' published rules
(DOMAIN.md sections 3 and 4). A program administrator starts from one and edits it in the admin.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parley.accounts.roles import Role
from parley.policies.models import (
    ConsentOrder,
    DeadlineCalendar,
    MultiOfficerRule,
    NoShowClosure,
    ProgramPolicy,
    WrittenAgreement,
)

DEFAULT_PRESET = "st-louis"

# The kinds of misconduct the St. Louis joint complaint form names, plus the usual catch-alls.
ALLEGATION_CATEGORIES: list[tuple[str, str]] = [
    ("excessive-force", "Excessive use of force"),
    ("abuse-of-authority", "Abuse of authority"),
    ("sexual-harassment", "Sexual harassment or assault"),
    ("discourtesy", "Discourtesy"),
    ("racial-profiling", "Racial profiling"),
    ("offensive-language", "Offensive language, including slurs"),
    ("improper-stop", "Improper stop, search or arrest"),
    ("failure-to-act", "Failure to act or to take a report"),
    ("vehicle-operation", "Unsafe vehicle operation"),
    ("domestic-violence", "Domestic violence"),
    ("other", "Other misconduct"),
]

_STL_FACTORS = [
    ("serious-injury", "Does the complaint allege serious physical injury?"),
    ("property-damage", "Does the complaint allege property damage?"),
    ("criminal-case", "Is there a pending criminal case connected to the incident?"),
    ("civil-suit", "Is there a civil lawsuit connected to the incident?"),
]

PRESETS: dict[str, dict[str, Any]] = {
    "st-louis": {
        "name": "St. Louis COB and CRC",
        "description": "Civilian Oversight Board screens, Internal Affairs decides suitability, the Conflict "
        "Resolution Center mediates with two mediators in a one-hour session.",
        # the Joint Civilian Complaint Form: the person it happened to files, a parent or guardian for a
        # minor; no third-party or anonymous complaints
        "anonymous_complaints_accepted": False,
        "third_party_complaints_accepted": False,
        "guardian_required_for_minors": True,
        "suitability_deciders": [Role.IAD],
        "consent_order": ConsentOrder.COMPLAINANT_FIRST,
        "officer_participation_mandatory": False,
        "multi_officer_rule": MultiOfficerRule.ALL_MUST_AGREE,
        "officer_refusal_discipline_referral": False,
        "mediators_per_session": 2,
        "session_minutes": 60,
        "written_agreement": WrittenAgreement.NONE,
        "no_show_limit": None,
        "no_show_closure": NoShowClosure.NOT_RESOLVED,
        "deadline_calendar": DeadlineCalendar.CALENDAR,
        "acknowledge_days": 7,
        "suitability_review_days": 14,
        "complainant_choice_days": 14,
        "officer_answer_days": 14,
        "schedule_session_days": 30,
        "mediator_notice_days": None,
        "finish_after_first_session_days": None,
        "officer_repeat_window_days": None,
        "factors": _STL_FACTORS,
        "excluded_categories": [],
    },
    "nyc-ccrb": {
        "name": "New York City CCRB",
        "description": "The Board decides suitability; one mediator; a complainant who misses two sessions "
        "without good cause ends the mediation as 'mediation attempted'.",
        "suitability_deciders": [Role.INTAKE],
        "consent_order": ConsentOrder.COMPLAINANT_FIRST,
        "officer_participation_mandatory": False,
        "multi_officer_rule": MultiOfficerRule.PROCEED_WITH_CONSENTING,
        "officer_refusal_discipline_referral": False,
        "mediators_per_session": 1,
        "session_minutes": 60,
        "written_agreement": WrittenAgreement.OPTIONAL,
        "no_show_limit": 2,
        "no_show_closure": NoShowClosure.MEDIATION_ATTEMPTED,
        "deadline_calendar": DeadlineCalendar.BUSINESS,
        "acknowledge_days": 7,
        "suitability_review_days": 10,
        "complainant_choice_days": 10,
        "officer_answer_days": 10,
        "schedule_session_days": 30,
        "mediator_notice_days": None,
        "finish_after_first_session_days": None,
        "officer_repeat_window_days": None,
        "factors": [],
        "excluded_categories": [],
    },
    "dc-opc": {
        "name": "Washington DC Office of Police Complaints",
        "description": "OPC decides suitability; officers must take part once referred, and a refusal is also "
        "cause for discipline; a written agreement is required; two-hour sessions; the mediation must end "
        "within 30 days of the first session.",
        "suitability_deciders": [Role.INTAKE],
        "consent_order": ConsentOrder.COMPLAINANT_FIRST,
        "officer_participation_mandatory": True,
        "multi_officer_rule": MultiOfficerRule.ALL_MUST_AGREE,
        "officer_refusal_discipline_referral": True,
        "mediators_per_session": 1,
        "session_minutes": 120,
        "written_agreement": WrittenAgreement.REQUIRED,
        "no_show_limit": 1,
        "no_show_closure": NoShowClosure.NOT_RESOLVED,
        "deadline_calendar": DeadlineCalendar.CALENDAR,
        "acknowledge_days": 7,
        "suitability_review_days": 14,
        "complainant_choice_days": 14,
        "officer_answer_days": None,
        "schedule_session_days": 30,
        "mediator_notice_days": None,
        "finish_after_first_session_days": 30,
        "officer_repeat_window_days": None,
        "factors": [("force-with-injury", "Does the complaint allege use of force that caused injury?")],
        "excluded_categories": [],
    },
    "new-orleans-ipm": {
        "name": "New Orleans Independent Police Monitor",
        "description": "IPM staff decide suitability; only minor conduct is mediated; two mediators matched "
        "to the parties where possible; 90-minute sessions in community spaces; 4 days' notice.",
        "suitability_deciders": [Role.INTAKE],
        "consent_order": ConsentOrder.COMPLAINANT_FIRST,
        "officer_participation_mandatory": False,
        "multi_officer_rule": MultiOfficerRule.ALL_MUST_AGREE,
        "officer_refusal_discipline_referral": False,
        "mediators_per_session": 2,
        "session_minutes": 90,
        "written_agreement": WrittenAgreement.OPTIONAL,
        "no_show_limit": 2,
        "no_show_closure": NoShowClosure.MEDIATION_ATTEMPTED,
        "deadline_calendar": DeadlineCalendar.CALENDAR,
        "acknowledge_days": 7,
        "suitability_review_days": 14,
        "complainant_choice_days": 14,
        "officer_answer_days": 14,
        "schedule_session_days": 30,
        "mediator_notice_days": 4,
        "finish_after_first_session_days": None,
        "officer_repeat_window_days": None,
        "factors": [("not-minor", "Is the alleged conduct more than minor misconduct?")],
        "excluded_categories": ["excessive-force", "sexual-harassment", "domestic-violence"],
    },
}


@transaction.atomic
def install_presets(*, activate: str | None = None) -> list[ProgramPolicy]:
    """Create the allegation categories and the preset policies that are missing.

    Existing policies are left as the administrator edited them. With ``activate`` the named
    preset becomes the active policy; when no policy is active the default preset is activated.
    """
    from parley.cases.models import AllegationCategory

    for order, (code, name) in enumerate(ALLEGATION_CATEGORIES):
        AllegationCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    policies = []
    for slug, spec in PRESETS.items():
        fields = {k: v for k, v in spec.items() if k not in {"factors", "excluded_categories"}}
        policy, created = ProgramPolicy.objects.get_or_create(slug=slug, defaults=fields)
        if created:
            for order, (code, question) in enumerate(spec["factors"]):
                policy.exclusion_factors.create(code=code, question=question, order=order)
            policy.excluded_categories.set(AllegationCategory.objects.filter(code__in=spec["excluded_categories"]))
        policies.append(policy)
    wanted = activate or (None if ProgramPolicy.objects.filter(is_active=True).exists() else DEFAULT_PRESET)
    if wanted:
        policy_activate(slug=wanted)
    return policies


def policy_activate(*, slug: str) -> ProgramPolicy:
    """Make one policy the active one (for complaints received from now on)."""
    with transaction.atomic():
        policy = ProgramPolicy.objects.select_for_update().get(slug=slug)
        ProgramPolicy.objects.filter(is_active=True).exclude(pk=policy.pk).update(is_active=False)
        if not policy.is_active:
            policy.is_active = True
            policy.save(update_fields=["is_active"])
    return policy
