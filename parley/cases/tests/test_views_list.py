"""The complaint list: filters, search, sorting, keyset pagination, the CSV download, and query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from parley.cases import rows, selectors, services
from parley.cases.deadlines import refresh_next_due
from parley.cases.models import AllegationCategory, Complaint, Deadline, DeadlineKind
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.testing.factories import Journey, OfficerFactory
from parley.testing.web import AUDIT, count_queries, login, text

LIST = reverse("cases:list")
EXPORT = reverse("cases:export")


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _complaint(
    actor,
    *,
    first: str = "Dana",
    last: str = "Reyes",
    officer=None,
    days_ago: int = 3,
    allegations: tuple[str, ...] = ("discourtesy",),
) -> Complaint:
    return services.complaint_receive(
        actor=actor,
        received_on=timezone.localdate() - dt.timedelta(days=days_ago),
        channel="phone",
        narrative="It happened.",
        parties=[services.NewParty(first_name=first, last_name=last)],
        officers=[services.NewOfficer(roster=officer or OfficerFactory(), allegation_codes=list(allegations))],
    )


def _refs(response) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Reference"[^>]*><a href="/complaints/([0-9-]+)/"', text(response))


def _list(client, user, **params):
    login(client, user)
    return client.get(LIST, params)


def test_staff_who_may_list_complaints_see_them_and_mediators_may_not(journey, client, irene, ray, audrey, maya):
    c = _complaint(irene)
    for user in [irene, ray, audrey]:
        assert c.reference in _refs(_list(client, user))
    assert _list(client, maya).status_code == 403


def test_the_coordinator_lists_only_complaints_referred_to_the_mediation_center(journey, client, carla):
    referred, received = reach(Status.REFERRED, journey), reach(Status.RECEIVED, journey)
    refs = _refs(_list(client, carla))
    assert referred.reference in refs and received.reference not in refs


def test_it_filters_by_status_open_or_closed(journey, client, irene):
    received, mediated = reach(Status.RECEIVED, journey), reach(Status.MEDIATED, journey)
    assert _refs(_list(client, irene, status="open")) == [received.reference]
    assert _refs(_list(client, irene, status="closed")) == [mediated.reference]
    assert _refs(_list(client, irene, status=Status.RECEIVED)) == [received.reference]


def test_it_filters_by_outcome_and_by_disposition(journey, client, irene):
    mediated, declined = reach(Status.MEDIATED, journey), reach(Status.DECLINED_BY_COMPLAINANT, journey)
    assert _refs(_list(client, irene, outcome=Status.MEDIATED)) == [mediated.reference]
    assert _refs(_list(client, irene, disposition="investigation")) == [declined.reference]


def test_it_filters_by_the_date_received(journey, client, irene):
    old, new = _complaint(irene, days_ago=40), _complaint(irene, days_ago=2)
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert _refs(_list(client, irene, received_from=since)) == [new.reference]
    assert _refs(_list(client, irene, received_to=until)) == [old.reference]


def test_it_filters_by_officer_name_dsn_or_badge(journey, client, irene):
    officer = OfficerFactory(first_name="Kevin", last_name="Marsh", dsn="77123", badge="4411")
    named, other = _complaint(irene, officer=officer), _complaint(irene)
    for value in ["Marsh", "kevin marsh", "77123", "4411"]:
        assert _refs(_list(client, irene, officer=value)) == [named.reference], value
    assert other.reference not in _refs(_list(client, irene, officer="Marsh"))


def test_it_filters_by_allegation_category(journey, client, irene):
    force, rude = _complaint(irene, allegations=("excessive-force",)), _complaint(irene)
    assert _refs(_list(client, irene, category="excessive-force")) == [force.reference]
    assert rude.reference in _refs(_list(client, irene, category="discourtesy"))


def test_it_filters_overdue_complaints(journey, client, irene):
    late, on_time = _complaint(irene), _complaint(irene)
    Deadline.objects.filter(complaint=late, kind=DeadlineKind.ACKNOWLEDGE).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    refresh_next_due()  # deadlines changed behind the services' back
    assert _refs(_list(client, irene, overdue="on")) == [late.reference]
    assert on_time.reference in _refs(_list(client, irene))


def test_the_search_finds_part_of_a_name_in_any_case(journey, client, irene):
    c = _complaint(irene, first="Lucia", last="Fernández-Okafor")
    other = _complaint(irene, first="Dana", last="Reyes")
    for q in ["okafor", "OKAFOR", "ernández", "LUCIA", "lucia okafor", "Fernández-Okafor"]:
        assert _refs(_list(client, irene, q=q)) == [c.reference], q
    assert other.reference not in _refs(_list(client, irene, q="okafor"))


def test_a_word_of_one_or_two_letters_matches_the_start_of_a_name_only(journey, client, irene):
    li = _complaint(irene, first="Wei", last="Li")
    lincoln = _complaint(irene, first="Ann", last="Lincoln")
    collins = _complaint(irene, first="Ruth", last="Collins")  # "li" inside: not a match for "Li"
    officer_ng = _complaint(irene, officer=OfficerFactory(first_name="Tam", last_name="Ng"))
    assert sorted(_refs(_list(client, irene, q="li"))) == sorted([li.reference, lincoln.reference])
    assert _refs(_list(client, irene, q="wei LI")) == [li.reference]
    assert _refs(_list(client, irene, q="NG")) == [officer_ng.reference]
    assert collins.reference in _refs(_list(client, irene, q="llins"))  # three letters: anywhere
    # a reference by its start, not its last digit or two (they would match a tenth of everything)
    assert _refs(_list(client, irene, q=li.reference[-2:])) == []
    assert li.reference in _refs(_list(client, irene, q=li.reference[-3:]))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")
@pytest.mark.parametrize(
    "sort, index",
    [
        ("oldest", "complaint_open_received"),
        ("waiting", "complaint_open_waiting"),
        ("reference", "complaint_open_reference"),
    ],
)
def test_on_postgresql_open_complaints_are_read_in_order_from_an_index_of_open_ones(journey, irene, sort, index):
    """The list's "open" filter is the condition of these partial indexes, so the database can walk one."""
    _complaint(irene)
    field = selectors.SORTS[sort][1]
    qs = selectors.filter_complaints(Complaint.objects.all(), {"status": "open"}, today=timezone.localdate())
    with connection.cursor() as cursor:
        # a handful of rows: the table would be read whole, or the matches found and then sorted
        for kind in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = qs.order_by(field, "id")[:51].explain()
    assert index in plan and "Sort" not in plan


