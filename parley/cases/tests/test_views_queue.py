"""My queue: the landing page of signed-in staff, per role, overdue first."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from parley.cases import rows, selectors, services
from parley.cases.deadlines import refresh_next_due
from parley.cases.labels import OPTIONAL_ACTIONS
from parley.cases.models import KEPT_QUEUES, Complaint, ComplaintOfficer, Deadline, DeadlineKind, Party
from parley.cases.names import refresh_people_copies
from parley.cases.rows import queue_rows
from parley.cases.tests.helpers import queue_text, reach
from parley.cases.views import QUEUE_PAGE_SIZE
from parley.cases.workflow import BY_ACTION, TRANSITIONS, Status
from parley.mediation.models import MediationSession
from parley.policies.models import ProgramPolicy
from parley.testing.factories import Journey
from parley.testing.otp import device_for, next_code
from parley.testing.web import AUDIT, count_queries, login, text


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def test_signing_in_lands_on_my_queue(journey, client, irene):
    device = device_for(irene)
    client.post(reverse("accounts:login"), {"username": "irene", "password": "correct horse battery staple"})
    response = client.post(reverse("accounts:verify"), {"code": next_code(device), "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "<h1>My queue</h1>" in text(response)


def test_anonymous_visitors_get_the_public_home_page(client, db):
    body = text(client.get("/"))
    assert "Staff sign-in" in body
    assert "My queue" not in body


def test_intake_sees_what_waits_for_intake_and_not_what_waits_for_others(journey, client, irene):
    acknowledgeable = BY_ACTION["complaint_acknowledge"].sources
    waiting = {s: reach(s, journey) for s in [Status.RECEIVED, Status.AWAITING_CHOICE, Status.READY_FOR_REFERRAL]}
    others = [reach(s, journey) for s in [Status.SUITABILITY_REVIEW, Status.REFERRED, Status.MEDIATED]]
    for c in [*waiting.values(), *others]:
        if c.status in acknowledgeable and c.status != Status.RECEIVED:
            services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    body = queue_text(client, irene)
    for c in waiting.values():
        assert c.reference in body
    for c in others:
        assert c.reference not in body
    assert "Screen for exclusion factors" in body
    assert "Record the complainant's choice" in body
    assert "Refer to the mediation center" in body


def test_an_unacknowledged_complaint_waits_for_intake_until_acknowledged(journey, client, irene):
    c = reach(Status.SUITABILITY_REVIEW, journey)
    assert c.reference in queue_text(client, irene)
    services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    assert c.reference not in queue_text(client, irene)


@pytest.mark.parametrize("status", [Status.SUITABILITY_REVIEW, Status.REFERRED, Status.SCHEDULED])
def test_a_complaint_still_unacknowledged_past_its_first_step_waits_for_intake(journey, client, irene, status):
    c = reach(status, journey)
    assert c.acknowledged_at is None
    assert c.reference in queue_text(client, irene)
    services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    assert c.reference not in queue_text(client, irene)


def test_a_step_that_waits_on_nothing_now_asks_the_database_nothing(journey, client, carla, maya):
    """The coordinator's "record the outcome" waits on sessions that have started; before any has, the
    queue asks only for referrals, and a mediator's queue asks for nothing at all."""
    scheduled = reach(Status.SCHEDULED, journey)
    referred = reach(Status.REFERRED, journey)
    login(client, carla)
    with count_queries() as queries:
        body = text(client.get("/"))
    assert referred.reference in body and scheduled.reference not in body
    pages = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_complaint"')]
    # the coordinator's flag alone, with a due date, then without
    assert len(pages) == 2 and all('"waits_for_coordinator"' in sql and "UNION" not in sql for sql in pages)
    assert len(selectors._waiting_parts(carla, now=timezone.now())) == 1  # the referrals alone
    assert selectors._waiting_parts(maya, now=timezone.now()) == []
    with count_queries() as queries:
        page = selectors.queue_page(maya, size=QUEUE_PAGE_SIZE)
    assert page.rows == []
    assert not [q for q in queries if '"cases_complaint"' in q["sql"]]


