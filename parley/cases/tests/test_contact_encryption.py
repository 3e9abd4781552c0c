"""Contact data (email, phone, address, date of birth) is encrypted at rest, findable by exact email or
phone through blind indexes, survives key rotation, and the migration that introduced it is reversible."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parley.audit.models import AuditEntry
from parley.cases import services
from parley.cases.models import Party
from parley.crypto import PREFIX, blind_index, rotation_report, under_first_key
from parley.testing.factories import receive_complaint

CONTACT = {
    "email": "Dana.Reyes@Example.com",
    "phone": "(314) 555-0101",
    "address": "4100 Shenandoah Ave, St. Louis, MO",
    "date_of_birth": dt.date(1988, 4, 2),
}


def raw_row(party_id: int) -> dict[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, phone, address, date_of_birth, email_index, phone_index FROM cases_party WHERE id = %s",
            [party_id],
        )
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


@pytest.fixture
def party(policy, irene) -> Party:
    complaint = receive_complaint(irene)
    p = complaint.parties.get()
    for name, value in CONTACT.items():
        setattr(p, name, value)
    p.save()
    return p


@pytest.fixture
def keys(settings):
    """Two fresh keys: ``old`` in use, ``new`` ready to be put first."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    return old, new


def test_the_database_holds_no_contact_value_in_the_clear(party):
    row = raw_row(party.pk)
    for name in CONTACT:
        assert str(row[name]).startswith(PREFIX), name
        stored = str(row[name])
        assert "Dana" not in stored and "555" not in stored and "Shenandoah" not in stored and "1988" not in stored
    fresh = Party.objects.get(pk=party.pk)
    assert {name: getattr(fresh, name) for name in CONTACT} == CONTACT


def test_two_rows_with_the_same_email_store_different_ciphertexts_but_the_same_index(party, irene):
    other = receive_complaint(irene).parties.get()
    other.email = CONTACT["email"]
    other.save()
    first, second = raw_row(party.pk), raw_row(other.pk)
    assert first["email"] != second["email"]
    assert first["email_index"] == second["email_index"] == blind_index("email", "dana.reyes@example.com")


@pytest.mark.parametrize(
    ("field", "typed"),
    [("email_index", " DANA.REYES@example.COM "), ("phone_index", "314.555.0101"), ("phone_index", "+1 314 555 0101")],
)
def test_an_exact_email_or_phone_finds_the_person_however_it_is_typed(party, field, typed):
    key = Party._meta.get_field(field).lookup_key(typed)
    assert list(Party.objects.filter(**{field: key})) == [party]


def test_a_wrong_phone_finds_nobody(party):
    key = Party._meta.get_field("phone_index").lookup_key("(314) 555-0102")
    assert not Party.objects.filter(phone_index=key).exists()


def test_intake_stores_contact_data_encrypted(policy, irene):
    complaint = services.complaint_receive(
        actor=irene,
        received_on=dt.date.today(),
        channel="walk_in",
        narrative="Stopped and searched without a reason.",
        parties=[
            services.NewParty(first_name="Luis", last_name="Ortega", email="luis@example.org", phone="3145550199")
        ],
        officers=[services.NewOfficer(description="Bike patrol", allegation_codes=["discourtesy"])],
        mediation_interest="yes",
    )
    row = raw_row(complaint.parties.get().pk)
    assert row["email"].startswith(PREFIX) and "luis" not in row["email"]
    assert row["phone_index"] == blind_index("phone", "(314) 555-0199")
    assert row["address"] == "" and row["date_of_birth"] is None  # nothing given: nothing stored


def test_contact_columns_cannot_be_searched_by_content(party):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Party.objects.filter(email__icontains="dana"))


