from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_members(apps, schema_editor):
    """Fill the new counts as CommitteeQuerySet.recount does: seated = seat_end IS NULL; Party = is_party_member."""
    Committee = apps.get_model("committees", "Committee")
    CommitteeMember = apps.get_model("committees", "CommitteeMember")

    def seated(**more):
        members = CommitteeMember.objects.filter(committee=OuterRef("pk"), seat_end__isnull=True, **more).order_by()
        return Coalesce(Subquery(members.values("committee").annotate(n=Count("id")).values("n")), 0)

    Committee.objects.using(schema_editor.connection.alias).order_by().update(
        seated_members=seated(), party_members=seated(is_party_member=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0004_vote_newest"),
    ]

    operations = [
        migrations.AddField(
            model_name="committee",
            name="party_members",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="Party members seated"),
        ),
        migrations.AddField(
            model_name="committee",
            name="seated_members",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="members seated"),
        ),
        migrations.RunPython(count_members, migrations.RunPython.noop),
    ]
