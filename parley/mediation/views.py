"""A mediator's pages: their sessions (short, phone-friendly) and the outcome-and-attendance form.

A mediator sees only the sessions they are assigned to, and of those only what the session needs:
time and place, the team, the parties' names, languages and accommodations. Never the narrative,
the screening, the allegations or anyone's notes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from parley.accounts.kept import kept_entries, login_required
from parley.accounts.permissions import get_complaint_for, require
from parley.accounts.roles import Role
from parley.cases import selectors
from parley.cases.forms import OutcomeForm
from parley.cases.models import IN_THE_ROOM, language_name
from parley.cases.views import record_outcome
from parley.cases.workflow import ActionNotAllowed, RoleNotAllowed, Status, WorkflowError
from parley.keyset import BadCursor, Segment, cursor_before, keyset_page
from parley.mediation import services as mediation_services
from parley.mediation.forms import SchedulingNotesForm, SurveyForm
from parley.mediation.models import MediationSession, Respondent, SessionStatus


def _session_card(session: MediationSession, now) -> dict:
    complaint = session.complaint
    people = [
        {
            "name": p.display_name,
            "kind": p.get_kind_display(),
            "language": language_name(p.preferred_language),
            "interpreter": p.needs_interpreter,
            "asl": p.needs_asl,
            "step_free": p.needs_step_free,
            "accessibility": p.accessibility_needs,
        }
        for p in complaint.parties.all()
        if p.kind in IN_THE_ROOM and not p.anonymous
    ]
    officers = [o for o in complaint.officers.all() if o.identified and o.takes_part]
    return {
        "session": session,
        "reference": complaint.reference,
        "people": people,
        "officers": officers,
        "team": list(session.mediators.all()),
        "outcome_due": session.starts_at <= now and complaint.status == Status.SCHEDULED,
    }


@login_required
@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The sessions that wait for their outcome, then those to come, a page at a time by date (a busy
    mediator may have hundreds booked). ``?session=<pk>`` opens the page that starts with that session."""
    require(request.user, "my_sessions")
    now = timezone.now()
    sessions = selectors.mediator_sessions(request.user)
    due = list(sessions.filter(starts_at__lte=now)[: DUE_SHOWN + 1])
    after, before = request.GET.get("after"), request.GET.get("before")
    if (
        wanted := request.GET.get("session", "")
    ).isascii() and wanted.isdigit():  # the page that starts with that session
        start = sessions.filter(pk=int(wanted), starts_at__gt=now).first()
        if start is None:
            return redirect("mediation:my_sessions")
        earlier = sessions.filter(starts_at__gt=now).filter(
            Q(starts_at__lt=start.starts_at) | Q(starts_at=start.starts_at, pk__lt=start.pk)
        )
        if not earlier.exists():  # the first page: without a cursor, which would offer a "Previous page" of none
            return redirect(f"{reverse('mediation:my_sessions')}#session-{start.pk}")
        cursor = cursor_before(_upcoming(sessions, now), start, scope="sessions", salt=_SALT)
        return redirect(f"{reverse('mediation:my_sessions')}?{urlencode({'after': cursor})}#session-{start.pk}")
    try:
        page = keyset_page(
            _upcoming(sessions, now), size=SESSIONS_PAGE_SIZE, scope="sessions", salt=_SALT, after=after, before=before
        )
    except BadCursor:
        messages.warning(request, "That page link no longer works, so the first page is shown.")
        page = keyset_page(_upcoming(sessions, now), size=SESSIONS_PAGE_SIZE, scope="sessions", salt=_SALT)
    return render(
        request,
        "mediation/my_sessions.html",
        {
            "due": [_session_card(s, now) for s in due[:DUE_SHOWN]],
            "more_due": len(due) > DUE_SHOWN,
            "page": page,
            "upcoming": [_session_card(s, now) for s in page.rows],
        },
    )


DUE_SHOWN = 50
SESSIONS_PAGE_SIZE = 20
_SALT = "parley.mediation.my-sessions"


def _upcoming(sessions, now) -> list[Segment]:
    return [Segment(sessions.filter(starts_at__gt=now), order=("starts_at", "id"))]


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def session_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediator's outcome and attendance form: calls services.session_record_outcome."""
    require(request.user, "my_sessions")
    session = get_object_or_404(MediationSession.objects.select_related("venue"), pk=pk, mediators__user=request.user)
    complaint = get_complaint_for(request.user, session.complaint_id, need="session_record_outcome")
    back = reverse("mediation:my_sessions")

    def too_late() -> HttpResponse:
        """The form as sent, unsaved, and who recorded the outcome or called the session off first: the
        second mediator of the team keeps what they typed (from a data-loss review)."""
        form = OutcomeForm(request.POST, complaint=complaint, user=request.user, session=session)
        form.is_valid()
        form.add_error(
            None,
            # not who acted nor what came after: a mediator taken off the team is told nothing of the rest
            "This was not saved: the session's outcome is recorded already, or the session was called off. "
            "What you typed is below; tell the coordinator if it differs.",
        )
        context = {"complaint": complaint, "session": session, "form": form, "closed": True, "cancel_url": back}
        context["post_url"] = request.path
        return render(request, "cases/_action_form.html" if request.htmx else "mediation/session_outcome.html", context)

    if session.status != SessionStatus.SCHEDULED or complaint.status != Status.SCHEDULED:
        if request.method == "POST":
            return too_late()
        messages.error(request, "This session's outcome is already recorded, or the session was called off.")
        return redirect(back)
    if session.starts_at > timezone.now():
        messages.error(request, "Record the outcome after the session has taken place.")
        return redirect(back)
    if request.method == "POST":
        form = OutcomeForm(request.POST, complaint=complaint, user=request.user, session=session)
        if form.is_valid():
            try:
                record_outcome(complaint, form)
            except (ActionNotAllowed, RoleNotAllowed):
                complaint.refresh_from_db()
                return too_late()
            except WorkflowError as exc:
                form.add_error(None, str(exc))  # the error summary says nothing was saved
            else:
                messages.success(
                    request,
                    "Thank you. The outcome is recorded. If the participants have not had the exit survey's "
                    "paper form yet, give it to them, or tell the coordinator.",
                )
                return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    else:
        form = OutcomeForm(kept_entries(request), complaint=complaint, user=request.user, session=session)
    context = {"complaint": complaint, "session": session, "form": form, "post_url": request.path, "cancel_url": back}
    if request.htmx:
        return render(request, "cases/_action_form.html", context)
    return render(request, "mediation/session_outcome.html", context)


