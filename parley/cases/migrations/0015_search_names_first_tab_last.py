"""The search's copy of each complaint's names (``Complaint.search_names``, parley/cases/names.py) written
again as a line "first<TAB>last" per person, where it was "first last": with the tab, the copy says
where a last name starts (a first name may have a space), so that a search of several words reads the
copy alone. A tab or a line break inside a name is written as a space. Backwards, the copy is written as
it was.

The code is this migration's own, not the application's (which may have moved on by the time it runs):
on PostgreSQL one statement, elsewhere a batch of complaints at a time.
"""

from django.db import migrations

BATCH = 2000

# the people in the order refresh_people_copies writes them (the named parties, then the officers), as
# a line each, "first<TAB>last" or, backwards, "first last"
WRITE_ON_POSTGRESQL = {
    "tab": """
UPDATE cases_complaint c SET search_names = COALESCE((
  SELECT string_agg(translate(first, E'\\t\\n', '  ') || E'\\t' || translate(last, E'\\t\\n', '  '), E'\\n'
                    ORDER BY side, id)
  FROM (
    SELECT 0 AS side, p.id, p.first_name AS first, p.last_name AS last FROM cases_party p
    WHERE p.complaint_id = c.id AND NOT p.anonymous AND (p.first_name <> '' OR p.last_name <> '')
    UNION ALL
    SELECT 1, o.id, o.first_name, o.last_name FROM cases_complaintofficer o
    WHERE o.complaint_id = c.id AND (o.first_name <> '' OR o.last_name <> '')
  ) people
), '')
""",
    "space": """
UPDATE cases_complaint c SET search_names = COALESCE((
  SELECT string_agg(concat_ws(' ', NULLIF(first, ''), NULLIF(last, '')), E'\\n' ORDER BY side, id)
  FROM (
    SELECT 0 AS side, p.id, p.first_name AS first, p.last_name AS last FROM cases_party p
    WHERE p.complaint_id = c.id AND NOT p.anonymous AND (p.first_name <> '' OR p.last_name <> '')
    UNION ALL
    SELECT 1, o.id, o.first_name, o.last_name FROM cases_complaintofficer o
    WHERE o.complaint_id = c.id AND (o.first_name <> '' OR o.last_name <> '')
  ) people
), '')
""",
}


def _line(first: str, last: str, form: str) -> str:
    if form == "tab":
        return "\t".join(name.replace("\t", " ").replace("\n", " ") for name in (first, last))
    return " ".join(name for name in (first, last) if name)


def _write(apps, schema_editor, form: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WRITE_ON_POSTGRESQL[form])
        return
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
        officers = ComplaintOfficer.objects.using(db).filter(complaint_id__in=ids).order_by("id")
        for rows in (parties, officers):
            for complaint_id, first, last_name in rows.values_list("complaint_id", "first_name", "last_name"):
                if first or last_name:
                    people[complaint_id].append(_line(first, last_name, form))
        Complaint.objects.using(db).bulk_update(
            [Complaint(pk=pk, search_names="\n".join(lines)) for pk, lines in people.items()], ["search_names"]
        )


def with_tabs(apps, schema_editor):
    _write(apps, schema_editor, "tab")


def with_spaces(apps, schema_editor):
    _write(apps, schema_editor, "space")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_complaint_people_next_due_kind"),
    ]

    operations = [migrations.RunPython(with_tabs, with_spaces)]
