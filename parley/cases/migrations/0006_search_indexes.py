"""Indexes for the staff pages at a million complaints (issue 3).

On every database: the complaint list filtered by one status reads (status, received_on, id) in
order, and "longest in the current step" reads (status_changed_at, id), a page at a time, with no
sort of everything that matches.

On PostgreSQL only:
- Trigram indexes (``pg_trgm``) for the list's search, which looks for words *inside* names and
  references (``icontains``, ``istartswith``, ``iendswith``, which Django writes as
  ``UPPER(column::text) LIKE UPPER('%word%')``): a B-tree cannot answer that, a trigram index on
  ``UPPER(column)`` can. An officer's DSN and badge are matched whole (``iexact``), which a B-tree on
  ``UPPER(column)`` answers. The planner uses these when a name is rare.
- For a common name it is cheaper to walk the complaints in the page's order and look at each one's
  people: covering indexes on ``complaint_id`` that include the names answer that look from the
  index alone (a party's row is wide: its contact data is encrypted).

SQLite gets none of the PostgreSQL-only indexes (its searches read the tables), and the models do
not declare them: a model that declared a GIN index could not be created on SQLite.
"""

from django.db import migrations, models

POSTGRESQL_INDEXES = {
    "party_first_name_trgm": "cases_party USING gin (UPPER(first_name) gin_trgm_ops)",
    "party_last_name_trgm": "cases_party USING gin (UPPER(last_name) gin_trgm_ops)",
    "party_complaint_names": "cases_party (complaint_id) INCLUDE (anonymous, first_name, last_name)",
    "officer_first_name_trgm": "cases_complaintofficer USING gin (UPPER(first_name) gin_trgm_ops)",
    "officer_last_name_trgm": "cases_complaintofficer USING gin (UPPER(last_name) gin_trgm_ops)",
    "officer_dsn_upper": "cases_complaintofficer (UPPER(dsn))",
    "officer_badge_upper": "cases_complaintofficer (UPPER(badge))",
    "officer_complaint_names": "cases_complaintofficer (complaint_id) INCLUDE (dsn, badge, first_name, last_name)",
    "complaint_reference_trgm": "cases_complaint USING gin (UPPER(reference) gin_trgm_ops)",
}


# A DSN or badge names one officer, so how many complaints name a given one is known only from the
# most common values that ANALYZE keeps: with the default 100, the planner takes any code it has not
# seen (a word that is not a code at all) for as common as the average officer, and may read every
# complaint looking for it. 1,000 covers a roster of that size; beyond it the average is small.
STATISTICS = [
    f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 1000" for name in ("officer_dsn_upper", "officer_badge_upper")
]


class OnPostgreSQL(migrations.RunSQL):
    """SQL that runs on PostgreSQL only (and is skipped elsewhere, both ways)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_party_contact_encryption"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="complaint", name="cases_compl_status_48aa69_idx"),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "received_on", "id"], name="cases_compl_status_ed932b_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status_changed_at", "id"], name="cases_compl_status__8e478c_idx"),
        ),
        # pg_trgm is a trusted extension (PostgreSQL 13 and later): the database owner may create it.
        # (Not django.contrib.postgres's TrigramExtension: reversed, it queries pg_extension on SQLite too.)
        OnPostgreSQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                *(f"CREATE INDEX {name} ON {definition}" for name, definition in POSTGRESQL_INDEXES.items()),
                *STATISTICS,
            ],
            reverse_sql=[
                *(f"DROP INDEX {name}" for name in reversed(POSTGRESQL_INDEXES)),
                "DROP EXTENSION IF EXISTS pg_trgm",  # refused, not cascaded, if anything else uses it
            ],
        ),
    ]
