"""Encrypt the contact data already stored in cases_party, and fill its blind indexes.

The column changes come first; then every stored value is encrypted in place under the first key of
FIELD_ENCRYPTION_KEYS. Reversing decrypts every value (so the keys must still be set) before the
columns return to their plain types.
"""

from django.db import migrations

import parley.crypto

TABLE = parley.crypto.EncryptedColumns(
    table="cases_party",
    columns=["email", "phone", "address", "date_of_birth"],
    indexes={"email_index": ("email", "email"), "phone_index": ("phone", "phone")},
)


def encrypt_stored(apps, schema_editor):
    def encrypt(value):
        return value if value.startswith(parley.crypto.PREFIX) else parley.crypto.encrypt(value)

    def plaintext(old, new):
        return parley.crypto.decrypt(old) if old.startswith(parley.crypto.PREFIX) else old

    parley.crypto.rewrite_columns(schema_editor.connection, TABLE, encrypt, plaintext=plaintext)
    checks_now(schema_editor)


def decrypt_stored(apps, schema_editor):
    plain = parley.crypto.EncryptedColumns(table=TABLE.table, columns=TABLE.columns)  # the indexes are dropped next

    def decrypt(value):
        return parley.crypto.decrypt(value) if value.startswith(parley.crypto.PREFIX) else value

    parley.crypto.rewrite_columns(schema_editor.connection, plain, decrypt, plaintext=lambda old, new: new)
    checks_now(schema_editor)


def checks_now(schema_editor):
    """PostgreSQL refuses the schema changes that follow the updates (the column types going back, the
    indexes Django creates at the end of the migration) while their foreign-key checks are pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="email_index",
            field=parley.crypto.BlindIndexField(kind="email", source="email"),
        ),
        migrations.AddField(
            model_name="party",
            name="phone_index",
            field=parley.crypto.BlindIndexField(kind="phone", source="phone"),
        ),
        migrations.AlterField(
            model_name="party",
            name="address",
            field=parley.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="party",
            name="date_of_birth",
            field=parley.crypto.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="party",
            name="email",
            field=parley.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="party",
            name="phone",
            field=parley.crypto.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_stored, decrypt_stored, elidable=False),
    ]
