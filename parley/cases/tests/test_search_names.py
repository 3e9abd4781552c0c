"""The search's copy of each complaint's names (``Complaint.search_names``, parley/cases/names.py): written
wherever names are written, cleared of the civilians' names by retention, and read by a one-word search,
which finds through it exactly what the people themselves match."""

from __future__ import annotations

import datetime as dt
import functools
import io
import operator

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parley.accounts.models import User
from parley.cases import selectors, services
from parley.cases.deadlines import refresh_next_due
from parley.cases.models import AllegationCategory, Complaint, ComplaintOfficer, Deadline, DeadlineKind, Party
from parley.cases.names import refresh_people_copies
from parley.cases.retention import apply_retention
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.policies.models import ProgramPolicy
from parley.testing.factories import Journey, OfficerFactory


@pytest.fixture
def journey(policy, irene, ray, carla, alma) -> Journey:
    return Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)


def _copies() -> dict[int, str]:
    return dict(Complaint.objects.values_list("pk", "search_names"))


def _receive(actor, *, parties, officers, channel: str = "phone"):
    """A complaint taken in today through the services, with these people."""
    return services.complaint_receive(
        actor=actor,
        received_on=timezone.localdate(),
        channel=channel,
        narrative="It happened.",
        parties=parties,
        officers=officers,
    )


def test_intake_copies_the_named_parties_and_the_officers_names_but_no_anonymous_party(policy, irene):
    ProgramPolicy.objects.filter(pk=policy.pk).update(anonymous_complaints_accepted=True)
    officer = OfficerFactory(first_name="Kevin", last_name="Marsh", dsn="D-1207", badge="4411")
    c = _receive(
        irene,
        parties=[
            services.NewParty(anonymous=True, first_name="Secret", last_name="Hidden"),
            services.NewParty(kind="witness", first_name="Lucia", last_name="Fernández"),
        ],
        officers=[
            services.NewOfficer(roster=officer, allegation_codes=["discourtesy"]),
            services.NewOfficer(first_name="Ann", last_name="Lee", allegation_codes=["discourtesy"]),
            services.NewOfficer(description="Tall, car 4312", allegation_codes=["discourtesy"]),
        ],
    )
    assert c.search_names == "Lucia\tFernández\nKevin\tMarsh\nAnn\tLee"  # as written, on the object returned
    c.refresh_from_db()
    assert c.search_names == "Lucia\tFernández\nKevin\tMarsh\nAnn\tLee"  # DSNs and badges are matched whole
    for word in ("Secret", "Hidden", "Secret Hidden"):  # an anonymous complainant's name is never searched
        assert not Complaint.objects.filter(selectors.search_q(word)).exists(), word
    assert list(Complaint.objects.filter(selectors.search_q("4411"))) == [c]
    assert list(Complaint.objects.filter(selectors.search_q("d-1207"))) == [c]
    assert not Complaint.objects.filter(selectors.search_q("441")).exists()


def test_retention_takes_the_civilians_names_out_of_the_copy_and_keeps_the_officers(policy, journey, client, irene):
    ProgramPolicy.objects.filter(pk=policy.pk).update(retention_years=5)
    with time_machine.travel(timezone.now() - dt.timedelta(days=365 * 6)):
        old = reach(Status.DECLINED_BY_COMPLAINANT, journey)
    assert "Dana\tReyes" in Complaint.objects.get(pk=old.pk).search_names
    officer = old.officers.get()
    apply_retention()
    copy = Complaint.objects.get(pk=old.pk).search_names
    assert "Dana" not in copy and "Reyes" not in copy
    assert copy == f"{officer.first_name}\t{officer.last_name}"
    assert not Complaint.objects.filter(selectors.search_q("Reyes")).exists()
    people = Complaint.objects.get(pk=old.pk).people  # the lists' copy: the complainant stays, unnamed
    assert people["c"] == [[False, "", ""]] and people["o"][0][:2] == [officer.first_name, officer.last_name]


def _by_the_people_alone(text: str) -> Q:
    """What the search matched before the copy: the reference, or the people themselves."""
    words = text.split()
    by_reference = Q(reference__istartswith=text)
    if len(text) >= selectors.SHORT_WORD:
        by_reference |= Q(reference__iendswith=text)
    named = Party.objects.filter(complaint=OuterRef("pk"), anonymous=False).filter(selectors._name_matches(words))
    return functools.reduce(operator.or_, [by_reference, Q(Exists(named)), Q(selectors.officer_matches(text))])