def test_a_complaint_that_matches_in_several_ways_is_listed_once(journey, client, irene):
    officer = OfficerFactory(first_name="Ada", last_name="Okafor")
    both = _complaint(irene, first="Ben", last="Okafor", officer=officer)
    assert _refs(_list(client, irene, q="Okafor")) == [both.reference]


@pytest.mark.parametrize("sort", ["newest", "oldest", "reference", "waiting", "due"])
def test_search_results_page_without_gaps_or_repeats_whichever_way_they_match(sort, journey, client, irene):
    okafor = OfficerFactory(first_name="Ada", last_name="Okafor")
    by_complainant = [_complaint(irene, last="Okafor", days_ago=d % 3) for d in range(5)]
    by_officer = [_complaint(irene, officer=okafor, days_ago=d % 3) for d in range(5)]
    by_both = [_complaint(irene, last="Okafor", officer=okafor, days_ago=1) for _ in range(2)]
    Deadline.objects.filter(complaint=by_officer[0]).update(met_at=timezone.now())  # one without a due date
    refresh_next_due()
    _complaint(irene, last="Reyes")  # not a match
    login(client, irene)
    response = client.get(LIST, {"q": "okafor", "sort": sort, "per_page": "10"})
    first = _refs(response)
    second = _refs(client.get(_link(response, "next-page")))
    assert [len(first), len(second)] == [10, 2]
    assert sorted(first + second) == sorted(c.reference for c in by_complainant + by_officer + by_both)
    assert _refs(client.get(_link(client.get(_link(response, "next-page")), "previous-page"))) == first


def test_a_list_that_fits_on_one_page_says_how_many_were_found(journey, client, irene):
    for _ in range(3):
        _complaint(irene)
    body = text(_list(client, irene))
    assert "3 complaints found" in body
    assert 'id="count-all"' not in body


def test_a_longer_list_says_there_is_more_and_counts_everything_only_when_asked(
    journey, client, irene, django_assert_max_num_queries
):
    for i in range(12):
        _complaint(irene, days_ago=i)
    first = _list(client, irene, per_page="10")
    body = text(first)
    assert "10 complaints on this page, more on the next pages." in body
    assert "found" not in re.search(r'id="result-count"[^>]*>(.*?)</p>', body).group(1)
    counted = client.get(_link(first, "count-all"))
    assert "12 complaints found; 10 on this page" in text(counted)
    assert _refs(counted) == _refs(first)
    last = client.get(_link(first, "next-page"))
    assert "2 complaints on this page." in text(last)