def _session_for(request: HttpRequest, pk: int, need: str) -> tuple[MediationSession, str]:
    """The session, if the user may ``need`` it (a mediator: only their own), and where to go back to."""
    require(request.user, need)
    sessions = MediationSession.objects.select_related("complaint")
    if request.user.role == Role.MEDIATOR:
        sessions = sessions.filter(mediators__user=request.user)
    session = get_object_or_404(sessions, pk=pk)
    complaint = get_complaint_for(request.user, session.complaint_id, need=need)
    if request.user.role == Role.MEDIATOR:
        return session, reverse("mediation:my_sessions") + f"#session-{session.pk}"
    return session, reverse("cases:detail", kwargs={"ref": complaint.reference}) + "#sessions"


@login_required
@require_http_methods(["GET", "POST"])
def scheduling_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediation center's logistics notes for one session (never shown outside the center)."""
    session, back = _session_for(request, pk, "edit_scheduling_notes")
    if request.user.role == Role.MEDIATOR and session.status != SessionStatus.SCHEDULED:
        if request.method == "POST":  # the notes typed come back to be copied and passed on, not lost
            form = SchedulingNotesForm(request.POST)
            form.is_valid()
            form.add_error(
                None,
                f"{mediation_services.MEDIATOR_NOTES_CLOSED} What you typed is below: copy it to pass it on to "
                "the coordinator.",
            )
            back = reverse("mediation:my_sessions")  # the session is no longer among theirs to come
            context = {"session": session, "form": form, "back": back, "theirs": None, "closed": True}
            return render(request, "mediation/scheduling_notes.html", context)
        messages.error(request, mediation_services.MEDIATOR_NOTES_CLOSED)
        return redirect(reverse("mediation:my_sessions"))
    theirs = None  # someone else's notes, saved while this person was editing
    if request.method == "POST":
        form = SchedulingNotesForm(request.POST)
        if form.is_valid():
            try:
                mediation_services.session_update_scheduling_notes(
                    session=session,
                    actor=request.user,
                    notes=form.cleaned_data["notes"],
                    # a form that does not say which notes it started from started from none: it saves
                    # over empty notes, and over others only after their editor has seen them
                    expected=form.cleaned_data["was"] or mediation_services.notes_version(""),
                )
            except mediation_services.NotesChangedMeanwhile as exc:
                theirs = exc.current
                data = request.POST.copy()
                data["was"] = mediation_services.notes_version(exc.current)  # saving again keeps what is sent
                form = SchedulingNotesForm(data)
                form.is_valid()
                form.add_error("notes", str(exc))
            except WorkflowError as exc:
                form.add_error("notes", str(exc))
            else:
                messages.success(request, "The scheduling notes are saved.")
                return redirect(back)
    else:
        version = mediation_services.notes_version(session.scheduling_notes)
        form = SchedulingNotesForm(kept_entries(request), initial={"notes": session.scheduling_notes, "was": version})
    context = {"session": session, "form": form, "back": back, "theirs": theirs}
    return render(request, "mediation/scheduling_notes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter one participant's exit survey from the paper form (the mediation center only)."""
    session, back = _session_for(request, pk, "enter_survey")
    if session.status != SessionStatus.HELD:
        messages.error(request, "Exit surveys are for sessions that were held.")
        return redirect(back)
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                mediation_services.survey_record(
                    session=session,
                    actor=request.user,
                    respondent=form.cleaned_data["respondent"],
                    answers=form.answers(),
                    comment=form.cleaned_data["comment"],
                    submission=form.cleaned_data["submission"],
                )
            except mediation_services.SurveySentTwice as exc:  # the first sending saved it
                messages.info(request, str(exc))
                return redirect(back)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "The survey is saved. Thank you.")
                return redirect(back)
    else:
        kept = kept_entries(request)
        form = SurveyForm(kept, respondent=None if kept else request.GET.get("respondent"))
    other = Respondent.OFFICER if form.side == Respondent.COMPLAINANT else Respondent.COMPLAINANT
    return render(
        request,
        "mediation/survey.html",
        {
            "session": session,
            "form": form,
            "back": back,
            "side_label": Respondent(form.side).label,
            "other": other,
            "other_label": Respondent(other).label,
        },
    )
