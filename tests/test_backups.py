"""make backup / make restore: a real pg_dump of the test database restored into a scratch database."""

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from core.backups import Target
from core.models import ExportLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_db():
    source = Target.from_connection()
    name = f"linli_restore_{uuid.uuid4().hex[:10]}"
    target = Target(source.host, source.port, source.user, source.password, name)
    yield target
    with psycopg.connect(
        host=source.host or None,
        port=source.port or None,
        user=source.user or None,
        password=source.password or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_scratch_database_finds_the_data(tmp_path, scratch_db, capsys):
    canary = f"backup-canary-{uuid.uuid4().hex}"
    ExportLog.objects.create(username="district", what=canary, rows=7, params={"compound": 1})

    call_command("backup_db", dir=str(tmp_path))
    dumps = list(tmp_path.glob("linli-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 0
    assert dumps[0].name.startswith(f"linli-{connection.settings_dict['NAME']}-")

    url = f"postgres://{scratch_db.user}@{scratch_db.host}:{scratch_db.port}/{scratch_db.name}"
    call_command("restore_db", str(dumps[0]), target_url=url, create=True)

    with psycopg.connect(
        host=scratch_db.host or None,
        port=scratch_db.port or None,
        user=scratch_db.user or None,
        password=scratch_db.password or None,
        dbname=scratch_db.name,
    ) as conn:
        rows = conn.execute("SELECT username, rows, params FROM core_exportlog WHERE what = %s", [canary]).fetchall()
        migrations = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert rows == [("district", 7, {"compound": 1})]
    assert migrations > 0


def test_restore_into_an_existing_database_needs_confirmation(tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "x.dump").write_bytes(b"not really")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_db", str(tmp_path / "x.dump"))
