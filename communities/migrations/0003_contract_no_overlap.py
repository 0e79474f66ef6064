"""On PostgreSQL, forbid two management contracts of one compound whose periods overlap.

The model keeps a portable partial unique index (one open-ended contract per compound); this adds
the complete rule where the database can express it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE communities_managementcontract
  ADD CONSTRAINT contract_no_overlap
  EXCLUDE USING gist (compound_id WITH =, daterange(start, "end", '[]') WITH &&);
"""
DROP = "ALTER TABLE communities_managementcontract DROP CONSTRAINT IF EXISTS contract_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("communities", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