@pytest.mark.django_db(transaction=True)
def test_demo_data_carries_the_copy_and_searches_find_what_the_people_alone_would():
    call_command("seed_demo", complaints=120, seed=11, stdout=open("/dev/null", "w"))  # noqa: SIM115
    loaded = _copies()
    assert all(loaded.values())
    with transaction.atomic():
        assert refresh_people_copies(loaded) == 0  # the loader writes the copy as the services do
    assert _copies() == loaded
    irene = User.objects.get(username="intake")
    _receive(
        irene,
        parties=[
            services.NewParty(first_name="Lucia Ann", last_name="Fernández-Okafor"),
            services.NewParty(kind="witness", first_name="Jo_Ann", last_name="Back\\slash 100%"),
            services.NewParty(kind="witness", first_name="Joxann", last_name="Backxslash 1000"),  # decoys
            services.NewParty(kind="witness", first_name="Tab\tIn", last_name="New\nLine"),  # not on two lines
            services.NewParty(kind="witness", first_name="Ma.ry (Jo)", last_name="O*Neil+[x]|^$"),  # a pattern's
        ],
        officers=[services.NewOfficer(first_name="Tam", last_name="Ng", allegation_codes=["discourtesy"])],
    )
    party = Party.objects.exclude(last_name="").order_by("id").first()
    officer = ComplaintOfficer.objects.exclude(dsn="").order_by("id").first()
    searches = [
        party.last_name,
        party.last_name.upper(),
        party.first_name[1:4],
        f"{party.first_name} {party.last_name}",
        f"{party.last_name} {party.first_name}",
        f"{party.first_name} {officer.last_name}",  # a complainant's first name with an officer's last
        party.last_name[:2],
        officer.last_name,
        officer.dsn,
        officer.badge,
        f"{officer.first_name} {officer.last_name}",
        "Zzyzx",
        "a b",
        "Ann",  # inside a first name of two words
        "ann fern",
        "Lucia Ann Fern",
        "An Fernández",
        "Lu Fern",
        "Fe Lucia",
        "Okafor Lu",
        "In New",
        "Tab Line",
        "Ne Tab",
        "Li Tab",
        "b\ti",
        "Ma.ry O*Neil",
        "(Jo) ry",
        "Mary Jo",
        "M.ry Neil",
        "Maxry (Jo)",
        "[x] O*",
        "+[x]| Ma",
        "^$ Ma.",
        "Ma M.",
        "a.b Ann",
        "( Garcia",
        "\\s Jo_",
        "ández-ok",
        "ÁNDEZ",
        "Ng",
        "NG",
        "am N",
        "100%",
        "_",
        "___",
        "o_A",
        "k\\s",
        "k%s",
    ]
    # reference numbers, whole and in part (words that do not start or end with a digit are not asked
    # about the reference at that end: none can match there)
    reference = Complaint.objects.order_by("-id").values_list("reference", flat=True)[7]
    searches += [reference, reference[:5], reference[-4:], reference[4:], reference[1:6], f"x{reference[-3:]}"]
    searches += [f"{reference[:4]}x", reference[:2], reference[-2:]]
    for text in searches:
        found = set(Complaint.objects.filter(selectors.search_q(text)).values_list("pk", flat=True))
        expected = set(Complaint.objects.filter(_by_the_people_alone(text)).values_list("pk", flat=True))
        assert found == expected, text
    assert Complaint.objects.filter(selectors.search_q(party.last_name)).exists()
    assert Complaint.objects.filter(selectors.search_q(officer.badge)).exists()
    assert all(Complaint.objects.filter(selectors.search_q(text)).exists() for text in (reference[:5], reference[-4:]))


def test_a_search_with_a_word_of_three_letters_reads_the_copy_alone_and_one_of_short_words_the_people(journey, irene):
    """Which side answers which search (this is why the copy must be written wherever names change): with a
    word of three letters or more, the copy alone, which must have all the words in one person's line;
    with one- and two-letter words only, the people."""
    c = reach(Status.RECEIVED, journey)  # Dana Reyes
    Complaint.objects.filter(pk=c.pk).update(search_names="Someone\tElse")
    for text in ("Someone", "Someone Else", "Else So", "El Someone", "els"):
        assert list(Complaint.objects.filter(selectors.search_q(text))) == [c], text
    for text in ("Reyes", "Dana Reyes", "Dana Re", "Someone Reyes", "ne Else", "Someone Da", "So El"):
        assert not Complaint.objects.filter(selectors.search_q(text)).exists(), text
    for text in ("Re", "Da Re", "d r"):  # the people
        assert list(Complaint.objects.filter(selectors.search_q(text))) == [c], text
    Complaint.objects.filter(pk=c.pk).update(search_names="Dana\tSomeone\nElse\tReyes")
    assert not Complaint.objects.filter(selectors.search_q("Dana Reyes")).exists()  # in two people's lines
    refresh_people_copies([c.pk])
    for text in ("Reyes", "reyes DANA", "Dana Re", "Re Dana", "Da Reyes"):
        assert list(Complaint.objects.filter(selectors.search_q(text))) == [c], text
    for text in ("Someone", "Dana Ey", "Reyes An"):  # "Ey" and "An" are not where a name starts
        assert not Complaint.objects.filter(selectors.search_q(text)).exists(), text


