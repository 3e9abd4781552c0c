"""Indexes for the auditor's lookups (by username, by object, newest first) in place of two the trail
never used: the object's type with its id (no lookup names the type first) and the actor alone (the
actor's index with the time serves it). And, on PostgreSQL, without the pattern index Django makes
for every unique text column: the hash is only ever matched whole. Each insert of an entry (one per
request) kept all of them up to date."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _hash_like_index(schema_editor) -> str:
    return schema_editor._create_index_name("audit_auditentry", ["hash"], suffix="_like")


def drop_hash_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_hash_like_index(schema_editor))}")


def create_hash_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        name = schema_editor.quote_name(_hash_like_index(schema_editor))
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON audit_auditentry (hash varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_audit_object__3eefc4_idx",
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["actor_username", "created_at", "id"], name="audit_entry_username"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["object_id", "created_at", "id"], name="audit_entry_object"),
        ),
        migrations.RunPython(drop_hash_like_index, create_hash_like_index),
    ]
