"""What the mediation center records beside the workflow: scheduling notes and exit surveys.

Neither changes a complaint's status, so neither is a workflow action; both check the permission
table themselves and write nothing to the complaint's event log (its timeline is read outside the
mediation center). The audit trail records each request.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping

from django.db import transaction

from parley.accounts.models import User
from parley.accounts.permissions import can
from parley.accounts.roles import Role
from parley.cases.models import PartyKind
from parley.cases.retention import NOTHING_ADDED
from parley.cases.workflow import GuardFailed, RoleNotAllowed
from parley.mediation.models import MediationSession, Respondent, SessionStatus, SurveyAnswer, SurveyResponse
from parley.mediation.survey import STATEMENTS

MAX_NOTES = 4000
MAX_COMMENT = 4000


def _on_team(session: MediationSession, user: User) -> bool:
    return session.mediators.filter(user=user).exists()


def _refuse_if_anonymised(session: MediationSession) -> None:
    """Retention has removed this complaint's personal data and will not come back for new free text."""
    if session.complaint.anonymised_at is not None:
        raise GuardFailed(NOTHING_ADDED)


# A mediator keeps the notes of a session still booked; one called off (perhaps booked again with another
# team) or held is the coordinator's to keep (from a walk-through: a mediator taken off a session could
# still change its notes).
MEDIATOR_NOTES_CLOSED = "This session was called off or has taken place: only the coordinator changes its notes now."


def notes_version(notes: str) -> str:
    """A short fingerprint of scheduling notes as an editor was shown them (``expected`` below)."""
    return hashlib.sha256(notes.encode()).hexdigest()[:16]


class NotesChangedMeanwhile(GuardFailed):
    """Someone saved other scheduling notes since the editor opened them (``current``)."""

    def __init__(self, current: str):
        super().__init__(
            "Someone changed these notes since you opened them, so yours were not saved. Their notes are shown "
            "above the box, yours are in it: combine the two and save again."
        )
        self.current = current


def session_update_scheduling_notes(
    *, session: MediationSession, actor: User, notes: str, expected: str | None = None
) -> MediationSession:
    """Replace the session's scheduling notes (the coordinator, or a mediator of its team).

    ``expected``: the ``notes_version`` of the notes the editor started from. When someone else saved
    other notes since, nothing is saved (``NotesChangedMeanwhile``): two people editing at once would
    otherwise lose the first one's notes without a word (from a data-loss review)."""
    if not can(actor, "edit_scheduling_notes") or (actor.role == Role.MEDIATOR and not _on_team(session, actor)):
        raise RoleNotAllowed(action="edit_scheduling_notes", role=actor.role, allowed_roles={Role.COORDINATOR})
    _refuse_if_anonymised(session)
    if actor.role == Role.MEDIATOR and session.status != SessionStatus.SCHEDULED:
        raise GuardFailed(MEDIATOR_NOTES_CLOSED)
    notes = notes.strip()
    if len(notes) > MAX_NOTES:
        raise GuardFailed(f"Keep the scheduling notes under {MAX_NOTES} characters.")
    with transaction.atomic():
        locked = MediationSession.objects.select_for_update().get(pk=session.pk)
        if (
            expected is not None
            and expected != notes_version(locked.scheduling_notes)
            and notes != locked.scheduling_notes
        ):
            raise NotesChangedMeanwhile(locked.scheduling_notes)
        locked.scheduling_notes = notes
        locked.save(update_fields=["scheduling_notes"])
    return locked


class SurveySentTwice(GuardFailed):
    """The survey form with this token was saved already: the survey is counted once."""

    def __init__(self) -> None:
        super().__init__("This survey was sent twice; it is saved once.")


def survey_record(
    *,
    session: MediationSession,
    actor: User,
    respondent: str,
    answers: Mapping[str, str],
    comment: str = "",
    submission: uuid.UUID | None = None,
) -> SurveyResponse:
    """Enter one participant's exit survey, as they filled it in, for a session that was held.

    Unanswered statements are left out (a paper form may have blanks); an empty survey is refused.

    ``submission``: the token of the form it came from. The same form sent again raises
    ``SurveySentTwice`` and saves nothing: counting the surveys of a side against the people who took
    part misses a repeat while that side has room for more (two officers, one survey entered twice).
    """
    if not can(actor, "enter_survey"):
        raise RoleNotAllowed(action="enter_survey", role=actor.role, allowed_roles={Role.COORDINATOR})
    _refuse_if_anonymised(session)
    if respondent not in Respondent.values:
        raise GuardFailed("Say whose survey this is: the complainant's or an officer's.")
    if session.status != SessionStatus.HELD:
        raise GuardFailed("Exit surveys are for sessions that were held.")
    codes = {code for code, _text in STATEMENTS[respondent]}
    given = {code: value for code, value in answers.items() if value}
    unknown = set(given) - codes
    if unknown:
        raise GuardFailed(f"This survey has no statement {sorted(unknown)[0]!r}.")
    if any(value not in SurveyAnswer.values for value in given.values()):
        raise GuardFailed("Each answer is agree, disagree or no opinion.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise GuardFailed(f"Keep the comment under {MAX_COMMENT} characters.")
    if not given and not comment:
        raise GuardFailed("The survey is empty: enter at least one answer or the comment.")
    with transaction.atomic():
        # one entry at a time: the second sending of a form waits here for the first, then finds its token
        MediationSession.objects.select_for_update().filter(pk=session.pk).first()
        if submission is not None and SurveyResponse.objects.filter(submission=submission).exists():
            raise SurveySentTwice
        took_part = participants(session, respondent)
        if SurveyResponse.objects.filter(session=session, respondent=respondent).count() >= took_part:
            side = "complainant" if respondent == Respondent.COMPLAINANT else "officer"
            if not took_part:
                raise GuardFailed(f"No {side} is recorded as present at this session, so it has no {side}'s survey.")
            raise GuardFailed(
                f"This session has an exit survey from every {side} who took part ({took_part}) already: "
                "was this paper form entered before? Nothing was saved."
            )
        return SurveyResponse.objects.create(
            session=session,
            respondent=respondent,
            answers=given,
            comment=comment,
            entered_by=actor,
            submission=submission,
        )


def participants(session: MediationSession, respondent: str) -> int:
    """How many of one side took part in a held session, so how many exit surveys it can have from that
    side (each participant fills in one): those marked present, or, where no attendance was recorded (a
    send-back after the session), those who were to be in the room."""
    kind = "party" if respondent == Respondent.COMPLAINANT else "officer"
    attendance = session.attendance.filter(**{f"{kind}__isnull": False})
    if kind == "party":  # the complainants: not a parent or support person who came with them
        attendance = attendance.filter(party__kind=PartyKind.COMPLAINANT)
    if attendance.exists():
        return attendance.filter(present=True).count()
    from parley.cases.services import required_attendees

    parties, officers, _mediators = required_attendees(session.complaint, session)
    return len(parties if kind == "party" else officers)
