"""The complaint workflow: every status, and every allowed transition, in one table.

Read ``TRANSITIONS`` top to bottom to see the whole program path (DOMAIN.md section 3). The service
functions in ``parley.cases.services`` carry out these transitions; nothing else changes a status.
``docs/workflow.md`` is generated from this table by ``manage.py workflow_diagram``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from parley.accounts.roles import Role


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    SUITABILITY_REVIEW = "suitability_review", "Suitability review"
    AWAITING_CHOICE = "awaiting_choice", "Awaiting the complainant's choice"
    AWAITING_OFFICER_CONSENT = "awaiting_officer_consent", "Awaiting the officer's answer"
    READY_FOR_REFERRAL = "ready_for_referral", "Ready for referral"
    REFERRED = "referred", "Referred to the mediation center"
    SCHEDULED = "scheduled", "Session scheduled"
    # Terminal statuses are the outcome codes of DOMAIN.md section 5.
    MEDIATED = "mediated", "Mediated"
    MEDIATION_ATTEMPTED = "mediation_attempted", "Mediation attempted"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    DECLINED_BY_COMPLAINANT = "declined_by_complainant", "Declined by complainant"
    DECLINED_BY_OFFICER = "declined_by_officer", "Declined by officer"
    UNSUITABLE = "unsuitable", "Found unsuitable"
    WITHDRAWN = "withdrawn", "Withdrawn"
    GOOD_FAITH_SEND_BACK = "good_faith_send_back", "Good-faith send-back"


class Disposition(models.TextChoices):
    """Where a complaint goes once it leaves the mediation path."""

    CLOSED_MEDIATED = "closed_mediated", "Closed as mediated: no further investigation, no discipline"
    CLOSED_MEDIATION_ATTEMPTED = "closed_mediation_attempted", "Closed as mediation attempted"
    CLOSED_WITHDRAWN = "closed_withdrawn", "Closed: the complainant withdrew the complaint"
    INVESTIGATION = "investigation", "Returned to Internal Affairs for a full investigation"


TERMINAL: frozenset[str] = frozenset(
    {
        Status.MEDIATED,
        Status.MEDIATION_ATTEMPTED,
        Status.NOT_RESOLVED,
        Status.DECLINED_BY_COMPLAINANT,
        Status.DECLINED_BY_OFFICER,
        Status.UNSUITABLE,
        Status.WITHDRAWN,
        Status.GOOD_FAITH_SEND_BACK,
    }
)
OPEN: frozenset[str] = frozenset(s for s in Status.values if s not in TERMINAL)

# The disposition a terminal status implies. WITHDRAWN depends on what was withdrawn (the mediation
# or the whole complaint), so the service decides it.
DISPOSITION_OF: dict[str, str] = {
    Status.MEDIATED: Disposition.CLOSED_MEDIATED,
    Status.MEDIATION_ATTEMPTED: Disposition.CLOSED_MEDIATION_ATTEMPTED,
    Status.NOT_RESOLVED: Disposition.INVESTIGATION,
    Status.DECLINED_BY_COMPLAINANT: Disposition.INVESTIGATION,
    Status.DECLINED_BY_OFFICER: Disposition.INVESTIGATION,
    Status.UNSUITABLE: Disposition.INVESTIGATION,
    Status.GOOD_FAITH_SEND_BACK: Disposition.INVESTIGATION,
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    targets: tuple[str, ...]
    roles: frozenset[str]
    guard: str

    def stays(self, status: str) -> bool:
        return status in self.targets


def _t(action: str, sources: set[str], targets: list[str], roles: set[str], guard: str) -> Transition:
    return Transition(action, frozenset(sources), tuple(targets), frozenset(roles), guard)


S = Status
R = Role
PRE_REFERRAL = {S.RECEIVED, S.SUITABILITY_REVIEW, S.AWAITING_CHOICE, S.AWAITING_OFFICER_CONSENT, S.READY_FOR_REFERRAL}

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("complaint_acknowledge", PRE_REFERRAL | {S.REFERRED, S.SCHEDULED}, [],
       {R.INTAKE, R.ADMIN}, "not acknowledged yet; status does not change"),
    _t("officer_identify", {S.RECEIVED}, [],
       {R.INTAKE, R.ADMIN}, "an officer only described at intake is found on the roster, before screening; "
       "status does not change"),
    _t("allegations_correct", {S.RECEIVED}, [],
       {R.INTAKE, R.ADMIN}, "the kinds of misconduct alleged against an officer, before screening (which reads "
       "them); at least one; a reason; status does not change"),
    _t("party_correct", set(OPEN), [],
       {R.INTAKE, R.ADMIN, R.COORDINATOR}, "a person's name, contact details, language or needs, while the "
       "complaint is open (the coordinator: once referred); a reason without the details; status does not change"),
    _t("complaint_correct", set(OPEN), [],
       {R.INTAKE, R.ADMIN}, "the incident's date, time, place or report number, while the complaint is open; a "
       "reason without the details; status does not change"),
    _t("complaint_screen", {S.RECEIVED}, [S.SUITABILITY_REVIEW, S.UNSUITABLE],
       {R.INTAKE}, "every exclusion factor of the policy answered; any yes, an excluded allegation category, "
       "no complainant who can take part, no identified officer, or an officer inside the repeat window makes it "
       "unsuitable"),
    _t("complaint_decide_suitability", {S.SUITABILITY_REVIEW}, [S.SUITABILITY_REVIEW, S.AWAITING_CHOICE, S.UNSUITABLE],
       {R.INTAKE, R.IAD, R.ADMIN}, "the role is one of the policy's suitability deciders and has not decided yet; "
       "moves on when every decider approved"),
    _t("complaint_record_choice", {S.AWAITING_CHOICE},
       [S.AWAITING_OFFICER_CONSENT, S.READY_FOR_REFERRAL, S.DECLINED_BY_OFFICER, S.DECLINED_BY_COMPLAINANT],
       {R.INTAKE}, "both processes were explained (who, when, how); mediation needs a named complainant and an "
       "identified officer"),
    _t("officer_record_consent", {S.AWAITING_OFFICER_CONSENT, S.AWAITING_CHOICE},
       [S.AWAITING_CHOICE, S.AWAITING_OFFICER_CONSENT, S.READY_FOR_REFERRAL, S.DECLINED_BY_OFFICER],
       {R.INTAKE, R.IAD}, "in awaiting_choice only when the policy asks both sides in parallel; "
       "the policy's multi-officer rule decides once every identified officer answered"),
    _t("complaint_refer", {S.READY_FOR_REFERRAL}, [S.REFERRED],
       {R.INTAKE}, "the complainant and the officers who take part agreed"),
    _t("session_schedule", {S.REFERRED}, [S.SCHEDULED],
       {R.COORDINATOR}, "as many distinct, active, eligible mediators as the policy asks, free at that time; "
       "after the policy's notice period"),
    _t("session_cancel", {S.SCHEDULED}, [S.REFERRED],
       {R.COORDINATOR}, "a reason is given; the case waits to be scheduled again"),
    _t("session_record_outcome", {S.SCHEDULED},
       [S.MEDIATED, S.NOT_RESOLVED, S.REFERRED, S.MEDIATION_ATTEMPTED, S.DECLINED_BY_OFFICER],
       {R.MEDIATOR, R.COORDINATOR}, "a mediator of this session or the coordinator; mediated only when every "
       "required party and mediator was present (and the agreement signed where the policy requires one)"),
    _t("complaint_send_back_good_faith", {S.REFERRED, S.SCHEDULED}, [S.GOOD_FAITH_SEND_BACK],
       {R.INTAKE, R.COORDINATOR}, "the complainant says the officer did not take part in good faith"),
    _t("complaint_withdraw", PRE_REFERRAL | {S.REFERRED, S.SCHEDULED}, [S.WITHDRAWN],
       {R.INTAKE, R.COORDINATOR}, "the complainant withdraws from mediation (to investigation) or withdraws "
       "the complaint (closed)"),
)
# fmt: on

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}

# What people call each action (buttons, and the messages below).
ACTION_LABELS: dict[str, str] = {
    "complaint_acknowledge": "Record the acknowledgement",
    "officer_identify": "Identify an officer",
    "allegations_correct": "Correct the allegations",
    "party_correct": "Correct a person's details",
    "complaint_correct": "Correct the incident's details",
    "complaint_screen": "Screen for exclusion factors",
    "complaint_decide_suitability": "Decide on suitability",
    "complaint_record_choice": "Record the complainant's choice",
    "officer_record_consent": "Record the officer's answer",
    "complaint_refer": "Refer to the mediation center",
    "session_schedule": "Schedule a session",
    "session_cancel": "Cancel the session",
    "session_record_outcome": "Record the outcome",
    "complaint_send_back_good_faith": "Send back: no good faith",
    "complaint_withdraw": "Record a withdrawal",
}

ROLE_NAMES: dict[str, str] = {**dict(Role.choices), "system": "Parley itself"}


class WorkflowError(Exception):
    """A workflow action was refused. The message is meant for the person who tried it."""


class ActionNotAllowed(WorkflowError):
    """The action cannot be taken in the complaint's current status."""

    def __init__(self, *, action: str, status: str):
        self.action = action
        self.status = status
        allowed = [ACTION_LABELS[a].lower() for a in actions_from(status)]
        allowed_text = "; ".join(allowed) if allowed else "nothing (the complaint is closed)"
        super().__init__(
            f"'{ACTION_LABELS[action]}' is not possible while the complaint is '{Status(status).label}'. "
            f"Possible now: {allowed_text}."
        )


