"""The auditor finds a person's entries by their username whatever its case ("Intake" for intake): the
username's index, made by 0003, is made again of the upper-cased name, as the lookup compares it."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_auditor_lookups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_entry_username",
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                django.db.models.functions.text.Upper("actor_username"),
                models.F("created_at"),
                models.F("id"),
                name="audit_entry_username_upper",
            ),
        ),
    ]