def test_several_words_must_all_be_in_one_persons_names_not_only_in_the_copy(journey, irene):
    """The copy holds everyone's names: a complainant's first name and an officer's last name are both in
    it, but no one person has them both."""
    officer = OfficerFactory(first_name="Kevin", last_name="Marsh")
    c = _receive(
        irene,
        parties=[services.NewParty(first_name="Lucia", last_name="Fernández")],
        officers=[services.NewOfficer(roster=officer, allegation_codes=["discourtesy"])],
    )
    assert c.search_names == "Lucia\tFernández\nKevin\tMarsh"
    for text in ("Lucia Marsh", "Kevin Fernández", "luc mar"):
        assert not Complaint.objects.filter(selectors.search_q(text)).exists(), text
    for text in ("Lucia Fernández", "fernández luc", "Kevin Marsh", "marsh KEV", "Ke Marsh"):
        assert list(Complaint.objects.filter(selectors.search_q(text))) == [c], text


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (pg_trgm)")
def test_on_postgresql_a_rare_name_is_found_through_the_copys_trigram_index(journey, irene):
    reach(Status.RECEIVED, journey)
    with connection.cursor() as cursor:  # a handful of rows: let the planner read them no other way
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = Complaint.objects.filter(search_names__icontains="Zzyzx").order_by().explain()
    assert "complaint_search_names_trgm" in plan