class RoleNotAllowed(WorkflowError):
    def __init__(self, *, action: str, role: str, allowed_roles: frozenset[str] | set[str]):
        self.action = action
        self.role = role
        names = ", ".join(sorted(ROLE_NAMES.get(r, r) for r in allowed_roles))
        who = ROLE_NAMES.get(role, role)
        super().__init__(f"'{ACTION_LABELS.get(action, action)}' is not for the role '{who}'; it is for: {names}.")


class GuardFailed(WorkflowError):
    """The action fits the status and role, but its conditions are not met (the message says which)."""


class AlreadyReceived(WorkflowError):
    """The intake form was sent again: the complaint it made the first time is ``complaint``."""

    def __init__(self, complaint) -> None:
        self.complaint = complaint
        super().__init__(f"This form was already sent: it recorded complaint {complaint.reference}.")


def actions_from(status: str) -> list[str]:
    return [t.action for t in TRANSITIONS if status in t.sources]


def actions_for(status: str, role: str) -> list[str]:
    return [t.action for t in TRANSITIONS if status in t.sources and role in t.roles]


def mermaid() -> str:
    """The state diagram of TRANSITIONS, in Mermaid syntax."""
    lines = ["stateDiagram-v2", f"    [*] --> {Status.RECEIVED.value}"]
    for status in Status:
        lines.append(f"    {status.value}: {status.label}")
    for t in TRANSITIONS:
        roles = ", ".join(sorted(t.roles))
        for source in sorted(t.sources):
            targets = t.targets or (source,)
            for target in targets:
                lines.append(f"    {source} --> {target}: {t.action} ({roles})")
    for status in sorted(TERMINAL):
        lines.append(f"    {status} --> [*]")
    return "\n".join(lines) + "\n"
