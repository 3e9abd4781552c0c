"""Make the audit trail and the complaint event log append-only in the database itself (PostgreSQL).

UPDATE and DELETE are refused by a trigger. The one exception is retention: inside a transaction that
set ``parley.redaction = 'on'``, an UPDATE may blank personal data (an audit entry's detail, an
event's reason and data) while every other column stays as it was.
"""

from django.db import migrations

REFUSE = """
    RAISE EXCEPTION 'parley: % on % is refused: this table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
"""
# One function per table: PL/pgSQL resolves every NEW.column of a function, so they cannot share one.
FUNCTIONS = {
    "audit_auditentry": """
CREATE OR REPLACE FUNCTION parley_append_only_audit() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('parley.redaction', true) = 'on'
       AND (NEW.id, NEW.created_at, NEW.actor_id, NEW.actor_username, NEW.actor_role, NEW.ip_address,
            NEW.user_agent, NEW.action, NEW.object_type, NEW.object_id, NEW.detail_digest, NEW.prev_hash, NEW.hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.actor_id, OLD.actor_username, OLD.actor_role, OLD.ip_address,
            OLD.user_agent, OLD.action, OLD.object_type, OLD.object_id, OLD.detail_digest, OLD.prev_hash, OLD.hash)
    THEN
        RETURN NEW;
    END IF;
"""
    + REFUSE
    + """
END;
$$ LANGUAGE plpgsql;
""",
    "cases_complaintevent": """
CREATE OR REPLACE FUNCTION parley_append_only_event() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('parley.redaction', true) = 'on'
       AND (NEW.id, NEW.complaint_id, NEW.action, NEW.from_status, NEW.to_status, NEW.actor_id, NEW.actor_role,
            NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.complaint_id, OLD.action, OLD.from_status, OLD.to_status, OLD.actor_id, OLD.actor_role,
            OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
"""
    + REFUSE
    + """
END;
$$ LANGUAGE plpgsql;
""",
}
FUNCTION_NAMES = {"audit_auditentry": "parley_append_only_audit", "cases_complaintevent": "parley_append_only_event"}
TABLES = ["audit_auditentry", "cases_complaintevent"]


def forwards(apps, schema_editor):
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditHead.objects.get_or_create(id=1, defaults={"last_hash": "0" * 64})
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(FUNCTIONS[table], params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION_NAMES[table]}()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION_NAMES[table]}()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