def test_a_program_whose_deciders_do_not_include_a_role_leaves_its_suitability_reviews_out(journey, policy, ray):
    policy.suitability_deciders = ["intake"]
    policy.save()
    review = reach(Status.SUITABILITY_REVIEW, journey)
    assert review.pk not in {row["id"] for row in selectors.queue_page(ray, size=50).rows}
    assert Complaint.objects.get(pk=review.pk).waits_for_intake


def test_a_policy_changed_in_the_admin_moves_its_open_complaints_between_queues(journey, policy, client, ray, alma):
    assert "iad" in policy.suitability_deciders
    review = reach(Status.SUITABILITY_REVIEW, journey)
    closed = reach(Status.UNSUITABLE, journey)
    assert review.reference in queue_text(client, ray)
    policy.suitability_deciders = ["intake"]
    policy.save()  # as the admin's form saves it
    assert review.reference not in queue_text(client, ray)
    assert selectors.stale_waiting() == {}
    policy.suitability_deciders = ["intake", "iad"]
    policy.save()
    assert review.reference in queue_text(client, ray)
    assert not Complaint.objects.filter(pk=closed.pk, waits_for_iad=True).exists()


def test_internal_affairs_sees_suitability_decisions_and_officer_answers(journey, client, ray):
    review = reach(Status.SUITABILITY_REVIEW, journey)
    consent = reach(Status.AWAITING_OFFICER_CONSENT, journey)
    received = reach(Status.RECEIVED, journey)
    body = queue_text(client, ray)
    assert review.reference in body and "Decide on suitability" in body
    assert consent.reference in body and "Record the officer's answer" in body
    assert received.reference not in body


def test_a_decider_who_approved_waits_no_more_while_another_decider_still_must(journey, client, policy, ray, irene):
    policy.suitability_deciders = ["iad", "intake"]
    policy.save()
    c = reach(Status.SUITABILITY_REVIEW, journey)
    services.complaint_acknowledge(complaint=c, actor=irene, how="letter")
    services.complaint_decide_suitability(complaint=c, actor=ray, appropriate=True, reason="Fine.")
    assert c.reference not in queue_text(client, ray)
    assert c.reference in queue_text(client, irene)


def test_the_coordinator_sees_referrals_and_sessions_that_took_place(journey, client, carla):
    referred = reach(Status.REFERRED, journey)
    scheduled = reach(Status.SCHEDULED, journey)
    assert referred.reference in queue_text(client, carla)
    assert scheduled.reference not in queue_text(client, carla)  # the session is still to come
    session = MediationSession.objects.get(complaint=scheduled)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        body = queue_text(client, carla)
    assert scheduled.reference in body and "Record the outcome" in body


def test_many_sessions_waiting_for_their_outcome_are_found_the_same_way(journey, client, carla, monkeypatch):
    """Past a thousand started sessions the queue asks the database for them instead of listing their keys."""
    from parley.cases import selectors

    scheduled = reach(Status.SCHEDULED, journey)
    session = MediationSession.objects.get(complaint=scheduled)
    monkeypatch.setattr(selectors, "_STARTED_AS_LIST", 0)
    assert scheduled.reference not in queue_text(client, carla)
    with time_machine.travel(session.starts_at + dt.timedelta(hours=2)):
        assert scheduled.reference in queue_text(client, carla)


def test_overdue_complaints_come_first_with_their_due_date_and_days_waiting(journey, client, irene):
    on_time = reach(Status.RECEIVED, journey)
    late = reach(Status.RECEIVED, journey)
    due = timezone.localdate() - dt.timedelta(days=2)
    Deadline.objects.filter(complaint=late, kind=DeadlineKind.ACKNOWLEDGE).update(due_on=due)
    refresh_next_due()  # deadlines changed behind the services' back
    type(late).objects.filter(pk=late.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=9))
    body = queue_text(client, irene)
    assert body.index(late.reference) < body.index(on_time.reference)
    row = body[body.index(late.reference) :]
    assert "Overdue" in row[:1500]
    assert due.isoformat() in row[:1500]
    assert ">9</td>" in row[:2000].replace(" ", "")


