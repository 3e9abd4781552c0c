"""The staff pages about complaints: my queue, the list (and its CSV), intake, the complaint page, and
one small form per workflow action.

Every view fetches its complaint through ``get_complaint_for`` (parley.accounts.permissions), which
raises 404/403; templates only hide the buttons. Each action URL shows its form (a partial for htmx,
a full page otherwise) and, on POST, calls exactly one service function. A refused action
(``WorkflowError``) becomes a message on the complaint page; nothing is changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from parley.accounts.kept import kept_entries, login_required
from parley.accounts.permissions import (
    can,
    capabilities,
    center_records,
    get_complaint_for,
    organisation_of,
    reads_reasons_of,
    require,
    role_of,
    visible_complaints,
)
from parley.accounts.roles import Organisation, Role
from parley.cases import demographics, roster, rows, selectors, services
from parley.cases.forms import (
    DEFAULT_PAGE_SIZE,
    AcknowledgeForm,
    ActionForm,
    AllegationsCorrectForm,
    CancelSessionForm,
    ChoiceForm,
    ComplaintCorrectForm,
    ComplaintFilterForm,
    IntakeForm,
    NoteForm,
    OfficerConsentForm,
    OfficerFormSet,
    OfficerIdentifyForm,
    OutcomeForm,
    PartyCorrectForm,
    PartyFormSet,
    ReferForm,
    ScheduleForm,
    ScreenForm,
    SendBackForm,
    SuitabilityForm,
    WithdrawForm,
)
from parley.cases.labels import ACTION_LABELS, EVENT_LABELS, action_url
from parley.cases.models import AllegationCategory, Complaint, ComplaintEvent, ComplaintOfficer, Party, language_name
from parley.cases.notes import NoteSentTwice, note_add
from parley.cases.workflow import (
    ActionNotAllowed,
    AlreadyReceived,
    RoleNotAllowed,
    WorkflowError,
    actions_for,
)
from parley.jinja import render_html
from parley.keyset import BadCursor
from parley.mediation import eligibility
from parley.mediation.models import MediationSession, SessionStatus, SurveyResponse
from parley.policies.models import ProgramPolicy
from parley.redirects import back_to_the_list

QUEUE_PAGE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# My queue


@login_required
@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    """The landing page of signed-in staff: what waits for their role, overdue first."""
    if can(request.user, "my_sessions"):
        from parley.mediation.views import my_sessions

        return my_sessions(request)
    require(request.user, "view_queue")
    now = timezone.now()
    after, before = request.GET.get("after"), request.GET.get("before")
    try:
        page = selectors.queue_page(request.user, size=QUEUE_PAGE_SIZE, after=after, before=before, now=now)
    except BadCursor:
        messages.warning(request, "That page link no longer works, so the first page is shown.")
        page = selectors.queue_page(request.user, size=QUEUE_PAGE_SIZE, now=now)
    shown = len(page.rows)
    if page.is_complete:
        caption = f"{shown} complaint{'' if shown == 1 else 's'} waiting for you"
    else:
        caption = f"Complaints waiting for you: {shown} on this page" + (
            ", more on the next pages" if page.has_next else ""
        )
    table = ""
    if page.rows:
        steps_of = selectors.queue_steps_for(request.user, page.rows, now=now)
        table = rows.render_queue_table(page.rows, steps_of=steps_of, today=timezone.localdate(now), caption=caption)
    return render(
        request,
        "cases/queue.html",
        {"page": page, "rows": page.rows, "table": table, "role_label": Role(request.user.role).label},
    )


# ---------------------------------------------------------------------------------------------
# The complaint list and its CSV


def _list_filters(request: HttpRequest) -> tuple[ComplaintFilterForm, dict[str, Any]]:
    """The filter form and the filters that are valid (an invalid value is left out, with a message)."""
    data = None
    if request.GET:  # a filter changed without touching the page size keeps the default one, as shown
        data = request.GET.copy()
        data.setdefault("per_page", str(DEFAULT_PAGE_SIZE))
    form = ComplaintFilterForm(data)
    if can(request.user, "view_personal_data"):
        form.fields["q"].help_text = (
            "Reference number, complainant's name, or officer's name, DSN or badge; or a person's exact email "
            "address or phone number."
        )
    if not form.is_bound:
        return form, {}
    form.is_valid()  # what is invalid is left out; the error summary says which
    return form, form.cleaned_data


def _filtered(request: HttpRequest, filters: dict[str, Any], *, search: bool = True, status_in_order: bool = False):
    return selectors.filter_complaints(
        visible_complaints(request.user),
        filters,
        today=timezone.localdate(),
        search=search,
        contact=can(request.user, "view_personal_data"),  # only those who may see it search by it
        status_in_order=status_in_order,
    )


# The list's filters other than the search words (in "More filters and sorting").
MORE_FILTERS = (
    "status",
    "received_from",
    "received_to",
    "officer",
    "category",
    "outcome",
    "disposition",
    "overdue",
    "sort",
    "per_page",
)
PAGING = ("after", "before", "count")
# what the folded fields send when no one touched them (a browser sends the shown sort and page size)
FILTER_DEFAULTS = {"sort": selectors.DEFAULT_SORT, "per_page": str(DEFAULT_PAGE_SIZE)}


@login_required
@require_GET
def complaint_find(request: HttpRequest) -> HttpResponse:
    """The header's "Find a complaint": a complaint's exact reference number opens its page at once;
    anything else is a search of the list (which says what it found). A reference the user may not
    see is searched like any other words, so the answer does not tell that it exists."""
    require(request.user, "list_complaints")
    words = request.GET.get("q", "").strip()[:100]
    if words:
        if words.isprintable():  # words with a NUL go to the list, whose form says what is wrong with them
            found = visible_complaints(request.user).filter(reference__in={words, words.upper()})  # its unique index
            if reference := found.values_list("reference", flat=True).first():
                return redirect("cases:detail", ref=reference)
        return redirect(f"{reverse('cases:list')}?{urlencode({'q': words})}")
    return redirect("cases:list")


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """The complaints a page at a time. No count of them all on every request (over a million rows
    it is most of the page's time); the total shows when one page holds them all, or on request."""
    require(request.user, "list_complaints")
    form, filters = _list_filters(request)
    sort = filters.get("sort") or selectors.DEFAULT_SORT
    size = filters.get("per_page") or DEFAULT_PAGE_SIZE
    text = (filters.get("q") or "").strip()
    contact = can(request.user, "view_personal_data")
    # by date received, with one status pinned by a filter, the order starts with it (complaint_page); the
    # other orders keep the equality, which the partial indexes of open complaints are read by
    status = selectors.pinned_status(filters) if selectors.SORTS[sort][1] == "received_on" else None
    qs = _filtered(request, filters, search=False, status_in_order=status is not None).values(*rows.LIST_FIELDS)
    try:
        page = selectors.complaint_page(
            qs,
            sort=sort,
            size=size,
            text=text,
            contact=contact,
            status=status,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    except BadCursor:
        messages.warning(request, "That page link no longer works, so the first page is shown.")
        page = selectors.complaint_page(qs, sort=sort, size=size, text=text, contact=contact, status=status)
    if page.is_complete:
        total = len(page.rows)
    elif request.GET.get("count"):
        total = _filtered(request, filters).count()
    else:
        total = None
    sort_label = selectors.SORTS[sort][0]
    table = rows.render_list_table(
        page.rows,
        today=timezone.localdate(),
        categories=form.category_names if can(request.user, "view_allegations") else None,
        caption=f"Complaints, sorted by {sort_label.lower()}",
    )
    return render(
        request,
        "cases/complaint_list.html",
        {
            "form": form,
            "page": page,
            "rows": page.rows,
            "table": table,
            "total": total,
            "sort": sort,
            "size": size,
            "filtered": any(name not in PAGING for name in request.GET),  # a page link is not a filter
            # the filters beyond the search words start open when one is in use (or was refused)
            "more_filters_open": bool(form.errors)
            or any(request.GET.get(name) not in ("", None, FILTER_DEFAULTS.get(name)) for name in MORE_FILTERS),
        },
    )


def _csv_safe(value: Any) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas; quote them."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def complaint_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (names, officers and allegations; no contact details, no narrative)."""
    require(request.user, "export_complaints")
    form, filters = _list_filters(request)
    if form.is_bound and form.errors:
        return back_to_the_list(request, form, reverse("cases:list"))
    sort = filters.get("sort") or selectors.DEFAULT_SORT
    _, field, descending = selectors.SORTS[sort]
    qs = selectors.sorted_complaints(_filtered(request, filters), sort)
    qs = qs.order_by(f"-{field}" if descending else field, "-id" if descending else "id").values(*rows.CSV_FIELDS)
    today = timezone.localdate()

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(rows.CSV_COLUMNS)
        for line in rows.csv_lines(qs.iterator(chunk_size=rows.CSV_BATCH), today=today):
            yield writer.writerow([_csv_safe(value) for value in line])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{today.isoformat()}.csv"'
    return response


# ---------------------------------------------------------------------------------------------
# Staff intake


def _formset_count(data, prefix: str) -> int:
    try:
        return max(1, min(int(data.get(f"{prefix}-TOTAL_FORMS", "1")), 20))
    except ValueError:
        return 1


def _row_number(text: str) -> int | None:
    """The row a button names ("2" of "officers-2"): at most two digits (a form has at most 20 rows),
    so that a tampered one of thousands of digits is no row rather than a number too long to read."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else None


def _without_row(data, prefix: str, index: int) -> str:
    """Take row ``index`` out of a formset's posted data, the rows after it moving up one place. Returns
    what the page then says above the section (the focus goes there): which row went, by the name or DSN
    typed in it, and whether the rows after it moved up; "" when nothing goes."""
    count = _formset_count(data, prefix)
    if not 0 < index < count:  # the first row (the complainant, the first officer) stays
        return ""
    rows = [
        {key.split("-", 2)[2]: data.getlist(key) for key in list(data) if key.startswith(f"{prefix}-{i}-")}
        for i in range(count)
    ]
    for i in range(count):
        for name in rows[i]:
            del data[f"{prefix}-{i}-{name}"]
    gone = {name: (values[-1] if values else "").strip() for name, values in rows.pop(index).items()}
    for i, row in enumerate(rows):
        for name, values in row.items():
            data.setlist(f"{prefix}-{i}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(count - 1)
    if prefix == "parties":
        name = " ".join(filter(None, (gone.get("first_name"), gone.get("last_name"))))
        what = f"Person {index + 1}" + (f" ({name})" if name else "")
    else:
        what = f"Officer {index + 1}" + (f" (DSN {gone['dsn']})" if gone.get("dsn") else "")
    moved = " The ones after it moved up one place." if index + 1 < count else ""
    return f"{what} is removed from the form.{moved} Nothing is saved until you save the complaint."


def _find_on_roster(data, index: int) -> roster.RosterFound:
    """Search the roster for what is typed in officer row ``index``'s "find" box; one match fills in its DSN."""
    dsn = (data.get(f"officers-{index}-dsn") or "").strip()
    found = roster.find(
        data.get(f"officers-{index}-lookup"),
        dsn_kept=dsn,
        if_none="Check the spelling, or describe the officer below.",
        if_several="To describe the officer instead, clear the search box.",
    )
    if found.nothing:
        data[f"officers-{index}-lookup"] = ""  # searched: saving the form now saves it, without searching again
    if found.dsn:
        data[f"officers-{index}-dsn"] = found.dsn
    return found


def _use_from_roster(data, value: str) -> tuple[int, roster.RosterFound] | None:
    """ "Use this officer" (``officers-2:12345``): the DSN into that row."""
    row, _, dsn = value.partition(":")
    prefix, _, index = row.partition("-")
    number = _row_number(index)
    if prefix != "officers" or number is None or number >= _formset_count(data, prefix):
        return None
    officer = roster.chosen(dsn)
    if officer is None:
        return None
    data[f"officers-{number}-dsn"] = officer.dsn
    return number, roster.RosterFound(f"{officer} is officer {number + 1}.")


def _search_not_run(data) -> int | None:
    """The first officer row with words in its "find" box and no DSN: a search not run yet."""
    for index in range(_formset_count(data, "officers")):
        if (data.get(f"officers-{index}-lookup") or "").strip() and not (
            data.get(f"officers-{index}-dsn") or ""
        ).strip():
            return index
    return None


def _intake_forms(request: HttpRequest, categories: list[tuple[str, str]], policy: ProgramPolicy | None):
    """The intake form and its two formsets; ``adding`` is set when the POST only added, removed or
    found a person or an officer (nothing is saved then, and nothing is called an error). ``notes`` says
    what the page says of it: what was removed, by the formset's prefix ("parties", "officers"), and what
    "Find on the roster" found, by officer row ("found")."""
    data = request.POST.copy() if request.method == "POST" else kept_entries(request)
    adding = data.get("add") if data is not None else None
    if adding in {"party", "officer"}:
        key = f"{'parties' if adding == 'party' else 'officers'}-TOTAL_FORMS"
        data[key] = str(min(_formset_count(data, key.split("-")[0]) + 1, 20))
    notes: dict[str, Any] = {}
    if data is not None and "remove" in data:  # a remove button: the page again, never a save
        prefix, _, row = data["remove"].partition("-")
        if prefix in {"parties", "officers"} and (number := _row_number(row)) is not None:
            notes = {prefix: _without_row(data, prefix, number)}
        adding = "removed"
    if data is not None and "find" in data:  # "Find on the roster": the page again, with what was found
        prefix, _, row = data["find"].partition("-")
        number = _row_number(row)
        if prefix == "officers" and number is not None and number < _formset_count(data, prefix):
            notes = {"found": {number: _find_on_roster(data, number)}}
        adding = "found"
    if data is not None and "use" in data:  # one of the officers found, chosen
        if used := _use_from_roster(data, data["use"]):
            notes = {"found": {used[0]: used[1]}}
        adding = "found"
    if request.method == "POST" and data is not None and not adding and (waiting := _search_not_run(data)) is not None:
        # words in a "find" box and no DSN beside them: Enter there, without JavaScript, sends the form's
        # first button (save); the search is what was meant, so it is run instead, and nothing is saved
        notes = {"found": {waiting: _find_on_roster(data, waiting)}}
        adding = "found"
    form = IntakeForm(data, initial={"submission": uuid.uuid4()})
    accepts = {
        "third_party_accepted": policy is None or policy.third_party_complaints_accepted,
        "anonymous_accepted": policy is None or policy.anonymous_complaints_accepted,
    }
    parties = PartyFormSet(data, prefix="parties", form_kwargs=accepts)
    parties.policy = policy  # its rules of who may file, checked at each person
    officers = OfficerFormSet(data, prefix="officers", form_kwargs={"categories": categories})
    if adding in {"party", "officer", "removed", "found"}:
        for thing in [form, parties, officers, *parties.forms, *officers.forms]:
            thing.quiet = True
    return form, parties, officers, adding, notes


@login_required
@require_http_methods(["GET", "POST"])
def complaint_intake(request: HttpRequest) -> HttpResponse:
    """Record a complaint taken by phone, walk-in, mail or email."""
    require(request.user, "intake")
    categories = list(AllegationCategory.objects.filter(active=True).values_list("code", "name"))
    policy = ProgramPolicy.objects.filter(is_active=True).first()  # its rules of who may file
    form, parties, officers, adding, notes = _intake_forms(request, categories, policy)
    twin = None
    if request.method == "POST" and not adding:  # an age counts on the day the complaint came in
        form.is_valid()
        parties.received_on = form.cleaned_data.get("received_on")
    # all three validated (& not and), to show every error at once
    if request.method == "POST" and not adding and form.is_valid() & parties.is_valid() & officers.is_valid():
        d = form.cleaned_data
        token = d.get("submission")
        twin = None if d.get("separate") else selectors.recorded_a_moment_ago(request.user, d["narrative"], token)
        if twin is not None:
            when = date_format(timezone.localtime(twin.created_at), "P").removesuffix(
                "."
            )  # the sentence's stop follows
            form.add_error(
                None,
                f"You recorded complaint {twin.reference} with the same account of what happened at {when}. If you "
                "went back and saved this form again, there is nothing more to do. If this is another "
                "complaint, tick “Record it as a separate complaint” and save again.",
            )
        else:
            try:
                complaint = services.complaint_receive(
                    actor=request.user,
                    received_on=d["received_on"],
                    channel=d["channel"],
                    narrative=d["narrative"],
                    parties=parties.new_parties(),
                    officers=officers.new_officers(),
                    incident_date=d.get("incident_date"),
                    incident_time=d.get("incident_time"),
                    incident_location=d.get("incident_location") or "",
                    police_report_number=d.get("police_report_number") or "",
                    mediation_interest=d.get("mediation_interest") or "",
                    submission=token,
                )
            except AlreadyReceived as exc:  # sent twice: the first time recorded it
                messages.info(
                    request, f"This form was sent twice. Complaint {exc.complaint.reference} is recorded once."
                )
                return redirect("cases:detail", ref=exc.complaint.reference)
            except WorkflowError as exc:
                form.add_error(None, str(exc))  # the error summary says the complaint was not saved
            except ProgramPolicy.DoesNotExist:
                form.add_error(None, "No program policy is active. Ask the program administrator to activate one.")
            else:
                messages.success(request, f"Complaint {complaint.reference} is recorded.")
                return redirect("cases:detail", ref=complaint.reference)
    context = {
        "form": form,
        "parties": parties,
        "officers": officers,
        "twin": twin,
        "notes": notes,
        "policy": policy,
    }
    return render(request, "cases/intake.html", context)


# ---------------------------------------------------------------------------------------------
# The complaint page


@dataclass
class TimelineEntry:
    event: ComplaintEvent
    label: str
    who: str
    role: str
    from_label: str
    to_label: str
    reason: str
    details: list[str]


ROLE_LABELS: dict[str, str] = dict(Role.choices)  # (a Choices' ``values`` is a new list at each use)


def _status_label(value: str) -> str:
    return rows.STATUS_LABELS.get(value) or value or "—"


def _readable_date(value: Any) -> str:
    """An ISO date kept in an event's data, written as the pages write dates."""
    try:
        return date_format(dt.date.fromisoformat(str(value)), "M j, Y")
    except ValueError:
        return str(value or "?")


def _event_details(
    event: ComplaintEvent, user: Any, people: dict[int, str] | None = None, officers: dict[int, str] | None = None
) -> list[str]:
    """What the event's data says, for the timeline, within what the reader may see. ``people`` and
    ``officers``: the complaint's people's and officers' names, by id."""
    data = event.data or {}
    details: list[str] = []
    if event.action == "allegations_correct":  # the officer; which kinds of misconduct, to those who see them
        who = (officers or {}).get(data.get("officer"), "An officer no longer on the complaint")
        if not can(user, "view_allegations"):
            return [who]
        names = data.get("names") or {}
        changes = [
            f"{key} {', '.join(names.get(code, code) for code in data[key])}"
            for key in ("added", "removed")
            if data.get(key)
        ]
        if can(user, "view_allegation_details"):  # what was written with a category taken off
            written = (data.get("removed_details") or {}).items()
            changes += [f"written with {names.get(code, code)}: {said}" for code, said in written]
        return [f"{who}: {'; '.join(changes)}"]
    if event.action == "complaint_correct":  # which details, never the details themselves
        details.append(", ".join(services.INCIDENT_DETAILS.get(name, name) for name in data.get("fields") or []))
    elif event.action == "party_correct":  # what was corrected, never the details themselves
        who = (people or {}).get(data.get("party"), "A person no longer on the complaint")
        fields = ", ".join(services.CORRECTABLE.get(name, name) for name in data.get("fields") or [])
        details.append(f"{who}: {fields}")
    elif event.action == "complaint_receive" and data.get("channel"):
        details.append(f"Came in by: {data['channel'].replace('_', ' ')}")
    elif event.action == "complaint_acknowledge" and data.get("how"):
        details.append(f"How: {data['how'].replace('_', ' ')}")
    elif event.action == "complaint_screen" and can(user, "view_screening"):
        details += data.get("exclusion_reasons") or []
    elif event.action == "complaint_decide_suitability":
        details.append(f"Decision: {'appropriate' if data.get('appropriate') else 'not appropriate'} for mediation")
    elif event.action == "complaint_record_choice":
        details.append(
            f"Explained by {data.get('explained_by', '?')} on {_readable_date(data.get('explained_on'))} "
            f"({str(data.get('explained_how', '')).replace('_', ' ')}); chose {data.get('choice', '?')}"
        )
    elif event.action == "officer_identify":
        who = f"{data['name']} (DSN {data.get('dsn', '?')})" if data.get("name") else f"DSN {data.get('dsn', '?')}"
        said = f"Described as “{data['described']}”; identified" if data.get("described") else "Identified"
        details.append(f"{said} as {who}")
    elif event.action == "officer_record_consent":
        details.append(f"Officer DSN {data.get('dsn', '?')}: {'accepted' if data.get('accepted') else 'declined'}")
    elif event.action == "session_schedule" and data.get("starts_at"):
        starts = dt.datetime.fromisoformat(data["starts_at"])
        details.append(f"Session on {date_format(timezone.localtime(starts), 'M j, Y, P')}")
    elif event.action == "session_record_outcome" and data.get("outcome"):
        from parley.mediation.models import SessionOutcome

        outcome = data["outcome"]
        details.append(SessionOutcome(outcome).label if outcome in SessionOutcome.values else outcome)
    elif event.action == "complaint_withdraw":
        details.append("The whole complaint" if data.get("whole_complaint") else "The mediation only")
    return details


def _reads_reason(user: Any, event: ComplaintEvent) -> bool:
    if event.action == "complaint_screen":  # it repeats the exclusion factors answered yes: the investigation side
        return can(user, "view_screening")
    if event.action == "allegations_correct":  # why they were wrong tells what happened: the investigation side
        return can(user, "view_allegation_details")
    return reads_reasons_of(user, event.actor_role)


def _timeline(complaint: Complaint, user: Any) -> list[TimelineEntry]:
    entries = []
    people = {p.pk: p.display_name for p in complaint.parties.all()}
    officers = {o.pk: o.display_name for o in complaint.officers.all()}
    for e in complaint.events.all():
        who = (e.actor.get_full_name() or e.actor.get_username()) if e.actor else "Parley (automatic)"
        # a screening's reason is its exclusion reasons run together: they are its details, one a line
        listed = e.action == "complaint_screen" and bool((e.data or {}).get("exclusion_reasons"))
        entries.append(
            TimelineEntry(
                event=e,
                label=EVENT_LABELS.get(e.action, e.action),
                who=who,
                role=ROLE_LABELS.get(e.actor_role, e.actor_role),
                from_label=_status_label(e.from_status) if e.from_status else "—",
                to_label=_status_label(e.to_status),
                reason=e.reason if _reads_reason(user, e) and not listed else "",
                details=_event_details(e, user, people, officers),
            )
        )
    return entries


def _page_context(
    request: HttpRequest, complaint: Complaint, *, note_form: NoteForm | None = None, print_view: bool = False
) -> dict[str, Any]:
    user = request.user
    reads_notes = can(user, "view_notes")
    selectors.read_page_relations(complaint, notes_of=organisation_of(user) if reads_notes else None)
    today, now = timezone.localdate(), timezone.now()
    possible, blocked = selectors.available_actions(user, complaint, now=now)
    deadlines = list(complaint.deadlines.all())
    parties = list(complaint.parties.all())
    for party in parties:
        party.language_name = language_name(party.preferred_language)
        party.demographics = [
            ("Gender", demographics.labels("gender", party.gender)),
            ("Race and ethnicity", demographics.labels("race", party.race)),
            ("Disability", demographics.labels("disability", party.disability)),
        ]
    sessions = list(complaint.sessions.all())
    if can(user, "view_survey_answers"):  # loaded only for the roles that may read them
        prefetch_related_objects(sessions, Prefetch("survey_responses", queryset=SurveyResponse.objects.order_by("id")))
    for session in sessions:  # the confidentiality wall: the page reads only these
        session.records = center_records(user, session)
        session.has_agreement = _has_agreement(session)
        # a booking that no longer suits (a need or a language corrected since, its venue or team changed): said
        # above it; what is wrong with a mediator only to the mediation center (what it knows of its volunteers)
        session.problems = []
        if session.status == SessionStatus.SCHEDULED:
            session.complaint = complaint
            center = organisation_of(user) == Organisation.MEDIATION_CENTER
            session.problems = eligibility.booked_session_problems(session, center=center)
    context = {
        "complaint": complaint,
        "actions": [
            {
                "label": a.label,
                "url": action_url(complaint, a.action, a.officer),
                "action": a.action,
                "officer_pk": a.officer.pk if a.officer else None,
            }
            for a in possible
        ],
        "blocked": blocked,
        # the steps other roles take (the viewer's own are the buttons above, or say why they are not)
        "waiting_on": [
            (label, roles) for label, roles in selectors.waiting_on(complaint) if Role(role_of(user)).label not in roles
        ],
        "parties": parties,
        # "Correct the details" beside each person: an action nothing waits for, so not among the buttons
        "corrects_people": "party_correct" in actions_for(complaint.status, role_of(user)),
        "corrects_incident": "complaint_correct" in actions_for(complaint.status, role_of(user)),
        "corrects_allegations": "allegations_correct" in actions_for(complaint.status, role_of(user))
        and can(user, "view_allegations"),
        "officers": list(complaint.officers.all()),
        "screening": list(complaint.screening_answers.all()),
        "deadlines": deadlines,
        "open_deadlines": [d for d in deadlines if d.met_at is None and not d.cancelled],
        "sessions": sessions,
        "timeline": _timeline(complaint, user),
        "notes": complaint.organisation_notes if reads_notes else [],  # as notes_for reads them
        "note_form": note_form or NoteForm(),
        "today": today,
        "days_in_step": rows.days_since(complaint.status_changed_at, today),
    }
    # the record itself, the same on the page and in its print view (Jinja2, for speed)
    context["body"] = render_html(
        "cases/complaint_body.html", {**context, "can": capabilities(user), "print_view": print_view}
    )
    return context


def _has_agreement(session: MediationSession) -> bool:
    try:
        session.agreement  # noqa: B018 (read from what read_page_relations left on the session)
    except ObjectDoesNotExist:
        return False
    return True


@login_required
@require_GET
def complaint_detail(request: HttpRequest, ref: str) -> HttpResponse:
    if not can(request.user, "view_complaint") and can(request.user, "my_sessions"):
        complaint = get_complaint_for(request.user, ref, need="view_session")  # 404 unless one of theirs
        upcoming = (
            selectors.mediator_sessions(request.user)
            .filter(complaint=complaint, starts_at__gt=timezone.now())
            .values_list("pk", flat=True)
            .first()
        )
        if upcoming is None:  # waiting for its outcome: at the top of the page
            return redirect("mediation:my_sessions")
        return redirect(f"{reverse('mediation:my_sessions')}?session={upcoming}#session-{upcoming}")
    complaint = get_complaint_for(
        request.user, ref, need="view_complaint", queryset=selectors.complaint_page_queryset()
    )
    printing = bool(request.GET.get("print"))
    if printing:
        require(request.user, "print_complaint")
    kept = None if printing else kept_entries(request, path=reverse("cases:note_create", kwargs={"ref": ref}))
    context = _page_context(request, complaint, print_view=printing, note_form=NoteForm(kept) if kept else None)
    if printing:
        return render(request, "cases/complaint_print.html", context)
    return render(request, "cases/complaint_detail.html", context)


# The notes' own messages are shown in the notes section, where the page opens after a note is sent: at
# the page's top they were out of view, some 1,400 pixels above (from a browser walk-through).
NOTES = "notes"


def _notes_of(request: HttpRequest, ref: str) -> str:
    return reverse("cases:detail", kwargs={"ref": ref}) + "#notes"


@login_required(shown_at=_notes_of)  # a note sent while signed out is filled in again on the complaint page
@require_POST
def note_create(request: HttpRequest, ref: str) -> HttpResponse:
    complaint = get_complaint_for(request.user, ref, need="add_note")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(complaint=complaint, author=request.user, body=form.cleaned_data["body"])
        except NoteSentTwice:
            messages.info(request, "This note was sent twice; it is saved once.", extra_tags=NOTES)
            return redirect(reverse("cases:detail", kwargs={"ref": complaint.reference}) + "#notes")
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            messages.success(request, "The note is saved.", extra_tags=NOTES)
            return redirect(reverse("cases:detail", kwargs={"ref": complaint.reference}) + "#notes")
    messages.error(request, "The note was not saved. " + " ".join(form.errors.get("body", [])), extra_tags=NOTES)
    complaint = get_complaint_for(
        request.user, ref, need="view_complaint", queryset=selectors.complaint_page_queryset()
    )
    return render(request, "cases/complaint_detail.html", _page_context(request, complaint, note_form=form))


# ---------------------------------------------------------------------------------------------
# The workflow actions: one URL and one service call each


def _back_to_complaint(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    url = reverse("cases:detail", kwargs={"ref": complaint.reference})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _who_acted(complaint: Complaint, user: Any, action: str | None = None) -> str:
    """Who took the complaint's last step, and when: what a person whose form came too late is told
    (only what their timeline shows them: not for a mediator, whose pages say nothing of later steps).
    ``action``: the step their form was for (their own same step a moment ago is that form sent twice)."""
    last = complaint.events.select_related("actor").order_by("-created_at", "-id").first()
    if last is None:
        return "Someone may have acted on it a moment ago."
    label = EVENT_LABELS.get(last.action, last.action)
    moment = timezone.localtime(last.created_at)
    when = date_format(moment, "P").removesuffix(".")  # "10:26 a.m", the sentence's stop follows
    if timezone.localdate(last.created_at) != timezone.localdate():
        when = f"{when} on {date_format(moment, 'M j, Y')}"
    if last.actor_id is not None and last.actor_id == getattr(user, "pk", None):
        again = ": this form was sent again" if last.action == action else ""
        return f"You recorded “{label}” at {when}{again}."
    who = (last.actor.get_full_name() or last.actor.get_username()) if last.actor else "Parley"
    return f"{who} recorded “{label}” at {when}."


def _refusal_message(exc: WorkflowError, complaint: Complaint, user: Any = None) -> str:
    if isinstance(exc, ActionNotAllowed):
        complaint.refresh_from_db(fields=["status"])
        return (
            f"This was not saved: the complaint is now '{complaint.get_status_display()}'. "
            f"{_who_acted(complaint, user, exc.action)} The page shows what is possible now."
        )
    if isinstance(exc, RoleNotAllowed):
        return f"This was not saved: your role cannot take this step on this complaint. ({exc})"
    return f"This was not saved: {exc}"


def _take_action(
    request: HttpRequest,
    ref: str,
    *,
    action: str,
    form_class: type[ActionForm],
    perform: Callable[[Complaint, Any], Any],
    form_kwargs: Callable[[Complaint], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Show the action's form (GET) or take the action (POST) through ``perform`` (one service call)."""
    complaint = get_complaint_for(request.user, ref, need=action, queryset=Complaint.objects.select_related("policy"))
    if action not in actions_for(complaint.status, role_of(request.user)):  # e.g. someone acted a moment ago
        # a form sent now, or one kept while its person was signed out (kept.py): what they typed comes back
        kept = None if request.method == "POST" else kept_entries(request)
        if request.method == "POST" or kept is not None:
            refusal = ActionNotAllowed(action=action, status=complaint.status)
            message = _refusal_message(refusal, complaint, request.user)
            return _too_late(request, complaint, form_class, form_kwargs, message, data=kept)
        messages.error(
            request,
            f"'{ACTION_LABELS[action]}' is not possible now: the complaint is '{complaint.get_status_display()}'.",
        )
        return _back_to_complaint(request, complaint)
    extra = form_kwargs(complaint) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, complaint=complaint, user=request.user, **extra)
        if why := form.made_for_something_else():  # an old form, whose session was replaced meanwhile
            message = f"{why} {_who_acted(complaint, request.user, action)}"
            return _too_late(request, complaint, form_class, form_kwargs, message)
        if form.look_up():  # a search inside the form ("Find on the roster"): the form again, nothing saved
            pass
        elif form.is_valid():
            try:
                perform(complaint, form)
            except ActionNotAllowed as exc:  # someone acted between the page and the save
                message = _refusal_message(exc, complaint, request.user)
                return _too_late(request, complaint, form_class, form_kwargs, message)
            except RoleNotAllowed as exc:
                messages.error(request, _refusal_message(exc, complaint, request.user))
                return _back_to_complaint(request, complaint)
            except WorkflowError as exc:  # the action's guard: the form may fix it (the summary says so)
                form.add_error(None, str(exc))
            else:
                messages.success(request, form.success_message)
                return _back_to_complaint(request, complaint)
    else:  # filled in again with what was sent while signed out, if anything was
        form = form_class(kept_entries(request), complaint=complaint, user=request.user, **extra)
    context = {
        "complaint": complaint,
        "form": form,
        "post_url": request.path,
        "cancel_url": reverse("cases:detail", kwargs={"ref": complaint.reference}),
    }
    if request.htmx:
        return render(request, "cases/_action_form.html", context)
    return render(request, "cases/action_page.html", context)


def _too_late(
    request: HttpRequest,
    complaint: Complaint,
    form_class: type[ActionForm],
    form_kwargs: Callable[[Complaint], dict[str, Any]] | None,
    message: str,
    *,
    data: QueryDict | None = None,
) -> HttpResponse:
    """The form of a step someone else took first, with what this person typed in it, unsaved, and who
    took the step: they can copy what they need (into a note, say) instead of losing it. Without its
    button: the step is not possible now. Where the form cannot be made any more (the session it was
    for is gone), the complaint page with the message."""
    try:
        extra = form_kwargs(complaint) if form_kwargs else {}
        form = form_class(request.POST if data is None else data, complaint=complaint, user=request.user, **extra)
    except (WorkflowError, Http404):
        messages.error(request, message)
        return _back_to_complaint(request, complaint)
    form.is_valid()  # the field errors, if any, beside what was typed
    form.add_error(None, f"{message} What you typed is below; copy what you need.")
    context = {
        "complaint": complaint,
        "form": form,
        "closed": True,
        "post_url": request.path,
        "cancel_url": reverse("cases:detail", kwargs={"ref": complaint.reference}),
    }
    return render(request, "cases/_action_form.html" if request.htmx else "cases/action_page.html", context)


def _action_view(action: str, form_class: type[ActionForm], perform: Callable[[Complaint, Any], Any], **kw: Any):
    @login_required
    @require_http_methods(["GET", "POST"])
    @vary_on_headers("HX-Request")
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        return _take_action(request, ref, action=action, form_class=form_class, perform=perform, **kw)

    view.__name__ = view.__qualname__ = action
    view.__doc__ = f"{ACTION_LABELS[action]}: calls services.{action}."
    return view


def _officer_action_view(action: str, form_class: type[ActionForm], perform: Callable[[Complaint, Any], Any]):
    """The view of an action on one of the complaint's officers (its address names the officer): the form
    gets the officer as ``officer``."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @vary_on_headers("HX-Request")
    def view(request: HttpRequest, ref: str, officer_pk: int) -> HttpResponse:
        def officer_of(complaint: Complaint) -> dict[str, Any]:
            return {"officer": get_object_or_404(ComplaintOfficer, pk=officer_pk, complaint=complaint)}

        return _take_action(request, ref, action=action, form_class=form_class, perform=perform, form_kwargs=officer_of)

    view.__name__ = view.__qualname__ = action
    view.__doc__ = f"{ACTION_LABELS[action]}, for one officer: calls services.{action}."
    return view


complaint_acknowledge = _action_view(
    "complaint_acknowledge",
    AcknowledgeForm,
    lambda c, f: services.complaint_acknowledge(complaint=c, actor=f.user, how=f.cleaned_data["how"]),
)
complaint_screen = _action_view(
    "complaint_screen",
    ScreenForm,
    lambda c, f: services.complaint_screen(complaint=c, actor=f.user, answers=f.answers(), note=f.cleaned_data["note"]),
)
complaint_decide_suitability = _action_view(
    "complaint_decide_suitability",
    SuitabilityForm,
    lambda c, f: services.complaint_decide_suitability(
        complaint=c, actor=f.user, appropriate=f.cleaned_data["appropriate"], reason=f.cleaned_data["reason"]
    ),
)
complaint_record_choice = _action_view(
    "complaint_record_choice",
    ChoiceForm,
    lambda c, f: services.complaint_record_choice(
        complaint=c,
        actor=f.user,
        explained_by=f.cleaned_data["explained_by"],
        explained_on=f.cleaned_data["explained_on"],
        explained_how=f.cleaned_data["explained_how"],
        choice=f.cleaned_data["choice"],
        reason=f.cleaned_data["reason"],
    ),
)
complaint_refer = _action_view(
    "complaint_refer",
    ReferForm,
    lambda c, f: services.complaint_refer(complaint=c, actor=f.user, note=f.cleaned_data["note"]),
)
session_schedule = _action_view(
    "session_schedule",
    ScheduleForm,
    lambda c, f: services.session_schedule(
        complaint=c,
        actor=f.user,
        starts_at=f.starts_at(),
        mediators=f.chosen_mediators(),
        venue=f.chosen_venue(),
        duration_minutes=f.cleaned_data["duration"],
        scheduling_notes=f.cleaned_data.get("scheduling_notes") or "",
        interpreter_booked=bool(f.cleaned_data.get("interpreter_booked")),
    ),
)
session_cancel = _action_view(
    "session_cancel",
    CancelSessionForm,
    lambda c, f: services.session_cancel(complaint=c, actor=f.user, reason=f.cleaned_data["reason"]),
)
complaint_send_back_good_faith = _action_view(
    "complaint_send_back_good_faith",
    SendBackForm,
    lambda c, f: services.complaint_send_back_good_faith(complaint=c, actor=f.user, reason=f.cleaned_data["reason"]),
)
complaint_withdraw = _action_view(
    "complaint_withdraw",
    WithdrawForm,
    lambda c, f: services.complaint_withdraw(
        complaint=c,
        actor=f.user,
        reason=f.cleaned_data["reason"],
        whole_complaint=f.cleaned_data["what"] == "complaint",
    ),
)


def record_outcome(complaint: Complaint, form: OutcomeForm) -> Complaint:
    """The one call behind both outcome forms (the coordinator's and the mediator's)."""
    d = form.cleaned_data
    return services.session_record_outcome(
        complaint=complaint,
        actor=form.user,
        outcome=d["outcome"],
        present_parties=d["present_parties"],
        present_officers=d["present_officers"],
        present_mediators=d["present_mediators"],
        present_companions=d.get("present_companions") or (),
        agreement_signed=bool(d.get("agreement_signed")),
        agreement_terms=d.get("agreement_terms") or "",
        agreement_public=bool(d.get("agreement_public")),
    )


def _outcome_kwargs(complaint: Complaint) -> dict[str, Any]:
    session = (
        MediationSession.objects.filter(complaint=complaint, status=SessionStatus.SCHEDULED)
        .order_by("-starts_at", "-id")
        .first()
    )
    if session is None:
        raise WorkflowError("This complaint has no scheduled session.")
    return {"session": session}


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def session_record_outcome(request: HttpRequest, ref: str) -> HttpResponse:
    """Record the outcome (coordinator, from the complaint page): calls services.session_record_outcome.

    A mediator records the outcome of a session they are on: one taken off the team (the session
    cancelled and booked again with others) finds the form as if the complaint were not there, and
    is not told where it stands now."""
    if role_of(request.user) == Role.MEDIATOR:
        complaint = get_complaint_for(request.user, ref, need="session_record_outcome")
        # the session the form is for (the booked one, as _outcome_kwargs finds it); when there is none
        # any more (someone recorded its outcome a moment ago), the last one held, so that its team is
        # told what happened
        sessions = MediationSession.objects.filter(complaint=complaint).order_by("-starts_at", "-id")
        latest = (
            sessions.filter(status=SessionStatus.SCHEDULED).first()
            or sessions.exclude(status=SessionStatus.CANCELLED).first()
        )
        if latest is None or not latest.mediators.filter(user=request.user).exists():
            raise Http404("No complaint found.")
        from parley.mediation.views import session_outcome

        if request.method == "GET":  # a mediator's own page for the session (it says when its outcome is due)
            return redirect("mediation:session_outcome", pk=latest.pk)
        # and a form sent here is taken as their page takes it: what they are told of the complaint is
        # what a mediator may know, not who took its later steps (from a review)
        return session_outcome(request, latest.pk)
    elif request.method == "GET":
        complaint = get_complaint_for(request.user, ref, need="session_record_outcome")
        booked = selectors.current_session(complaint)
        if booked is not None and booked.starts_at > timezone.now():  # the form would be refused on saving
            messages.info(request, f"Record the outcome: {selectors.outcome_waits(booked)}")
            return _back_to_complaint(request, complaint)
    try:
        return _take_action(
            request,
            ref,
            action="session_record_outcome",
            form_class=OutcomeForm,
            perform=record_outcome,
            form_kwargs=_outcome_kwargs,
        )
    except WorkflowError as exc:
        complaint = get_complaint_for(request.user, ref, need="session_record_outcome")
        messages.error(request, _refusal_message(exc, complaint, request.user))
        return _back_to_complaint(request, complaint)


officer_identify = _officer_action_view(
    "officer_identify",
    OfficerIdentifyForm,
    lambda c, f: services.officer_identify(complaint=c, actor=f.user, officer=f.officer, dsn=f.cleaned_data["dsn"]),
)
allegations_correct = _officer_action_view(
    "allegations_correct",
    AllegationsCorrectForm,
    lambda c, f: services.allegations_correct(
        complaint=c,
        actor=f.user,
        officer=f.officer,
        codes=f.cleaned_data["allegations"],
        reason=f.cleaned_data["reason"],
        was=f.cleaned_data["was"] or None,
    ),
)
officer_record_consent = _officer_action_view(
    "officer_record_consent",
    OfficerConsentForm,
    lambda c, f: services.officer_record_consent(
        complaint=c,
        actor=f.user,
        officer=f.officer,
        accepted=f.cleaned_data["accepted"],
        reason=f.cleaned_data["reason"],
    ),
)


complaint_correct = _action_view(
    "complaint_correct",
    ComplaintCorrectForm,
    lambda c, f: services.complaint_correct(
        complaint=c,
        actor=f.user,
        changes=f.corrected,
        reason=f.cleaned_data["reason"],
        was=f.expected,
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def party_correct(request: HttpRequest, ref: str, party_pk: int) -> HttpResponse:
    """Correct a person's details (the People table's "Correct the details"): calls services.party_correct."""

    def party_of(complaint: Complaint) -> dict[str, Any]:
        return {"party": get_object_or_404(Party, pk=party_pk, complaint=complaint)}

    return _take_action(
        request,
        ref,
        action="party_correct",
        form_class=PartyCorrectForm,
        perform=lambda c, f: f.after_save(
            services.party_correct(
                complaint=c,
                actor=f.user,
                party=f.party,
                changes=f.corrected,
                reason=f.cleaned_data["reason"],
                was=f.expected,
            )
        ),
        form_kwargs=party_of,
    )
