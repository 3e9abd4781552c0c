"""The audit trail records every staff request, and only auditors can read and download it."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.db import connection
from django.utils import timezone

from parley.audit import views
from parley.audit.forms import AuditFilterForm
from parley.audit.models import AuditEntry
from parley.audit.services import verify_chain
from parley.testing.factories import receive_complaint
from parley.testing.web import login, text


@pytest.fixture
def complaint(policy, irene):
    return receive_complaint(irene)


def test_viewing_a_complaint_is_recorded_with_who_where_and_which(client, irene, complaint):
    login(client, irene)
    client.get(f"/complaints/{complaint.reference}/", REMOTE_ADDR="192.0.2.7")
    entry = AuditEntry.objects.filter(object_type="complaint", object_id=complaint.reference).get()
    assert (entry.actor, entry.action, entry.ip_address) == (irene, "view:cases:detail", "192.0.2.7")
    assert entry.detail["status"] == 200


def test_a_refused_look_is_recorded_too(client, maya, complaint):
    login(client, maya)
    response = client.get(f"/complaints/{complaint.reference}/")
    assert response.status_code in {403, 404}
    entry = AuditEntry.objects.get(actor=maya, object_id=complaint.reference)
    assert entry.detail["status"] == response.status_code


def test_an_export_is_recorded_as_an_export_with_its_filters(client, irene, complaint):
    login(client, irene)
    client.get("/complaints/export.csv", {"status": "received"})
    entry = AuditEntry.objects.get(action__startswith="export:")
    assert entry.detail["query"] == {"status": ["received"]}


def test_a_change_is_recorded_without_secrets(client, irene, complaint):
    login(client, irene)
    client.post("/accounts/password/change/", {"old_password": "x", "new_password1": "y", "new_password2": "y"})
    entry = AuditEntry.objects.filter(action__startswith="change:").last()
    assert "old_password" not in entry.detail["fields"] and "y" not in str(entry.detail)


def test_static_files_and_anonymous_page_views_are_not_recorded(client, db):
    client.get("/")
    client.get("/healthz")
    assert not AuditEntry.objects.exists()


def test_the_auditor_can_search_the_trail(client, audrey, irene, complaint):
    login(client, irene)
    client.get(f"/complaints/{complaint.reference}/")
    login(client, audrey)
    page = text(client.get("/audit/", {"who": "irene"}))
    assert "view:cases:detail" in page
    assert complaint.reference in page
    # in words, with the role's name and the code kept for searching
    assert "Opened a complaint page" in page and "Oversight intake / investigator" in page


def test_every_workflow_form_and_sign_in_step_has_words_in_the_trail():
    from parley.audit.labels import describe
    from parley.cases.labels import ACTION_SLUGS

    for slug in ACTION_SLUGS.values():
        assert describe(f"change:cases:{slug.replace('-', '_')}").startswith("Sent the form “")
    assert describe("auth.sign_in_failed") == "Gave a wrong password"
    assert describe("view:somewhere:new") == "Opened somewhere:new"  # unknown pages keep their name
    assert describe("something.else") == "something.else"


def test_the_auditor_can_download_the_trail_and_it_still_verifies(client, audrey, irene, complaint):
    login(client, irene)
    client.get(f"/complaints/{complaint.reference}/")
    login(client, audrey)
    response = client.get("/audit/export.csv", {"action": "view"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "time", "username"]
    assert any(r[2] == "irene" and r[5] == "view:cases:detail" for r in rows[1:])
    assert list(verify_chain()) == []


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
@pytest.mark.parametrize("persona", ["irene", "ray", "carla", "maya", "alma"])
def test_no_one_but_the_auditor_reads_the_trail(client, request, url, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


def test_a_bad_date_range_gets_a_clear_message(client, audrey):
    login(client, audrey)
    page = text(client.get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"}))
    assert "The end date must be on or after the start date." in page
    # the download goes back to the trail, whose form says what is wrong, and nothing is downloaded
    response = client.get("/audit/export.csv", {"since": "not a date", "zz": "not a filter"})
    assert response.status_code == 302 and response["Location"] == "/audit/?since=not+a+date"
    assert "Enter a valid date." in text(client.get(response["Location"]))


def test_a_download_with_a_filter_too_long_for_a_link_goes_back_with_a_message(client, audrey):
    login(client, audrey)
    response = client.get("/audit/export.csv", {"who": "x" * 20000, "action": "view"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/audit/?action=view"
    assert "Nothing was downloaded, and these filters were left out: " in text(response)


def test_the_auditor_cannot_post_to_the_trail(client, audrey):
    login(client, audrey)
    assert client.post("/audit/").status_code == 405


def test_a_request_with_a_url_longer_than_the_trail_keeps_is_recorded_whole_and_verifies(client, irene, db):
    login(client, irene)
    long_ref = "A" * 80
    assert client.get(f"/complaints/{long_ref}/").status_code == 404
    client.logout()
    client.post(f"/complaints/{'Z' * 70}/notes/", {"body": "x"})  # anonymous: recorded, refused
    entries = list(AuditEntry.objects.filter(object_type="complaint").order_by("id"))
    assert [len(e.object_id) for e in entries] == [60, 60]
    assert entries[0].detail["object_id"] == long_ref  # the whole of it, in the detail
    assert list(verify_chain()) == []


def test_a_nul_character_in_a_request_is_recorded_written_out_not_refused(client, irene, db):
    login(client, irene)
    response = client.get("/complaints/", {"q": "a\x00b"})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="view:cases:list").last()
    assert entry.detail["query"] == {"q": ["a\\x00b"]}
    assert list(verify_chain()) == []


def test_the_status_recorded_is_the_one_the_browser_got(client, irene, complaint):
    login(client, irene)
    response = client.get("/complaints")  # no slash: sent on to /complaints/
    assert response.status_code == 301
    entry = AuditEntry.objects.get(detail__path="/complaints")
    assert entry.detail["status"] == 301


@pytest.mark.parametrize("before", ["²", "\uff11", "99999999999999999999", "-1", "x"])
def test_an_odd_page_link_of_the_trail_shows_a_page(before, client, audrey, irene, complaint):
    login(client, irene)
    client.get(f"/complaints/{complaint.reference}/")
    login(client, audrey)
    assert client.get("/audit/", {"before": before}).status_code == 200


def test_the_trail_is_searched_by_a_word_of_the_action_in_any_case(client, audrey, irene, complaint):
    login(client, irene)
    client.get(f"/complaints/{complaint.reference}/")
    client.get("/complaints/export.csv")
    login(client, audrey)
    codes = {code for code in AuditEntry.objects.values_list("action", flat=True)}
    assert {"view:cases:detail", "export:cases:export", "auth.sign_in"} <= codes
    assert views.action_codes_containing("") == sorted(codes)  # each code once, in order
    assert views.action_codes_containing("EXPORT") == ["export:cases:export"]
    found = text(client.get("/audit/", {"action": "Export"}))
    assert "Downloaded the complaint list as CSV" in found and "Opened a complaint page" not in found
    found = text(client.get("/audit/", {"action": "cases:DET", "who": "Irene"}))  # a username in any case
    assert "Opened a complaint page" in found and "Downloaded" not in found
    # a word of the action as the page shows it (the hint's examples find what they say)
    found = text(client.get("/audit/", {"action": "complaint"}))
    assert "Opened a complaint page" in found and "Downloaded the complaint list as CSV" in found
    assert "Signed in" not in found
    assert "Opened a complaint page" not in text(client.get("/audit/", {"action": "DOWNLOADED"}))
    # a word in no action's code: no entries, said so, and the download has its header only
    assert "No entries match." in text(client.get("/audit/", {"action": "no such action"}))
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/audit/export.csv", {"action": "nope"})).decode())))
    assert len(rows) == 1


def _unchained(n: int | str, created_at: dt.datetime, username: str, reference: str) -> AuditEntry:
    """An entry of a complaint's page, outside the chain (these tests look up entries, not the chain)."""
    return AuditEntry(
        created_at=created_at,
        actor_username=username,
        action="view:cases:detail",
        object_type="complaint",
        object_id=reference,
        detail_digest="-",
        prev_hash="-",
        hash=f"{n:0>64}",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's (CI runs it there)")
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"object_id": "2026-000042"}, "audit_entry_object"),
        ({"who": "nobody"}, "audit_entry_username_upper"),
        ({"who": "user7", "since": "2026-01-01", "until": "2026-01-31"}, "audit_entry_username_upper"),
        ({"since": "2026-01-01", "until": "2026-01-01"}, "audit_audit_created_81b39b_idx"),
    ],
)
def test_the_auditors_lookups_read_their_index_not_the_whole_trail(db, irene, filters, index):
    # a trail of a few thousand entries of many complaints and people, as the planner sees it
    AuditEntry.objects.bulk_create(
        _unchained(n, timezone.now() - dt.timedelta(hours=n), f"user{n % 40}", f"2026-{n:06d}") for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditentry")
    form = AuditFilterForm(filters)
    assert form.is_valid()
    plan = views._filtered(form)[: views.PAGE_SIZE + 1].explain()
    assert index in plan, plan


def test_the_trail_pages_newest_first_by_time_each_entry_once_and_new_ones_do_not_shift_the_pages(client, audrey):
    # 250 entries of one object, three to each second (and so the same time: the id orders those), made
    # in an order other than their times'
    base = timezone.now() - dt.timedelta(days=3)
    AuditEntry.objects.bulk_create(
        _unchained(n, base + dt.timedelta(seconds=(n * 37 % 250) // 3), f"user{n}", "2026-000777") for n in range(250)
    )
    expected = [
        e.actor_username
        for e in sorted(
            AuditEntry.objects.filter(object_id="2026-000777"), key=lambda e: (e.created_at, e.id), reverse=True
        )
    ]
    login(client, audrey)
    seen, url = [], "/audit/?object_id=2026-000777"
    while url:
        page = client.get(url).content.decode()
        seen += re.findall(r'<td data-label="Who">(user\d+)<', page)
        AuditEntry.objects.bulk_create([_unchained(f"later{len(seen)}", timezone.now(), "later", "2026-000777")])
        older = re.search(r'href="\?([^"]*before=\d+)" id="audit-older"', page)
        url = f"/audit/?{html.unescape(older[1])}" if older else None
    assert seen == expected


def test_an_admin_change_is_recorded_with_the_object_it_changed(client, root):
    from parley.testing.factories import OfficerFactory

    officer = OfficerFactory()
    login(client, root)
    client.get(f"/admin/cases/officer/{officer.pk}/change/")
    entry = AuditEntry.objects.get(action="view:admin:cases_officer_change")
    assert (entry.object_type, entry.object_id) == ("object", str(officer.pk))


def test_the_admin_password_page_is_recorded_with_the_account_it_is_for(client, root, irene):
    login(client, root)
    client.get(f"/admin/accounts/user/{irene.pk}/password/")
    entry = AuditEntry.objects.get(action="view:admin:auth_user_password_change")
    assert (entry.object_type, entry.object_id) == ("object", str(irene.pk))


def test_an_admin_bulk_action_is_recorded_with_the_rows_it_acted_on(client, root):
    from parley.testing.factories import VenueFactory

    ids = [str(VenueFactory().pk), str(VenueFactory().pk)]
    login(client, root)
    data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    assert client.post("/admin/mediation/venue/", data).status_code == 302
    entry = AuditEntry.objects.get(action="change:admin:mediation_venue_changelist")
    assert entry.detail["selected"] == ids


def test_a_bulk_action_on_something_like_contact_data_is_recorded_without_it(client, root):
    login(client, root)
    data = {"action": "delete_selected", "_selected_action": ["someone@example.org"]}
    client.post("/admin/mediation/venue/", data)
    entry = AuditEntry.objects.get(action="change:admin:mediation_venue_changelist")
    assert "someone@example.org" not in str(entry.detail)
    assert entry.detail["selected"][0].startswith("[email address, lookup key ")
