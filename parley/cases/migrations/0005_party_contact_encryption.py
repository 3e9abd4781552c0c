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


# the plain columns' lengths: reversing refuses to cut a longer value short (PostgreSQL would, silently)
PLAIN_LIMITS = {"email": 254, "phone": 40, "address": 300}


def _plain(value):
    return parley.crypto.decrypt(value) if value.startswith(parley.crypto.PREFIX) else value


def decrypt_stored(apps, schema_editor):
    connection = schema_editor.connection
    plain = parley.crypto.EncryptedColumns(table=TABLE.table, columns=TABLE.columns)  # the indexes are dropped next
    for rows in parley.crypto.read_batches(connection, plain, 2000):
        for pk, *values in rows:
            for column, value in zip(plain.columns, values):
                limit = PLAIN_LIMITS.get(column)
                if limit and value and len(_plain(value)) > limit:
                    raise RuntimeError(
                        f"cases_party row {pk}: its {column} is longer than the {limit} characters the plain column "
                        "holds. Shorten it before reversing this migration."
                    )
    parley.crypto.rewrite_columns(connection, plain, _plain, plaintext=lambda old, new: new)
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