def test_a_queue_row_names_the_step_its_due_date_and_kind_and_who_it_is_about(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    party = c.parties.get()
    party.first_name, party.last_name = "<i>Dana</i>", "Reyes"
    party.save()
    refresh_people_copies([c.pk])  # as the services do wherever they write names
    first_due = Deadline.objects.open().filter(complaint=c).order_by("due_on", "id").first()
    login(client, irene)
    body = client.get("/").content.decode()  # as sent, entities and all
    start = body.index(f">{c.reference}</a>")
    row = html.unescape(body[start : body.index("</tr>", start)])
    assert "Record the acknowledgement" in row  # the step waiting for intake
    assert f'<time datetime="{first_due.due_on.isoformat()}"' in row
    assert f'<div class="usa-hint">{first_due.get_kind_display()}</div>' in row  # which due date it is
    assert c.officers.get().display_name in row
    assert "&lt;i&gt;Dana&lt;/i&gt; Reyes" in body  # a name is text, never markup
    assert "<i>Dana" not in body


def test_the_auditor_has_nothing_waiting(journey, client, audrey, django_assert_max_num_queries):
    reach(Status.RECEIVED, journey)
    body = queue_text(client, audrey)
    assert "Nothing is waiting for you" in body
    assert 'id="queue-audit-link"' in body  # and where an auditor's work is
    # and nothing is asked of the database for it: the session, its user and their device only
    with django_assert_max_num_queries(3 + AUDIT):
        assert client.get("/").status_code == 200


def test_the_queue_issues_the_same_number_of_queries_for_few_or_many_complaints(
    journey, client, irene, django_assert_max_num_queries
):
    login(client, irene)
    counts = []
    for extra in [2, 12]:
        for _ in range(extra):
            reach(Status.RECEIVED, journey)
        # 9: the session, its user and their authenticator device (django-otp), the policies (for the
        # steps), the page's two segments (complaints with a due date, then those without), their
        # complainants, their officers, their earliest due dates
        with django_assert_max_num_queries(9 + AUDIT), count_queries() as queries:
            response = client.get("/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _queue_refs(body: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Reference"[^>]*><a href="/complaints/([0-9-]+)/"', body)


def _link(body: str, link_id: str) -> str | None:
    found = re.search(rf'href="\?([^"]+)" id="{link_id}"', body)  # links keep the page: "?after=..."
    return f"/?{found.group(1)}" if found else None


def test_a_queue_that_fits_on_one_page_says_how_many_are_waiting(journey, client, irene):
    for _ in range(2):
        reach(Status.RECEIVED, journey)
    body = queue_text(client, irene)
    assert "2 complaints waiting for you" in body
    assert 'id="next-page"' not in body


def test_complaints_without_a_due_date_come_last_the_longest_waiting_first(journey, client, irene):
    due_soon, due_later, no_date_old, no_date_new = (reach(Status.RECEIVED, journey) for _ in range(4))
    Deadline.objects.filter(complaint=due_later).update(due_on=timezone.localdate() + dt.timedelta(days=9))
    Deadline.objects.filter(complaint__in=[no_date_old, no_date_new]).update(met_at=timezone.now())
    refresh_next_due()
    type(no_date_old).objects.filter(pk=no_date_old.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=5))
    refs = _queue_refs(queue_text(client, irene))
    assert refs == [due_soon.reference, due_later.reference, no_date_old.reference, no_date_new.reference]


def test_the_queue_pages_follow_each_other_without_gaps_or_repeats(journey, client, irene):
    made = [reach(Status.RECEIVED, journey) for _ in range(QUEUE_PAGE_SIZE + 3)]
    for i, c in enumerate(made[:10]):  # several due dates, and some without one, so both parts page
        Deadline.objects.filter(complaint=c).update(due_on=timezone.localdate() + dt.timedelta(days=i))
    Deadline.objects.filter(complaint__in=made[-30:]).update(met_at=timezone.now())
    refresh_next_due()
    body = queue_text(client, irene)
    first = _queue_refs(body)
    assert "Complaints waiting for you: 50 on this page, more on the next pages" in body
    second_body = text(client.get(_link(body, "next-page")))
    second = _queue_refs(second_body)
    assert [len(first), len(second)] == [QUEUE_PAGE_SIZE, 3]
    assert sorted(first + second) == sorted(c.reference for c in made)
    assert _link(second_body, "next-page") is None
    assert _queue_refs(text(client.get(_link(second_body, "previous-page")))) == first


def test_a_tampered_queue_link_shows_the_first_page_with_a_message(journey, client, irene):
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    body = text(client.get("/", {"after": "not-a-real-cursor"}))
    assert "That page link no longer works" in body
    assert _queue_refs(body) == [c.reference]


def test_the_header_names_who_is_signed_in_and_only_administrators_see_the_program_settings(client, irene, alma):
    body = queue_text(client, alma)
    assert 'id="nav-admin"' in body and alma.get_full_name() in body
    body = queue_text(client, irene)
    assert 'id="nav-admin"' not in body and irene.get_full_name() in body


def test_a_queue_row_names_its_steps_by_the_rules_of_its_own_policy(journey, ray, policy, django_assert_num_queries):
    """The policies' rules are read once for the page (one query, however many rows), and each row is
    judged by its own policy's."""
    c = reach(Status.SUITABILITY_REVIEW, journey)
    row = queue_rows(Complaint.objects.filter(pk=c.pk)).get()
    assert row["policy_id"] == policy.pk and "iad" in policy.suitability_deciders
    with django_assert_num_queries(1):
        steps = selectors.queue_steps_for(ray)
    with django_assert_num_queries(0):
        assert steps(row) == steps(row) != []  # IAD decides under this policy
    other = ProgramPolicy.objects.create(slug="no-iad", name="No IAD decision", suitability_deciders=["admin"])
    Complaint.objects.filter(pk=c.pk).update(policy=other)
    row = queue_rows(Complaint.objects.filter(pk=c.pk)).get()
    assert selectors.queue_steps_for(ray)(row) == []  # and under one where it does not, nothing waits for it


def test_a_row_whose_policy_is_gone_since_the_page_was_read_names_no_step(journey, ray, policy):
    """The page and the policies are two reads: between them, a complaint can move to another policy and
    its old one be deleted (a review's finding: a KeyError, a 500 on the queue)."""
    c = reach(Status.SUITABILITY_REVIEW, journey)
    row = queue_rows(Complaint.objects.filter(pk=c.pk)).get()
    old = ProgramPolicy.objects.get(pk=row["policy_id"])
    other = ProgramPolicy.objects.create(slug="other", name="Other", suitability_deciders=["iad"])
    Complaint.objects.filter(policy=old).update(policy=other)
    old.delete()
    assert selectors.queue_steps_for(ray)(row) == []


def test_intakes_queue_is_one_ordered_read_of_its_own_index(journey, client, irene):
    """No union of the conditions under which each step is due: the flag the workflow keeps, read in
    the queue's order from the partial index of the complaints waiting for intake."""
    c = reach(Status.RECEIVED, journey)
    login(client, irene)
    with count_queries() as queries:
        body = text(client.get("/"))
    assert c.reference in body
    pages = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_complaint"')]
    assert len(pages) == 2  # with a due date, then without
    assert all('"waits_for_intake"' in sql and "UNION" not in sql for sql in pages)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # a handful of rows: ask whether the index fits, that is, gives the rows in the queue's order
            for setting in ("enable_seqscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute("EXPLAIN " + pages[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "complaint_queue_intake" in plan and "Sort" not in plan, plan


def test_the_rows_people_and_due_dates_come_with_the_page_and_without_a_copy_in_one_round_trip(
    journey, django_assert_num_queries
):
    for _ in range(3):
        reach(Status.RECEIVED, journey)
    page = list(queue_rows(Complaint.objects.all()))
    assert page and all(row["next_due"] for row in page)
    with django_assert_num_queries(0):  # the complaint's copy of its people, and its next due date's kind
        table = rows.render_queue_table(page, steps_of=lambda row: [], today=timezone.localdate(), caption="Waiting")
    first_due = Deadline.objects.open().filter(complaint_id=page[0]["id"]).order_by("due_on", "id").first()
    assert page[0]["next_due_kind"] == first_due.kind
    assert "Dana Reyes" in table and first_due.get_kind_display() in table  # a complainant, the first due date
    page[0]["people"] = {}  # a complaint taken in by code older than the copy: its people are read
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        again = rows.render_queue_table(page, steps_of=lambda row: [], today=timezone.localdate(), caption="Waiting")
    assert again == table
    Party.objects.filter(complaint_id=page[0]["id"]).delete()  # nobody at all (changed outside Parley)
    ComplaintOfficer.objects.filter(complaint_id=page[0]["id"]).delete()
    table = rows.render_queue_table(page, steps_of=lambda row: [], today=timezone.localdate(), caption="Waiting")
    assert page[0]["reference"] in table


def test_saving_a_policy_without_changing_its_step_rules_writes_no_complaint(journey, policy):
    """Only a change of who decides, whether officers are asked, or when, moves complaints between queues;
    a policy's other settings, or its activation, leave its complaints alone (and unlocked)."""
    review = reach(Status.SUITABILITY_REVIEW, journey)
    with count_queries() as queries:
        policy.description = "Words for the program's staff."
        policy.save()
        policy.save(update_fields=["is_active"])
    assert not [q for q in queries if '"cases_complaint"' in q["sql"]]
    with count_queries() as queries:
        policy.consent_order = "parallel" if policy.consent_order != "parallel" else "complainant_first"
        policy.save()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_complaint"')]
    assert len(updates) == 1 and "OR" in updates[0]  # only the rows whose flags change are written
    assert selectors.stale_waiting() == {} and Complaint.objects.get(pk=review.pk).waits_for_iad


def test_every_role_with_a_step_not_on_the_clock_has_a_kept_queue():
    """A role given a step in the workflow table needs its flag (a field, its index, a migration)."""
    roles = {r for t in TRANSITIONS if t.action not in OPTIONAL_ACTIONS | {"session_record_outcome"} for r in t.roles}
    assert roles == set(KEPT_QUEUES)


def test_refresh_queues_finds_and_mends_flags_changed_outside_parley(journey, client, irene, ray, carla, capsys):
    received = reach(Status.RECEIVED, journey)
    referred = reach(Status.REFERRED, journey)
    call_command("refresh_queues", "--check")
    assert "every queue flag is right" in capsys.readouterr().out
    # as a hand-made UPDATE would leave them: intake's complaint lost, a referral moved to Internal Affairs
    Complaint.objects.filter(pk=received.pk).update(waits_for_intake=False)
    Complaint.objects.filter(pk=referred.pk).update(waits_for_iad=True, waits_for_coordinator=False)
    assert selectors.stale_waiting() == {"intake": [received.pk], "iad": [referred.pk], "coordinator": [referred.pk]}
    with pytest.raises(CommandError, match=f"2 of 2 complaints.*{received.reference}"):
        call_command("refresh_queues", "--check")
    assert received.reference not in queue_text(client, irene)  # --check changed nothing
    call_command("refresh_queues")
    assert "set the queue flags of 2 again" in capsys.readouterr().out
    assert selectors.stale_waiting() == {}
    assert received.reference in queue_text(client, irene)
    assert referred.reference in queue_text(client, carla) and referred.reference not in queue_text(client, ray)
