"""The complaint number is filled in by the database as the row is inserted (no UPDATE afterwards).

"TS" + the Asia/Shanghai date of `made_at` + the id, zero-padded to at least 6 digits — the format the service
used to write in a second statement. A BEFORE INSERT trigger sees the id the identity column just
drew, and RETURNING hands the number back to Django (the field has a db_default, so Django asks for
it). Rows inserted with a number of their own (imports, demo data, factories) keep it.
On databases other than PostgreSQL the service falls back to an UPDATE.
"""

from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION complaints_complaint_number() RETURNS trigger AS $$
BEGIN
    IF NEW.number IS NULL OR NEW.number = '' THEN
        NEW.number := 'TS' || to_char(NEW.made_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(NEW.id::text, greatest(6, length(NEW.id::text)), '0');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_complaint_number BEFORE INSERT ON complaints_complaint
    FOR EACH ROW EXECUTE FUNCTION complaints_complaint_number();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS complaints_complaint_number ON complaints_complaint;
DROP FUNCTION IF EXISTS complaints_complaint_number();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_postgres_search_index_and_append_only_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="number",
            field=models.CharField(db_default="", max_length=24, unique=True, verbose_name="number"),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
