"""The audit table refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) at the database level."""
from django.db import migrations

TABLE = "station_auditevent"

SQLITE = [
    f"CREATE TRIGGER station_audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;",
    f"CREATE TRIGGER station_audit_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;",
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS station_audit_no_update;", "DROP TRIGGER IF EXISTS station_audit_no_delete;"]

POSTGRES = [
    "CREATE OR REPLACE FUNCTION station_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'the audit log is append-only: ' || TG_OP || ' refused'; END; $$;",
    f"CREATE TRIGGER station_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION station_audit_append_only();",
    f"CREATE TRIGGER station_audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION station_audit_append_only();",
]
POSTGRES_UNDO = [f"DROP TRIGGER IF EXISTS station_audit_no_change ON {TABLE};",
                 f"DROP TRIGGER IF EXISTS station_audit_no_truncate ON {TABLE};",
                 "DROP FUNCTION IF EXISTS station_audit_append_only();"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("station", "0001_initial")]
    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO})),
    ]
