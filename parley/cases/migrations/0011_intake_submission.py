"""The intake form's token (one per form shown), beside the complaint it made: the same form sent
twice finds that complaint instead of making a second one. A table of its own, so that the complaints'
table is not rewritten or locked by this migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_complaint_search_names_db_default"),
    ]

    operations = [
        migrations.CreateModel(
            name="IntakeSubmission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.UUIDField(unique=True)),
                (
                    "complaint",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="intake_submission",
                        to="cases.complaint",
                    ),
                ),
            ],
        ),
    ]