def test_a_value_no_key_can_open_stops_with_a_clear_message(party, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_keys"):
        Party.objects.get(pk=party.pk)


def test_rotation_puts_every_value_under_the_new_key_and_the_old_key_can_go(keys, party, settings, capsys):
    old, new = keys
    # the party was written under whatever key the fixture had; write it under `old` explicitly
    party.save()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert sum(r.stale for r in rotation_report()) == 4  # four values, none under `new` yet

    call_command("rotate_keys", "--dry-run")
    assert "4 not under the first key" in capsys.readouterr().out
    assert not under_first_key(raw_row(party.pk)["email"])  # the dry run changed nothing

    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "every one is now under the first key" in out
    assert all(under_first_key(raw_row(party.pk)[name]) for name in CONTACT)
    assert AuditEntry.objects.filter(action="keys.rotate").exists()

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key removed: everything still reads
    fresh = Party.objects.get(pk=party.pk)
    assert {name: getattr(fresh, name) for name in CONTACT} == CONTACT


def test_a_new_index_key_takes_effect_after_rotation(party, settings):
    settings.FIELD_INDEX_KEY = Fernet.generate_key().decode()
    key = Party._meta.get_field("email_index").lookup_key(CONTACT["email"])
    assert not Party.objects.filter(email_index=key).exists()  # rows still carry the old index
    call_command("rotate_keys")
    assert list(Party.objects.filter(email_index=key)) == [party]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_stored_values_and_reverses_to_plain_text(policy, irene):
    """Rows written before encryption existed are encrypted by the migration, and reversing it
    brings back the plain values."""
    before, after = [("cases", "0004_retention")], [("cases", "0005_party_contact_encryption")]
    complaint = receive_complaint(irene)
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_party (complaint_id, kind, anonymous, first_name, last_name, email, phone, address,"
                " date_of_birth, is_minor, preferred_language, needs_interpreter, needs_asl, accessibility_needs,"
                " gender, race, disability) VALUES (%s, 'witness', false, 'Old', 'Row', 'old@example.com',"
                " '314-555-0177', '1 Main St', %s, false, 'en', false, false, '', '[]', '[]', '[]')",
                [complaint.pk, dt.date(1970, 1, 2)],
            )
            cursor.execute("SELECT id FROM cases_party WHERE last_name = 'Row'")
            pk = cursor.fetchone()[0]
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        row = raw_row(pk)
        assert all(str(row[c]).startswith(PREFIX) for c in ("email", "phone", "address", "date_of_birth"))
        assert row["phone_index"] == blind_index("phone", "3145550177")

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute("SELECT email, phone, address, date_of_birth FROM cases_party WHERE id = %s", [pk])
            email, phone, address, born = cursor.fetchone()
        assert (email, phone, address) == ("old@example.com", "314-555-0177", "1 Main St")
        assert str(born) == "1970-01-02"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(("field", "limit"), [("email", 254), ("phone", 40), ("address", 300)])
def test_intake_refuses_contact_data_longer_than_its_column_ever_held(policy, irene, field, limit):
    """The limits of the columns before encryption: reversing the migration must never cut a value short."""
    long = "a" * (limit - 12) + "@example.com" if field == "email" else "1" * (limit + 1)
    party = services.NewParty(first_name="Luis", last_name="Ortega", **{field: long + "x"})
    with pytest.raises(services.GuardFailed, match=f"at most {limit} characters"):
        services.complaint_receive(
            actor=irene,
            received_on=dt.date.today(),
            channel="walk_in",
            narrative="Stopped without a reason.",
            parties=[party],
            officers=[services.NewOfficer(description="Bike patrol", allegation_codes=["discourtesy"])],
        )
    assert not Party.objects.exists()


def test_a_value_stored_in_the_clear_is_read_and_then_encrypted_by_rotation(party, capsys):
    with connection.cursor() as cursor:  # as raw SQL, a restore or an old release would leave it
        cursor.execute("UPDATE cases_party SET phone = %s WHERE id = %s", ["(314) 555-0188", party.pk])
    assert Party.objects.get(pk=party.pk).phone == "(314) 555-0188"  # the page still works
    call_command("rotate_keys", "--dry-run")
    assert "1 of them stored in the clear" in capsys.readouterr().out
    call_command("rotate_keys")
    row = raw_row(party.pk)
    assert row["phone"].startswith(PREFIX) and row["phone_index"] == blind_index("phone", "3145550188")
    assert Party.objects.get(pk=party.pk).phone == "(314) 555-0188"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)")
@pytest.mark.django_db(transaction=True)
def test_rotation_never_writes_back_a_value_erased_while_it_runs(policy, irene, settings, monkeypatch):
    """Retention (or a staff edit) blanks an email while rotation is between reading and writing that row:
    the row is locked, the erasure waits for the batch and then wins, and the old email never returns."""
    import threading
    import time

    import psycopg

    import parley.crypto as crypto

    p = receive_complaint(irene).parties.get()
    p.email = "dana@example.com"
    p.save()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    real, threads = crypto.rotate, []
    s = connection.settings_dict

    def erase():
        with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], dbname=s["NAME"], autocommit=True) as db:
            db.execute("UPDATE cases_party SET email = '', email_index = '' WHERE id = %s", [p.pk])

    def rotate_while_someone_erases(value):
        if not threads:
            threads.append(threading.Thread(target=erase))
            threads[0].start()
            time.sleep(0.5)  # the erasure runs now, or waits for the batch's row lock
        return real(value)

    monkeypatch.setattr(crypto, "rotate", rotate_while_someone_erases)
    crypto.rotate_keys()
    threads[0].join(timeout=10)
    assert not threads[0].is_alive()
    fresh = Party.objects.get(pk=p.pk)
    assert (fresh.email, fresh.email_index) == ("", "")


def test_saving_only_the_phone_updates_its_lookup_index(party):
    party.phone = "(314) 555-0177"
    party.save(update_fields=["phone"])
    assert raw_row(party.pk)["phone_index"] == blind_index("phone", "3145550177")


def test_an_exact_search_on_an_encrypted_column_is_refused_instead_of_finding_nothing(party):
    from django.core.exceptions import FieldError

    assert not Party.objects.filter(email="").exclude(pk=party.pk).exists()  # emptiness can be asked
    with pytest.raises(FieldError, match="blind index"):
        list(Party.objects.filter(email=CONTACT["email"]))


@pytest.mark.django_db(transaction=True)
def test_reversing_the_migration_refuses_to_cut_a_long_value_short(policy, irene):
    from parley.crypto import encrypt

    p = receive_complaint(irene).parties.get()
    long_address = "Apartment 4B, " + "x" * 300
    with connection.cursor() as cursor:  # longer than the plain column held (the services refuse it today)
        cursor.execute("UPDATE cases_party SET address = %s WHERE id = %s", [encrypt(long_address), p.pk])
    executor = MigrationExecutor(connection)
    try:
        with pytest.raises(RuntimeError, match="longer than the 300 characters"):
            executor.migrate([("cases", "0004_retention")])
    finally:  # whatever came after 0005 was reversed before it refused: put it back
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Party.objects.get(pk=p.pk).address == long_address  # nothing changed
