"""Public compound pages: an unguessable public id on every compound (existing rows filled) and the
published flag (off until officials publish a compound's page)."""

import secrets

from django.db import migrations, models

import communities.models


def fill_public_ids(apps, schema_editor):
    Compound = apps.get_model("communities", "Compound")
    rows = list(Compound.objects.filter(public_id__isnull=True).only("pk"))
    for row in rows:
        row.public_id = secrets.token_urlsafe(16)
    Compound.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("communities", "0004_owner_id_digest")]

    operations = [
        migrations.AddField(
            model_name="compound",
            name="public_id",
            field=models.CharField(editable=False, max_length=32, null=True, verbose_name="public page id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="compound",
            name="public_id",
            field=models.CharField(
                default=communities.models.new_public_id, editable=False, max_length=32, unique=True, verbose_name="public page id"
            ),
        ),
        migrations.AddField(
            model_name="compound",
            name="public_page",
            field=models.BooleanField(default=False, verbose_name="public page published"),
        ),
    ]
