"""The lists' copy of each complaint's people (``Complaint.people``, parley/cases/names.py) and the kind of
its earliest open deadline (``Complaint.next_due_kind``, parley/cases/deadlines.py), filled for the
complaints already there: the list and the queue print them from the complaint's row.

The fill is this migration's own code, not the application's (which may have moved on by the time it
runs): on PostgreSQL one statement, elsewhere a batch of complaints at a time.
"""

from django.db import migrations, models

BATCH = 2000

FILL_ON_POSTGRESQL = """
UPDATE cases_complaint c SET
  people = jsonb_build_object(
    'c', COALESCE((
      SELECT jsonb_agg(jsonb_build_array(p.anonymous, p.first_name, p.last_name) ORDER BY p.id)
      FROM cases_party p WHERE p.complaint_id = c.id AND p.kind = 'complainant'
    ), '[]'::jsonb),
    'o', COALESCE((
      SELECT jsonb_agg(jsonb_build_array(o.first_name, o.last_name, o.dsn, o.description, COALESCE((
        SELECT jsonb_agg(a.category_id ORDER BY a.id) FROM cases_allegation a WHERE a.complaint_officer_id = o.id
      ), '[]'::jsonb)) ORDER BY o.id)
      FROM cases_complaintofficer o WHERE o.complaint_id = c.id
    ), '[]'::jsonb)
  ),
  next_due_kind = COALESCE((
    SELECT d.kind FROM cases_deadline d
    WHERE d.complaint_id = c.id AND d.met_at IS NULL AND NOT d.cancelled ORDER BY d.due_on, d.id LIMIT 1
  ), '')
"""


def fill(apps, schema_editor):
    """Write both as ``names.refresh_people_copies`` and ``deadlines._refresh`` do (their code as of this
    migration)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_ON_POSTGRESQL)
        return
    Complaint = apps.get_model("cases", "Complaint")
    Party = apps.get_model("cases", "Party")
    ComplaintOfficer = apps.get_model("cases", "ComplaintOfficer")
    Allegation = apps.get_model("cases", "Allegation")
    Deadline = apps.get_model("cases", "Deadline")
    db = schema_editor.connection.alias
    last = 0
    while True:
        ids = list(
            Complaint.objects.using(db).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return
        last = ids[-1]
        complainants = {pk: [] for pk in ids}
        officers = {pk: [] for pk in ids}
        for complaint_id, anonymous, first, last_name in (
            Party.objects.using(db)
            .filter(complaint_id__in=ids, kind="complainant")
            .order_by("id")
            .values_list("complaint_id", "anonymous", "first_name", "last_name")
        ):
            complainants[complaint_id].append([bool(anonymous), first, last_name])
        alleged = {}
        for officer_id, category_id in (
            Allegation.objects.using(db)
            .filter(complaint_officer__complaint_id__in=ids)
            .order_by("id")
            .values_list("complaint_officer_id", "category_id")
        ):
            alleged.setdefault(officer_id, []).append(category_id)
        for complaint_id, officer_id, first, last_name, dsn, description in (
            ComplaintOfficer.objects.using(db)
            .filter(complaint_id__in=ids)
            .order_by("id")
            .values_list("complaint_id", "id", "first_name", "last_name", "dsn", "description")
        ):
            officers[complaint_id].append([first, last_name, dsn, description, alleged.get(officer_id, [])])
        kinds = {}
        for complaint_id, kind in (
            Deadline.objects.using(db)
            .filter(complaint_id__in=ids, met_at__isnull=True, cancelled=False)
            .order_by("-due_on", "-id")  # the earliest last, so that it stays
            .values_list("complaint_id", "kind")
        ):
            kinds[complaint_id] = kind
        Complaint.objects.using(db).bulk_update(
            [
                Complaint(pk=pk, people={"c": complainants[pk], "o": officers[pk]}, next_due_kind=kinds.get(pk, ""))
                for pk in ids
            ],
            ["people", "next_due_kind"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_complaint_waits_for"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="next_due_kind",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=30),
        ),
        migrations.AddField(
            model_name="complaint",
            name="people",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                editable=False,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