def _varied_complaints(irene) -> None:
    """Witnesses, an anonymous complainant with a name, officers from the roster, by name only, and not
    identified at all."""
    _receive(
        irene,
        parties=[
            services.NewParty(first_name="Lucia", last_name="Fernández"),
            services.NewParty(kind="witness", first_name="", last_name="Okafor"),
        ],
        officers=[
            services.NewOfficer(
                roster=OfficerFactory(first_name="Kevin", last_name="Marsh"), allegation_codes=["discourtesy"]
            ),
            services.NewOfficer(first_name="Ann", last_name="Lee", allegation_codes=["discourtesy"]),
            services.NewOfficer(description="Tall, car 4312", allegation_codes=["discourtesy"]),
        ],
    )
    _receive(
        irene,
        channel="mail",
        parties=[services.NewParty(anonymous=True, first_name="Secret", last_name="Hidden")],
        officers=[services.NewOfficer(description="Did not see", allegation_codes=["discourtesy"])],
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_copy_as_the_services_write_it_and_reverses(policy, irene):
    from parley.testing.migrations import columns_of, migrate_to, migrated_back_to

    ProgramPolicy.objects.filter(pk=policy.pk).update(anonymous_complaints_accepted=True)
    _varied_complaints(irene)
    written = _copies()
    assert sorted(written.values()) == ["", "Lucia\tFernández\n\tOkafor\nKevin\tMarsh\nAnn\tLee"]
    with migrated_back_to("cases", "0008_open_complaint_indexes"):
        assert "search_names" not in columns_of("cases_complaint")
        migrate_to(("cases", "0009_complaint_search_names"))
    assert _copies() == written


@pytest.mark.django_db(transaction=True)
def test_migration_0015_writes_the_copy_with_a_tab_as_the_services_write_it_and_back_as_it_was(policy, irene):
    from parley.testing.migrations import migrate_to, migrated_back_to

    ProgramPolicy.objects.filter(pk=policy.pk).update(anonymous_complaints_accepted=True)
    _varied_complaints(irene)
    odd = _receive(
        irene,
        parties=[services.NewParty(first_name="Mary Ann", last_name="Tab\tand\nbreak")],
        officers=[services.NewOfficer(first_name="Only", last_name="", allegation_codes=["discourtesy"])],
    )
    written = _copies()
    assert written[odd.pk] == "Mary Ann\tTab and break\nOnly\t"
    with migrated_back_to("cases", "0014_complaint_people_next_due_kind"):
        assert sorted(_copies().values()) == [
            "",
            "Lucia Fernández\nOkafor\nKevin Marsh\nAnn Lee",
            "Mary Ann Tab\tand\nbreak\nOnly",  # as 0009 wrote it
        ]
        migrate_to(("cases", "0015_search_names_first_tab_last"))
        assert _copies() == written
        migrate_to(("cases", "0014_complaint_people_next_due_kind"))
    assert _copies() == written


@pytest.mark.django_db(transaction=True)
def test_migration_0014_fills_the_lists_copy_and_the_next_due_kind_as_the_services_write_them(policy, irene):
    from parley.testing.migrations import columns_of, migrate_to, migrated_back_to

    ProgramPolicy.objects.filter(pk=policy.pk).update(anonymous_complaints_accepted=True)
    _varied_complaints(irene)
    # the orders and the empty cases: several complainants (one anonymous) beside a witness, an officer
    # accused of nothing before one accused of three in descending key order, two deadlines due the same
    # day, and a complaint with nobody at all (changed outside Parley)
    codes = list(AllegationCategory.objects.order_by("-pk").values_list("code", flat=True)[:3])
    many = _receive(
        irene,
        parties=[
            services.NewParty(first_name="Ann", last_name="One"),
            services.NewParty(kind="witness", first_name="Wit", last_name="Ness"),
            services.NewParty(anonymous=True, first_name="", last_name=""),
            services.NewParty(first_name="Bo", last_name="Two"),
        ],
        officers=[
            services.NewOfficer(first_name="No", last_name="Allegation", allegation_codes=[]),
            services.NewOfficer(first_name="Three", last_name="Alleged", allegation_codes=codes),
        ],
    )
    Deadline.objects.create(complaint=many, kind=DeadlineKind.SUITABILITY, due_on=many.next_due)  # opened later
    refresh_next_due([many.pk])
    nobody = _receive(
        irene,
        parties=[services.NewParty(first_name="Gone", last_name="Away")],
        officers=[services.NewOfficer(first_name="Also", last_name="Gone", allegation_codes=codes[:1])],
    )
    Party.objects.filter(complaint=nobody).delete()
    ComplaintOfficer.objects.filter(complaint=nobody).delete()
    with transaction.atomic():
        refresh_people_copies([nobody.pk])
    written = {
        pk: (people, kind) for pk, people, kind in Complaint.objects.values_list("pk", "people", "next_due_kind")
    }
    assert written[nobody.pk][0] == {"c": [], "o": []}
    assert [c[1:] for c in written[many.pk][0]["c"]] == [["Ann", "One"], ["", ""], ["Bo", "Two"]]
    keys = dict(AllegationCategory.objects.values_list("code", "pk"))
    assert [o[4] for o in written[many.pk][0]["o"]] == [[], [keys[code] for code in codes]]
    assert written[many.pk][1] == DeadlineKind.ACKNOWLEDGE  # of two due the same day, the one opened first
    anonymous = next(people for people, _ in written.values() if people["c"] and people["c"][0][0])
    assert anonymous["c"] == [[True, "Secret", "Hidden"]]  # printed "Anonymous"; the names stay as given
    assert all(kind for _, kind in written.values())  # each waits for its acknowledgement
    with migrated_back_to("cases", "0013_complaint_waits_for"):
        assert "people" not in columns_of("cases_complaint")
        assert "next_due_kind" not in columns_of("cases_complaint")
        migrate_to(("cases", "0014_complaint_people_next_due_kind"))
    assert {
        pk: (people, kind) for pk, people, kind in Complaint.objects.values_list("pk", "people", "next_due_kind")
    } == (written)


def test_the_repair_command_completes_what_older_code_took_in_and_writes_only_what_differs(policy, irene, monkeypatch):
    from parley.cases.management.commands import refresh_search_names as command

    ProgramPolicy.objects.filter(pk=policy.pk).update(anonymous_complaints_accepted=True)
    _varied_complaints(irene)
    written = _copies()
    named = max(written, key=lambda pk: len(written[pk]))
    # Code older than the copy, still running while a deployment migrates, leaves the column out of its
    # INSERT: the database's own default (migration 0010) takes the complaint in with an empty copy.
    columns = [f.column for f in Complaint._meta.concrete_fields if f.column not in {"id", "search_names"}]
    chosen = [{"reference": "%s", "public_id": "%s"}.get(column, column) for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_complaint ({', '.join(columns)}) SELECT {', '.join(chosen)}"  # noqa: S608
            " FROM cases_complaint WHERE id = %s",
            ["2026-999999", "older-code-intake", named],
        )
    older = Complaint.objects.get(reference="2026-999999")
    assert older.search_names == ""
    services_party = Complaint.objects.get(pk=named).parties.get(last_name="Fernández")
    services_party.pk, services_party.complaint = None, older
    services_party.save()
    assert not Complaint.objects.filter(selectors.search_q("Fernández"), pk=older.pk).exists()
    monkeypatch.setattr(command, "BATCH", 1)  # a batch at a time, each in its own transaction
    out = io.StringIO()
    call_command("refresh_search_names", stdout=out)
    assert out.getvalue().strip() == "Checked 3 complaints; wrote the copies of 1 again."
    assert _copies() == {**written, older.pk: "Lucia\tFernández"}
    assert set(Complaint.objects.filter(selectors.search_q("Fernández")).values_list("pk", flat=True)) == {
        named,
        older.pk,
    }
    assert refresh_people_copies([older.pk, 10**9]) == 0  # a key that is not a complaint: nothing to write
