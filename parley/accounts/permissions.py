"""Who may see and do what: ONE table, and the one helper every view uses to fetch a complaint.

``PERMISSIONS`` maps each capability to the roles that have it. The workflow actions are not
repeated here: their roles come straight from ``parley.cases.workflow.TRANSITIONS``, so the table
below and the workflow table can never disagree.

Views never check roles themselves. They call ``get_complaint_for(user, ref, need=...)``, which
returns the complaint or raises ``Http404`` (the complaint is outside the user's scope, or does not
exist) or ``PermissionDenied`` (the user's role lacks the capability). Templates use ``can`` only to
hide buttons; hiding a button is never the check.

The confidentiality wall (DOMAIN.md section 2): the mediation center sees only complaints that were
referred to it, and a mediator only the complaints of sessions they are assigned to, and of those
only what the session needs (names, languages, accommodations, time and place). Internal notes are
visible only inside the author's organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from parley.accounts.roles import ORGANISATION_OF_ROLE, Organisation, Role
from parley.cases.models import Complaint
from parley.cases.workflow import TRANSITIONS
from parley.mediation.models import MediationSession

R = Role
ALL_ROLES = frozenset(Role.values)
OVERSIGHT_AND_POLICE = frozenset({R.INTAKE, R.IAD, R.ADMIN, R.AUDITOR})
STAFF_READERS = OVERSIGHT_AND_POLICE | {R.COORDINATOR}

# Capability -> roles. Scope capabilities (``scope_*``) say which complaints a role can find at all.
# fmt: off
PERMISSIONS: dict[str, frozenset[str]] = {
    # Scope: which complaints a role can find at all. Every role has exactly one.
    "scope_all":                OVERSIGHT_AND_POLICE,
    "scope_referred":           frozenset({R.COORDINATOR}),   # only complaints referred to the mediation center
    "scope_assigned_sessions":  frozenset({R.MEDIATOR}),      # only complaints with a session they are on
    # Pages
    "view_queue":               ALL_ROLES,
    "view_complaint":           STAFF_READERS,               # the complaint page (mediators: their session page)
    "list_complaints":          STAFF_READERS,
    "export_complaints":        frozenset({R.INTAKE, R.ADMIN, R.AUDITOR}),
    "intake":                   frozenset({R.INTAKE, R.ADMIN}),   # record a complaint taken by phone, walk-in, mail
    "print_complaint":          STAFF_READERS,
    # Parts of the complaint page
    "view_narrative":           STAFF_READERS,               # what happened, in the complainant's words
    "view_allegations":         STAFF_READERS,               # the categories each officer is accused of
    "view_allegation_details":  OVERSIGHT_AND_POLICE,        # the investigation side of an allegation
    "view_screening":           OVERSIGHT_AND_POLICE,        # the exclusion factors as answered
    "view_personal_data":       frozenset({R.INTAKE, R.IAD, R.COORDINATOR, R.ADMIN}),  # contact details, birth date
    "view_session_needs":       ALL_ROLES,                   # names, languages, interpreter, accessibility
    "view_timeline":            STAFF_READERS,
    "view_deadlines":           STAFF_READERS,
    "view_session":             ALL_ROLES,                   # time, venue, team (a mediator: their own only)
    # The confidentiality wall: what the mediation center keeps beyond the outcome code. Oversight and
    # Internal Affairs see that a session was held, its outcome and whether an agreement was signed.
    "view_scheduling_notes":    frozenset({R.COORDINATOR, R.MEDIATOR}),  # logistics (a mediator: own sessions)
    "edit_scheduling_notes":    frozenset({R.COORDINATOR, R.MEDIATOR}),
    "view_agreement":           frozenset({R.COORDINATOR, R.MEDIATOR}),  # the terms, public or not
    "view_public_agreement":    ALL_ROLES,                   # the terms, when the parties agreed they are public
    "view_survey_answers":      frozenset({R.COORDINATOR}),   # exit surveys: the center's own feedback
    "enter_survey":             frozenset({R.COORDINATOR}),   # from the paper forms participants fill in
    "view_notes":               STAFF_READERS,               # notes of the reader's own organisation only
    "add_note":                 frozenset({R.INTAKE, R.IAD, R.COORDINATOR, R.ADMIN}),
    # The audit trail: read and downloaded by auditors only (least privilege: no one audits themselves)
    "view_audit":               frozenset({R.AUDITOR}),
    "export_audit":             frozenset({R.AUDITOR}),
    # The Django admin (reference data: categories, policies, roster, mediators, venues, users)
    "admin_site":               frozenset({R.ADMIN}),
    # A mediator's own pages
    "my_sessions":              frozenset({R.MEDIATOR}),
    # Recording a complaint (the service function of intake)
    "complaint_receive":        frozenset({R.INTAKE, R.ADMIN}),
    # Every workflow action: exactly the roles of the workflow table.
    **{t.action: t.roles for t in TRANSITIONS},
}
# fmt: on

SCOPES = ("scope_all", "scope_referred", "scope_assigned_sessions")

# Every URL of the project and what it takes to use it: a capability of the table above, or one of
# these three. A test walks every URL pattern for every role and for anonymous visitors, GET and
# POST, and checks the answer against this map; a new URL without an entry fails that test.
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any staff account
ADMIN_SITE = "admin_site"  # the Django admin: reference data, program administrators only

# fmt: off
URL_ACCESS: dict[str, str] = {
    "home":                              PUBLIC,  # the welcome page; a signed-in user's queue
    "healthz":                           PUBLIC,
    "accounts:login":                    PUBLIC,
    "accounts:verify":                   PUBLIC,  # the second step: needs the password step first
    "accounts:enrol":                    PUBLIC,  # setting up the second factor: needs the password step
    "accounts:logout":                   PUBLIC,
    "accounts:session_status":           PUBLIC,  # how long one's own session has left: "signed out" to others
    "accounts:stay_signed_in":           SIGNED_IN,
    "accounts:password_reset":           PUBLIC,
    "accounts:password_reset_done":      PUBLIC,
    "accounts:password_reset_confirm":   PUBLIC,
    "accounts:password_reset_complete":  PUBLIC,
    "accounts:password_change":          SIGNED_IN,
    "accounts:password_change_done":     SIGNED_IN,
    "cases:list":                        "list_complaints",
    "cases:find":                        "list_complaints",  # the header's "Find a complaint"
    "cases:export":                      "export_complaints",
    "cases:intake":                      "intake",
    "cases:detail":                      "view_session",  # staff: the complaint page; a mediator: their session
    "cases:note_create":                 "add_note",
    "cases:acknowledge":                 "complaint_acknowledge",
    "cases:screen":                      "complaint_screen",
    "cases:suitability":                 "complaint_decide_suitability",
    "cases:choice":                      "complaint_record_choice",
    "cases:officer_consent":             "officer_record_consent",
    "cases:officer_identify":            "officer_identify",
    "cases:allegations_correct":         "allegations_correct",
    "cases:party_correct":               "party_correct",
    "cases:correct":                     "complaint_correct",
    "cases:refer":                       "complaint_refer",
    "cases:schedule_session":            "session_schedule",
    "cases:cancel_session":              "session_cancel",
    "cases:outcome":                     "session_record_outcome",
    "cases:send_back":                   "complaint_send_back_good_faith",
    "cases:withdraw":                    "complaint_withdraw",
    "mediation:my_sessions":             "my_sessions",
    "mediation:session_outcome":         "my_sessions",  # a mediator's own outcome form (coordinators: cases:outcome)
    "mediation:scheduling_notes":        "edit_scheduling_notes",  # a mediator: their own sessions only
    "mediation:survey":                  "enter_survey",
    "audit:list":                        "view_audit",
    "audit:export":                      "export_audit",
}
# fmt: on


def role_of(user: Any) -> str:
    """The user's role, or "" for anonymous and inactive users (who may do nothing).

    A request's user who has given the password but not yet the second factor may do nothing either
    (``is_verified`` comes from django-otp's middleware; users loaded outside a request have none).
    The sign-in middleware already keeps such a user off every staff page; this is the second lock.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and not is_verified():
        return ""
    return getattr(user, "role", "") or ""


def can(user: Any, capability: str) -> bool:
    """Whether the user's role has ``capability`` (an unknown capability is a programming error)."""
    return role_of(user) in PERMISSIONS[capability]


def capabilities(user: Any) -> dict[str, bool]:
    """Every capability for this user, for templates (``{% if can.view_notes %}``)."""
    role = role_of(user)
    return {name: role in roles for name, roles in PERMISSIONS.items()}


def organisation_of(user: Any) -> str:
    return ORGANISATION_OF_ROLE.get(role_of(user), "")


def reads_reasons_of(user: Any, writer_role: str) -> bool:
    """Whether ``user`` may read the reason a step's recorder wrote (the timeline), by the role of the
    one who wrote it. A reason the mediation center wrote (why a session was cancelled, why the case
    went back to investigation, why the complainant withdrew) may tell what happened around or in a
    session: it is the center's own record, behind the confidentiality wall, and oversight and
    Internal Affairs see only the step and its outcome."""
    if ORGANISATION_OF_ROLE.get(writer_role) == Organisation.MEDIATION_CENTER:
        return organisation_of(user) == Organisation.MEDIATION_CENTER
    return True


def visible_complaints(user: Any, queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """The complaints this user can find at all (their scope), as a queryset."""
    qs = Complaint.objects.all() if queryset is None else queryset
    if can(user, "scope_all"):
        return qs
    if can(user, "scope_referred"):
        return qs.filter(referred_at__isnull=False)
    if can(user, "scope_assigned_sessions"):
        return qs.filter(
            Exists(MediationSession.objects.filter(complaint=OuterRef("pk"), mediators__user=user)),
        )
    return qs.none()


def get_complaint_for(
    user: Any,
    pk_or_reference: int | str,
    *,
    need: str = "view_complaint",
    queryset: QuerySet[Complaint] | None = None,
) -> Complaint:
    """The complaint, if ``user`` may ``need`` it; otherwise ``PermissionDenied`` or ``Http404``.

    ``PermissionDenied`` when the user's role lacks ``need`` whatever the complaint; ``Http404`` when
    the complaint does not exist or is outside the user's scope (so that the answer does not reveal
    that it exists). For the suitability decision the complaint's own policy names the deciders.
    ``queryset`` lets the caller fetch the complaint with what its page needs (select/prefetch).
    """
    if not can(user, need):
        raise PermissionDenied
    qs = visible_complaints(user, queryset)
    key = str(pk_or_reference).strip()
    if not key.isprintable():  # a NUL or another control character: no reference has one (PostgreSQL refuses NUL)
        raise Http404("No complaint found.")
    # ASCII digits only: "²" and a full-width one are digits to str.isdigit(), and "²" is not to int()
    lookup = {"pk": int(key)} if key.isascii() and key.isdigit() else {"reference": key}
    try:
        complaint = qs.get(**lookup)
    except Complaint.DoesNotExist:
        raise Http404("No complaint found.") from None
    if need == "complaint_decide_suitability" and role_of(user) not in complaint.policy.suitability_deciders:
        raise PermissionDenied
    return complaint


@dataclass(frozen=True)
class CenterRecords:
    """What ``user`` may read of what the mediation center keeps about one session (the wall).
    ``None`` means "not for this user"; the page shows only what is here, never the session's own fields."""

    agreement_terms: str | None = None
    agreement_public: bool = False
    scheduling_notes: str | None = None
    surveys: list | None = None


def center_records(user: Any, session: MediationSession) -> CenterRecords:
    """The confidentiality wall for one session. Survey responses must be prefetched for the roles that
    may read them (``survey_responses``); they are never loaded for the others."""
    try:
        agreement = session.agreement
    except ObjectDoesNotExist:
        agreement = None
    readable = agreement is not None and (
        can(user, "view_agreement") or (agreement.public and can(user, "view_public_agreement"))
    )
    return CenterRecords(
        agreement_terms=agreement.terms if readable else None,
        agreement_public=bool(agreement and agreement.public),
        scheduling_notes=session.scheduling_notes if can(user, "view_scheduling_notes") else None,
        surveys=list(session.survey_responses.all()) if can(user, "view_survey_answers") else None,
    )


def require(user: Any, capability: str) -> None:
    """For pages that are not about one complaint (lists, intake, export)."""
    if not can(user, capability):
        raise PermissionDenied


def roles_with(capability: str) -> Iterable[str]:
    return sorted(PERMISSIONS[capability])
