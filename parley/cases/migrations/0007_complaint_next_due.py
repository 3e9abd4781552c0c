"""Each complaint keeps its earliest open deadline (``next_due``), so that "my queue", "only overdue"
and "next due date" read a page from an index instead of finding every complaint's earliest deadline
(issue 3: at a million complaints the coordinator's queue read some 15,000 deadlines for a page).

The column is filled from the deadlines in one statement; reversed, it is dropped (the deadlines keep
everything it said). Written by ``parley.cases.deadlines`` from now on."""

from django.db import migrations, models

FILL = """
UPDATE cases_complaint SET next_due = earliest.due_on
FROM (
    SELECT complaint_id, MIN(due_on) AS due_on FROM cases_deadline
    WHERE met_at IS NULL AND NOT cancelled
    GROUP BY complaint_id
) AS earliest
WHERE earliest.complaint_id = cases_complaint.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="next_due",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "next_due", "status_changed_at", "id"], name="complaint_queue"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("next_due__isnull", False)), fields=["next_due", "id"], name="complaint_due"
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=["status", "next_due", "status_changed_at", "id"],
                name="complaint_unacknowledged",
            ),
        ),
    ]