def test_the_count_on_request_counts_search_matches_too(journey, client, irene):
    for i in range(11):
        _complaint(irene, last="Okafor" if i % 2 else "Reyes", days_ago=i)
    login(client, irene)
    response = client.get(LIST, {"q": "okafor", "per_page": "10", "count": "1"})
    assert "5 complaints found" in text(response)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (pg_trgm)")
def test_on_postgresql_the_search_has_its_trigram_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"party_first_name_trgm", "party_last_name_trgm", "complaint_reference_trgm"} <= names


def test_it_searches_by_reference_complainant_name_officer_name_or_badge(journey, client, irene):
    officer = OfficerFactory(first_name="Kevin", last_name="Marsh", badge="4411")
    c = _complaint(irene, first="Lucia", last="Fernandez", officer=officer)
    other = _complaint(irene)
    for q in [c.reference, c.reference[-4:], "Lucia", "lucia fernandez", "Marsh", "4411"]:
        assert _refs(_list(client, irene, q=q)) == [c.reference], q
    # a DSN or badge as the pages print it, or as people write it: the label is not part of the number
    for q in ["Badge 4411", "badge #4411", "Badge no. 4411", f"(DSN {officer.dsn})", f"dsn{officer.dsn}"]:
        assert _refs(_list(client, irene, q=q)) == [c.reference], q
    assert other.reference not in _refs(_list(client, irene, q="Fernandez"))


@pytest.mark.parametrize(
    "params",
    [
        {"received_from": "yesterday"},
        {"status": "bogus"},
        {"per_page": "7"},
        {"category": "no-such-thing"},
        {"sort": "drop table"},
        {"received_from": "2026-05-01", "received_to": "2026-04-01"},
        {"status": "open", "outcome": "mediated"},  # an open complaint has no outcome
        {"status": Status.RECEIVED, "outcome": "mediated"},
    ],
)
def test_invalid_filter_values_give_a_message_never_an_error(params, journey, client, irene):
    c = _complaint(irene)
    response = _list(client, irene, **params)
    assert response.status_code == 200
    assert "Some filters could not be used" in text(response)
    assert 'role="alert"' in text(response)
    assert c.reference in _refs(response)  # the valid filters still apply; the invalid one is left out


def test_a_page_link_alone_is_not_a_filter_to_clear(journey, client, irene):
    for i in range(3):
        _complaint(irene, days_ago=i)
    first = text(_list(client, irene, per_page="10"))
    assert 'id="clear-filters"' in first  # a page size chosen is a filter
    response = client.get(LIST, {"after": "anything"})  # a page link, even a broken one, filters nothing
    assert 'id="clear-filters"' not in text(response)


def test_an_outcome_with_an_open_status_says_why_it_was_left_out(journey, client, irene):
    body = text(_list(client, irene, status="open", outcome="mediated"))
    assert "An open complaint has no outcome yet" in body
    assert text(_list(client, irene, status="closed", outcome="mediated")).count('role="alert"') == 0


def test_it_sorts_by_received_date_either_way_and_by_reference(journey, client, irene):
    old, mid, new = _complaint(irene, days_ago=30), _complaint(irene, days_ago=20), _complaint(irene, days_ago=10)
    assert _refs(_list(client, irene)) == [new.reference, mid.reference, old.reference]
    assert _refs(_list(client, irene, sort="oldest")) == [old.reference, mid.reference, new.reference]
    assert _refs(_list(client, irene, sort="reference")) == sorted([old.reference, mid.reference, new.reference])


def _link(response, link_id: str) -> str | None:
    found = re.search(rf'href="([^"]+)" id="{link_id}"', text(response))
    if not found:
        return None
    href = found.group(1)
    return LIST + href if href.startswith("?") else href  # the links are relative to the list


