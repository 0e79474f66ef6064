"""Keep each committee's stored member counts (Committee.seated_members, party_members) right.

Every CommitteeMember written or deleted through the ORM one at a time recounts its committee (and the committee
it left, if it moved). Writers that bypass signals — bulk_create, queryset.update(), raw SQL (committees.demo,
ratings' seed_scale) — call `Committee.objects.filter(...).recount()` themselves."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save


def _recount(*ids: int | None) -> None:
    from committees.models import Committee

    wanted = {pk for pk in ids if pk is not None}
    if wanted:
        Committee.objects.filter(pk__in=wanted).recount()


def member_moving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember the committee a saved member sat on, when the save may move it to another."""
    instance._committee_before = None
    if instance.pk is not None and not instance._state.adding and (update_fields is None or "committee" in update_fields):
        instance._committee_before = sender._default_manager.filter(pk=instance.pk).values_list("committee_id", flat=True).first()


def member_saved(sender, instance, **kwargs) -> None:
    before = getattr(instance, "_committee_before", None)
    _recount(instance.committee_id, before if before != instance.committee_id else None)


def member_deleted(sender, instance, **kwargs) -> None:
    _recount(instance.committee_id)


def connect() -> None:
    from committees.models import CommitteeMember

    pre_save.connect(member_moving, sender=CommitteeMember, dispatch_uid="committees.member_moving")
    post_save.connect(member_saved, sender=CommitteeMember, dispatch_uid="committees.member_saved")
    post_delete.connect(member_deleted, sender=CommitteeMember, dispatch_uid="committees.member_deleted")
