"""The search's copy of each complaint's names (``Complaint.search_names``, parley/cases/names.py),
filled for the complaints already there, and on PostgreSQL a trigram index of it, through which a
search for a rare name finds its few complaints (as the indexes of migration 0006 do for the people).
"""

import importlib

from django.db import migrations, models

# SQL for PostgreSQL only, skipped elsewhere both ways
OnPostgreSQL = importlib.import_module("parley.cases.migrations.0006_search_indexes").OnPostgreSQL

BATCH = 2000


def fill(apps, schema_editor):
    """Write the copy as ``names.refresh_search_names`` does (this is that code as of this migration)."""
    Complaint = apps.get_model("cases", "Complaint")
    Party = apps.get_model("cases", "Party")
    ComplaintOfficer = apps.get_model("cases", "ComplaintOfficer")
    db = schema_editor.connection.alias
    last = 0
    while True:
        ids = list(
            Complaint.objects.using(db).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return
        last = ids[-1]
        people = {pk: [] for pk in ids}
        parties = Party.objects.using(db).filter(complaint_id__in=ids, anonymous=False).order_by("id")
        for complaint_id, *names in parties.values_list("complaint_id", "first_name", "last_name"):
            people[complaint_id].append(names)
        officers = ComplaintOfficer.objects.using(db).filter(complaint_id__in=ids).order_by("id")
        for complaint_id, *names in officers.values_list("complaint_id", "first_name", "last_name"):
            people[complaint_id].append(names)
        changed = []
        for pk, persons in people.items():
            lines = (" ".join(word for word in person if word) for person in persons)
            text = "\n".join(line for line in lines if line)
            if text:
                changed.append(Complaint(pk=pk, search_names=text))
        Complaint.objects.using(db).bulk_update(changed, ["search_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_open_complaint_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="search_names",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        OnPostgreSQL(
            sql="CREATE INDEX complaint_search_names_trgm ON cases_complaint USING gin (UPPER(search_names) gin_trgm_ops)",
            reverse_sql="DROP INDEX complaint_search_names_trgm",
        ),
    ]
