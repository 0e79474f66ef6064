"""PostgreSQL only (SQLite skips this): a trigram index for the Chinese description search, and a
trigger that makes complaint events append-only.

Events are never edited (SPEC §4.1): an UPDATE of complaints_complaintevent raises. Deleting a
complaint still removes its events (the admin forbids deleting complaints; tests truncate).

The search index:

The queue's `q` filter is `description__icontains`, which Django renders on PostgreSQL as
`UPPER(description) LIKE UPPER('%…%')`; the index is on that same expression. Measured on this
database (C.UTF-8, where pg_trgm makes trigrams of Chinese characters) over 315,750 rows: 3+
character searches fell from about 600 ms to 0.5–40 ms; 2-character searches (e.g. 漏水) have no
trigram to look up and stay a sequential scan (about 500 ms), unharmed. SQLite skips this.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS complaint_description_trgm ON complaints_complaint USING gin (UPPER(description) gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION complaint_event_no_update() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'complaint events are append-only (event %)', OLD.id USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS complaint_event_append_only ON complaints_complaintevent",
    """
    CREATE TRIGGER complaint_event_append_only BEFORE UPDATE ON complaints_complaintevent
    FOR EACH ROW EXECUTE FUNCTION complaint_event_no_update()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS complaint_event_append_only ON complaints_complaintevent",
    "DROP FUNCTION IF EXISTS complaint_event_no_update()",
    "DROP INDEX IF EXISTS complaint_description_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # A plain cursor: without parameters the driver leaves plpgsql's `%` placeholders alone.
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_seed_categories")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
