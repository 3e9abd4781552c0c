"""The search's copy of the names gets a default in the database itself. Migration 0009 gave it a
default in Django only, so code older than 0009, still running while a deployment migrates, left the
column out of its INSERTs and could take in no complaint until the new code started. Now such a
complaint is taken in with an empty copy, which ``manage.py refresh_search_names`` completes. On
PostgreSQL this changes the column's default only.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_complaint_search_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="search_names",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
    ]
