"""What the staff pages call each workflow action: as a button (do it now) and in the timeline (done)."""

from __future__ import annotations

from django.urls import reverse

from parley.cases.workflow import ACTION_LABELS, BY_ACTION

__all__ = [
    "ACTION_LABELS",
    "ACTION_SLUGS",
    "EVENT_LABELS",
    "OPTIONAL_ACTIONS",
    "action_url",
    "identify_label",
]


# What the timeline says happened.
EVENT_LABELS: dict[str, str] = {
    "complaint_receive": "Complaint received",
    "complaint_acknowledge": "Acknowledged",
    "officer_identify": "Officer identified",
    "allegations_correct": "Allegations corrected",
    "party_correct": "A person's details corrected",
    "complaint_correct": "The incident's details corrected",
    "complaint_screen": "Screened for exclusion factors",
    "complaint_decide_suitability": "Suitability decided",
    "complaint_record_choice": "Both processes explained; choice recorded",
    "officer_record_consent": "Officer's answer recorded",
    "complaint_refer": "Referred to the mediation center",
    "session_schedule": "Session scheduled",
    "session_cancel": "Session cancelled",
    "session_record_outcome": "Session outcome recorded",
    "complaint_send_back_good_faith": "Sent back: no good faith",
    "complaint_withdraw": "Withdrawn",
}

# The URL slug of each action's form (``/complaints/<ref>/<slug>/``).
ACTION_SLUGS: dict[str, str] = {
    "complaint_acknowledge": "acknowledge",
    "officer_identify": "officer-identify",
    "allegations_correct": "allegations-correct",
    "party_correct": "party-correct",
    "complaint_correct": "correct",
    "complaint_screen": "screen",
    "complaint_decide_suitability": "suitability",
    "complaint_record_choice": "choice",
    "officer_record_consent": "officer-consent",
    "complaint_refer": "refer",
    "session_schedule": "schedule-session",
    "session_cancel": "cancel-session",
    "session_record_outcome": "outcome",
    "complaint_send_back_good_faith": "send-back",
    "complaint_withdraw": "withdraw",
}

# Actions a role may take, but that nothing waits for (they are not in anyone's queue).
OPTIONAL_ACTIONS: frozenset[str] = frozenset(
    {
        "complaint_withdraw",
        "complaint_send_back_good_faith",
        "session_cancel",
        "officer_identify",
        "party_correct",
        "complaint_correct",
        "allegations_correct",
    }
)

assert set(ACTION_LABELS) == set(BY_ACTION) == set(ACTION_SLUGS), "label every workflow action"


def identify_label(description: str, *, short: bool = True) -> str:
    """The button, and its form's title (``short=False``: the whole description), that identifies one
    officer only described at intake. A description is up to 300 characters: a button shows 40."""
    if not description:
        return "Identify the unidentified officer"
    if short and len(description) > 40:
        description = description[:40].rstrip() + "…"
    return f"Identify the officer described as “{description}”"


# The actions taken on one of the complaint's officers, or one of its people: their address names them too.
PER_OFFICER_ACTIONS = frozenset({"officer_record_consent", "officer_identify", "allegations_correct"})
PER_PARTY_ACTIONS = frozenset({"party_correct"})


def action_url(complaint, action: str, officer=None, *, party=None) -> str:
    """The address of an action's form on ``complaint`` (and on ``officer`` or ``party``, for an action on one
    of its officers or people)."""
    name = f"cases:{ACTION_SLUGS[action].replace('-', '_')}"
    if action in PER_OFFICER_ACTIONS and officer is not None:
        return reverse(name, kwargs={"ref": complaint.reference, "officer_pk": officer.pk})
    if action in PER_PARTY_ACTIONS and party is not None:
        return reverse(name, kwargs={"ref": complaint.reference, "party_pk": party.pk})
    return reverse(name, kwargs={"ref": complaint.reference})