@pytest.mark.parametrize("sort", ["newest", "oldest", "reference", "waiting", "due"])
def test_pages_follow_each_other_without_gaps_or_repeats_in_every_sort_order(sort, journey, client, irene):
    made = [_complaint(irene, days_ago=d % 4) for d in range(12)]  # ties on the date: the primary key breaks them
    Deadline.objects.filter(complaint=made[2]).update(met_at=timezone.now())  # one without an open due date
    refresh_next_due()
    login(client, irene)
    response = client.get(LIST, {"sort": sort, "per_page": "10"})
    pages: list[list[str]] = []
    while True:
        pages.append(_refs(response))
        nxt = _link(response, "next-page")
        if nxt is None:
            break
        response = client.get(nxt)
    assert [len(p) for p in pages] == [10, 2]
    seen = pages[0] + pages[1]
    assert sorted(seen) == sorted(c.reference for c in made)
    back = client.get(_link(response, "previous-page"))
    assert _refs(back) == pages[0]
    assert _link(back, "next-page") is not None
    assert _link(back, "previous-page") is None
    assert _refs(client.get(_link(back, "next-page"))) == pages[1]


def test_a_tampered_page_link_shows_the_first_page_with_a_message(journey, client, irene):
    c = _complaint(irene)
    response = _list(client, irene, after="not-a-real-cursor")
    assert response.status_code == 200
    assert "That page link no longer works" in text(response)
    assert _refs(response) == [c.reference]


def test_a_page_link_made_for_another_sort_order_is_refused(journey, client, irene):
    for d in range(12):
        _complaint(irene, days_ago=d)
    first = _list(client, irene, sort="newest", per_page="10")
    cursor = re.search(r"after=([^&\"]+)", _link(first, "next-page")).group(1)
    response = _list(client, irene, sort="oldest", per_page="10", after=cursor)
    assert "That page link no longer works" in text(response)


def test_the_list_issues_the_same_number_of_queries_for_few_or_many_complaints(
    journey, client, irene, django_assert_max_num_queries
):
    login(client, irene)
    counts = []
    for extra in [3, 15]:
        for i in range(extra):
            _complaint(irene, days_ago=i % 5)
        # 7: the session, its user and their authenticator device (django-otp), the allegation categories
        # of the filter form, the page of complaints, their complainants, their officers with the allegations
        with django_assert_max_num_queries(7 + AUDIT), count_queries() as queries:
            response = client.get(LIST, {"per_page": "50", "q": "Reyes", "status": "open"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- CSV


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("persona", ["irene", "alma", "audrey"])
def test_intake_admin_and_auditors_download_the_filtered_list_as_csv(persona, journey, client, request, irene):
    wanted = _complaint(irene, first="Lucia", last="Fernandez", allegations=("excessive-force",))
    _complaint(irene)
    login(client, request.getfixturevalue(persona))
    response = client.get(EXPORT, {"q": "Fernandez"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["reference", "received_on", "channel"]
    assert [r[0] for r in rows[1:]] == [wanted.reference]
    assert "Lucia Fernandez" in rows[1] and "Excessive use of force" in rows[1][7]
    assert "(314)" not in ",".join(rows[1])  # no contact details in the download


def test_the_csv_reads_the_people_of_a_long_list_batch_by_batch_each_with_its_own_complaint(
    journey, client, irene, monkeypatch
):
    monkeypatch.setattr(rows, "CSV_BATCH", 3)
    made = {}
    for i in range(8):  # three batches: 3, 3 and 2
        c = _complaint(irene, first=f"Person{i}", last="Batch", days_ago=i % 3)
        made[c.reference] = (f"Person{i} Batch", c.officers.get().display_name)
    login(client, irene)
    with count_queries() as queries:
        lines = _csv(client.get(EXPORT, {"q": "Batch", "sort": "reference"}))
    people_queries = (rows._COMPLAINANTS_SQL.split(" WHERE")[0], rows._OFFICERS_SQL.split("{")[0])
    people = [q["sql"] for q in queries if q["sql"].startswith(people_queries)]
    # complainants and officers, once for each batch: one round trip on PostgreSQL, two reads on SQLite
    assert len(people) == (1 if connection.vendor == "postgresql" else 2) * 3
    assert [line[0] for line in lines[1:]] == sorted(made)
    for line in lines[1:]:
        complainant, officer = made[line[0]]
        assert line[5] == complainant
        assert line[6] == officer
        assert line[7] == f"{officer}: Discourtesy"


def test_the_csv_gives_the_day_of_each_step_and_the_days_to_referral_and_to_closure(journey, client, irene):
    """From a UX review: the figures a program reports (how long to referral, to closure) needed each
    complaint opened by hand; the CSV had only the dates received, due and closed."""
    c = journey.to_referred(_complaint(irene, first="Step", last="Dates", days_ago=20))
    open_one = _complaint(irene, first="Open", last="Dates")
    closed = journey.choose(
        journey.to_awaiting_choice(_complaint(irene, first="Closed", last="Dates", days_ago=5)), "investigation"
    )
    login(client, irene)
    lines = _csv(client.get(EXPORT, {"q": "Dates", "sort": "reference"}))
    header = lines[0]
    line = dict(zip(header, next(row for row in lines[1:] if row[0] == c.reference), strict=True))
    today = timezone.localdate().isoformat()
    assert (line["screened_on"], line["choice_recorded_on"], line["referred_on"]) == (today, today, today)
    assert (line["days_to_referral"], line["days_to_close"], line["closed_on"]) == ("20", "", "")
    waiting = dict(zip(header, next(row for row in lines[1:] if row[0] == open_one.reference), strict=True))
    assert (waiting["screened_on"], waiting["referred_on"], waiting["days_to_referral"]) == ("", "", "")
    ended = dict(zip(header, next(row for row in lines[1:] if row[0] == closed.reference), strict=True))
    assert (ended["closed_on"], ended["days_to_close"], ended["referred_on"]) == (today, "5", "")


@pytest.mark.parametrize("persona", ["carla", "maya", "ray"])
def test_other_roles_cannot_download_the_csv(persona, journey, client, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(EXPORT).status_code == 403


def test_the_csv_link_shows_only_to_roles_that_may_download(journey, client, irene, carla):
    reach(Status.REFERRED, journey)
    assert 'id="export-csv"' in text(_list(client, irene))
    assert 'id="export-csv"' not in text(_list(client, carla))


def test_the_csv_quotes_cells_a_spreadsheet_would_run_as_formulas(journey, client, irene):
    _complaint(irene, first="=HYPERLINK(1)", last="Smith")
    login(client, irene)
    rows = _csv(client.get(EXPORT))
    assert rows[1][5].startswith("'=HYPERLINK")


def test_the_csv_with_invalid_filters_sends_back_to_the_list_with_a_message(journey, client, irene):
    login(client, irene)
    reach(Status.REFERRED, journey)
    response = client.get(EXPORT, {"received_from": "nope"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(LIST)
    page = text(response)
    assert "Some filters could not be used" in page
    assert "Nothing was downloaded: correct the filters that could not be used, then try again." in page
    # the list shows the complaints with that filter left out, and offers no download that cannot work
    assert 'id="complaints"' in page and 'id="export-csv"' not in page
    assert "To download these as CSV, first correct the filters that could not be used." in page


def test_the_csv_of_an_outcome_with_an_open_status_sends_back_to_the_list_which_says_why(journey, client, irene):
    login(client, irene)
    response = client.get(EXPORT, {"status": "open", "outcome": "mediated"})
    assert response.status_code == 302 and response["Location"].startswith(LIST)
    assert "An open complaint has no outcome yet" in text(client.get(response["Location"]))


def test_the_csv_is_get_only(journey, client, irene):
    login(client, irene)
    assert client.post(EXPORT).status_code == 405


def test_staff_who_see_contact_data_find_a_person_by_exact_email_or_phone(client, policy, irene, audrey):
    from parley.testing.factories import receive_complaint

    mine = receive_complaint(irene)  # the complainant's phone: (314) 555-0101
    party = mine.parties.get()
    party.email = "Dana.Reyes@example.com"
    party.save()
    other = receive_complaint(irene)
    other.parties.update(first_name="Ana", last_name="Ruiz")
    other_party = other.parties.get()
    other_party.phone, other_party.email = "(314) 555-0199", "ana@example.com"
    other_party.save()
    login(client, irene)
    for words in ["314.555.0101", "+1 (314) 555-0101", "dana.reyes@EXAMPLE.com"]:
        body = text(client.get(reverse("cases:list"), {"q": words}))
        assert mine.reference in body and other.reference not in body, words
    assert mine.reference not in text(client.get(reverse("cases:list"), {"q": "dana@example.com"}))
    exported = b"".join(client.get(reverse("cases:export"), {"q": "3145550101"}).streaming_content).decode()
    assert mine.reference in exported and other.reference not in exported
    client.logout()
    login(client, audrey)  # an auditor sees no contact data, so cannot search by it either
    assert mine.reference not in text(client.get(reverse("cases:list"), {"q": "3145550101"}))


def test_a_search_for_an_email_or_phone_reaches_the_audit_trail_without_it(client, policy, irene):
    from parley.audit.models import AuditEntry
    from parley.crypto import blind_index

    login(client, irene)
    client.get(reverse("cases:list"), {"q": "(314) 555-0101"})
    client.get(reverse("cases:export"), {"q": "Dana.Reyes@example.com"})
    client.get(reverse("cases:list"), {"q": "Reyes"})
    details = [str(e.detail) for e in AuditEntry.objects.filter(action__contains="cases:")]
    assert not any("555-0101" in d or "Dana.Reyes" in d for d in details)
    assert any(f"phone number, lookup key {blind_index('phone', '3145550101')[:16]}" in d for d in details)
    assert any("email address, lookup key" in d for d in details)
    assert any("Reyes" in d for d in details)  # a name search is kept as typed


def test_a_reference_number_is_never_taken_for_a_phone_number():
    from parley.crypto import contact_kind

    assert contact_kind("2026-123456") is None  # ten digits, but a reference
    assert contact_kind("(202) 612-3456") == "phone"
    assert contact_kind("612-3456") is None  # too short to be a whole number


def test_the_page_size_shown_is_the_one_used_when_other_filters_change(client, policy, irene):
    login(client, irene)
    for params in ({}, {"q": "Reyes"}, {"status": "open"}):
        body = client.get(reverse("cases:list"), params).content.decode()
        assert re.search(r'<option value="50" selected>50</option>', body), params


@pytest.mark.parametrize(
    ("params", "folded"),
    [
        ({}, True),
        ({"q": "Reyes", "per_page": "50"}, True),  # the search words and the default page size
        # what a browser sends from the search box: every field, the untouched ones empty or as shown
        (
            {"q": "Reyes", "status": "", "outcome": "", "disposition": "", "received_from": "", "received_to": ""}
            | {"officer": "", "category": "", "sort": "newest", "per_page": "50"},
            True,
        ),
        ({"sort": "oldest"}, False),
        ({"status": "referred"}, False),
        ({"per_page": "10"}, False),
        ({"received_from": "yesterday"}, False),  # refused: the field must be seen
    ],
)
def test_the_other_filters_are_folded_away_unless_one_is_in_use(params, folded, journey, client, irene):
    body = text(_list(client, irene, **params))
    details = re.search(r'<details class="parley-more-filters"([^>]*)id="more-filters">', body).group(1)
    assert ("open" not in details) == folded


# --- What a row shows (parley/cases/rows.py, written by Jinja2)


def _row(body: str, reference: str) -> str:
    start = body.index(f">{reference}</a>")
    return body[start : body.index("</tr>", start)]


def test_each_row_names_the_complainants_and_each_officer_with_what_is_alleged_against_them(journey, client, irene):
    officer = OfficerFactory(first_name="Sam", last_name="Okafor", dsn="41234")
    complaint = services.complaint_receive(
        actor=irene,
        received_on=dt.date(2026, 3, 5),
        channel="phone",
        narrative="It happened.",
        parties=[
            services.NewParty(first_name="Dana", last_name="Reyes"),
            services.NewParty(first_name="Lee", last_name="Park"),
        ],
        officers=[
            services.NewOfficer(roster=officer, allegation_codes=["excessive-force", "discourtesy"]),
            services.NewOfficer(description="tall, grey jacket", allegation_codes=[]),
        ],
    )
    row = _row(text(_list(client, irene)), complaint.reference)
    assert '<time datetime="2026-03-05">Mar 5, 2026</time>' in row
    assert "Dana Reyes, Lee Park" in row
    categories = dict(AllegationCategory.objects.values_list("code", "name"))
    alleged = f"{categories['excessive-force']}, {categories['discourtesy']}"
    assert f'<div>Sam Okafor (DSN 41234): <span class="text-base-dark">{alleged}</span></div>' in row
    assert "<div>Unidentified officer: tall, grey jacket</div>" in row  # no allegation, no colon
    assert Status.RECEIVED.label in row


def test_rows_print_the_complaints_copy_of_its_people_and_name_categories_as_they_are_now(journey, client, irene):
    """The list reads who a complaint is about from the complaint's row (``Complaint.people``), not its
    people; a complaint without the copy (taken in by older code) has its people read."""
    c = _complaint(irene, first="Dana", last="Reyes", officer=OfficerFactory(first_name="Sam", last_name="Okafor"))
    copy = Complaint.objects.get(pk=c.pk).people
    category = c.officers.get().allegations.get().category
    assert copy == {"c": [[False, "Dana", "Reyes"]], "o": [["Sam", "Okafor", c.officers.get().dsn, "", [category.pk]]]}
    Complaint.objects.filter(pk=c.pk).update(people={"c": [[False, "From", "Copy"]], "o": copy["o"]})
    AllegationCategory.objects.filter(pk=category.pk).update(name="Renamed category")
    row = _row(text(_list(client, irene)), c.reference)
    assert "From Copy" in row and "Dana" not in row
    assert "Renamed category" in row  # the copy keeps the category's key, not its name
    Complaint.objects.filter(pk=c.pk).update(people={})  # as older code leaves it
    with count_queries() as queries:
        row = _row(text(_list(client, irene)), c.reference)
    assert "Dana Reyes" in row and "Sam Okafor" in row and "Renamed category" in row
    assert any("cases_party" in q["sql"] for q in queries)  # read from the people themselves


def test_rows_leave_allegations_out_for_a_reader_who_may_not_see_them(journey, client, carla, monkeypatch):
    from parley.accounts.permissions import PERMISSIONS

    c = reach(Status.REFERRED, journey)
    category = c.officers.get().allegations.get().category
    assert category.name in _row(text(_list(client, carla)), c.reference)
    monkeypatch.setitem(PERMISSIONS, "view_allegations", PERMISSIONS["view_allegations"] - {"coordinator"})
    row = _row(text(_list(client, carla)), c.reference)
    assert c.officers.get().display_name in row and category.name not in row


def test_names_are_written_as_text_in_the_rows_never_as_markup(journey, client, irene):
    _complaint(irene, first="<b>Dana</b>", last="<script>alert(1)</script>")
    body = _list(client, irene).content.decode()  # as sent, entities and all
    assert "&lt;b&gt;Dana&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body and "<b>Dana" not in body


# --- "Find a complaint" in the header


FIND = reverse("cases:find")


def test_finding_a_reference_number_opens_that_complaint(journey, client, irene):
    c = _complaint(irene)
    login(client, irene)
    response = client.get(FIND, {"q": f"  {c.reference} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"ref": c.reference})


def test_finding_other_words_searches_the_list(journey, client, irene):
    _complaint(irene, last="Okafor")
    login(client, irene)
    response = client.get(FIND, {"q": "Okafor & Co"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?q=Okafor+%26+Co"
    assert client.get(FIND)["Location"] == LIST  # nothing asked: the list


def test_finding_words_with_a_nul_goes_to_the_list_which_says_what_is_wrong(journey, client, irene):
    login(client, irene)
    response = client.get(FIND, {"q": "a\x00b"})
    assert response.status_code == 302 and response["Location"].startswith(LIST)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Null characters are not allowed." in text(page)


def test_finding_a_reference_the_user_may_not_see_searches_like_any_words(journey, client, irene, carla):
    c = _complaint(irene)  # never referred: outside the mediation center's complaints
    login(client, carla)
    response = client.get(FIND, {"q": c.reference})
    assert response["Location"] == f"{LIST}?q={c.reference}"
    assert c.reference not in _refs(client.get(response["Location"]))


def test_find_is_get_only_and_only_for_those_who_may_list_complaints(journey, client, irene, maya):
    login(client, irene)
    assert client.post(FIND, {"q": "x"}).status_code == 405
    login(client, maya)
    assert client.get(FIND, {"q": "x"}).status_code == 403


def test_the_header_offers_find_on_every_staff_page_but_the_list_which_has_its_own_search(journey, client, irene, maya):
    login(client, irene)
    assert 'id="quick-find"' in text(client.get("/"))
    assert 'id="quick-find"' not in text(client.get(LIST))
    login(client, maya)  # mediators do not search complaints, and are not told of a key to do it
    body = text(client.get("/"))
    assert 'id="quick-find"' not in body
    assert "sends the form you are filling in" in body and "goes to the search box" not in body


def test_a_download_with_a_search_too_long_for_a_link_goes_back_to_the_list_with_a_message(journey, client, irene):
    login(client, irene)
    response = client.get(reverse("cases:export"), {"q": "x" * 20000, "status": "open"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"{LIST}?status=open"
    assert "Nothing was downloaded, and these filters were left out: Search: Ensure this value has at most 100" in text(
        response
    )


@pytest.mark.parametrize("pin", [{"status": Status.RECEIVED}, {"outcome": Status.UNSUITABLE}])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_list_pinned_to_one_status_pages_in_date_order_without_gaps_or_repeats(journey, client, irene, pin, sort):
    """Its order starts with the status (one index walk of that status): the same rows in the same order."""
    for d in range(14):
        c = _complaint(irene, last="Okafor", days_ago=d % 4)
        if "outcome" in pin and d % 7:  # 12 unsuitable, 2 still received
            answers = {f.code: True for f in c.policy.exclusion_factors.all()}
            services.complaint_screen(complaint=c, actor=irene, answers=answers)
    _complaint(irene, last="Reyes")  # not a match
    filters = {"q": "okafor", "sort": sort, "per_page": "10", **pin}
    expected = list(
        selectors.filter_complaints(Complaint.objects.all(), dict(filters), today=timezone.localdate())
        .order_by(*(("-received_on", "-id") if sort == "newest" else ("received_on", "id")))
        .values_list("reference", flat=True)
    )
    assert 10 < len(expected) < 20
    login(client, irene)
    response = client.get(LIST, filters)
    first = _refs(response)
    second_page = client.get(_link(response, "next-page"))
    assert first + _refs(second_page) == expected
    assert _link(second_page, "next-page") is None
    assert _refs(client.get(_link(second_page, "previous-page"))) == first == expected[:10]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")
def test_on_postgresql_a_search_in_one_outcome_walks_that_outcomes_rows_by_date(journey, irene):
    """A range for the status keeps it in the order, which only the (status, received_on, id) index
    gives: PostgreSQL had walked every complaint by date, most of the newest open, 360,000 rows."""
    _complaint(irene, last="Okafor")
    status_index = next(i.name for i in Complaint._meta.indexes if i.fields == ["status", "received_on", "id"])
    filters = {"outcome": Status.MEDIATED}
    qs = selectors.filter_complaints(
        Complaint.objects.all(), filters, today=timezone.localdate(), search=False, status_in_order=True
    ).filter(search_names__icontains="okafor")
    with connection.cursor() as cursor:
        for kind in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = qs.order_by("-status", "-received_on", "-id")[:51].explain()
    assert status_index in plan and "Sort" not in plan, plan
    # Without that index, nothing else gives the order (a sort), where with an equality the status is a
    # constant to PostgreSQL, leaves the order, and the walk of every complaint by date fits it: the plan
    # that read 360,000 rows. (The DROP is rolled back with the test's transaction.)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX "{status_index}"')
    order = ("-status", "-received_on", "-id")
    assert "Sort" in qs.order_by(*order)[:51].explain()  # even with sorting discouraged
    plain = selectors.filter_complaints(Complaint.objects.all(), filters, today=timezone.localdate(), search=False)
    plan = plain.filter(search_names__icontains="okafor").order_by(*order)[:51].explain()
    assert "Sort" not in plan and "Index Scan Backward" in plan, plan


def test_only_the_date_orders_start_with_a_pinned_status(journey, client, irene):
    """The other orders keep the equality, which the partial indexes of open complaints are read by
    (PostgreSQL cannot tell that a range of one status is among the open ones)."""
    _complaint(irene)
    login(client, irene)
    for sort, range_expected in [("newest", True), ("oldest", True), ("waiting", False), ("reference", False)]:
        with count_queries() as queries:
            client.get(LIST, {"status": "received", "sort": sort})
        pages = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_complaint"."id"')]
        assert pages and all(("BETWEEN" in sql) == range_expected for sql in pages), (sort, pages)


def test_the_allegation_filter_lists_the_categories_in_their_models_order(journey, client, irene):
    AllegationCategory.objects.create(code="zz-first", name="Zebra", order=0)
    AllegationCategory.objects.create(code="aa-tie", name="Aardvark", order=0)  # the same order: by name
    AllegationCategory.objects.filter(code="zz-first").update(name="Zebra <b>")
    expected = [("", "Any allegation"), *AllegationCategory.objects.values_list("code", "name")]
    assert expected.index(("aa-tie", "Aardvark")) < expected.index(("zz-first", "Zebra <b>"))
    login(client, irene)
    html = client.get(reverse("cases:list")).content.decode()
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == [(code, name.replace("<", "&lt;").replace(">", "&gt;")) for code, name in expected]
