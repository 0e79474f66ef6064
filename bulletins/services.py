"""Every write of the bulletins app: generating a month's bulletin for an area and publishing it.

A bulletin is generated for a finished month only, in Simplified Chinese (the language of the document,
whoever asks for it). Regenerating a draft replaces its content; a published bulletin is never changed.
Publishing is a conditional update (draft → published) checked by row count.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bulletins import selectors
from bulletins.models import Bulletin
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import User
from core.notifications import notify
from ratings import selectors as metrics
from ratings.models import Level

LANGUAGE = "zh-hans"


def area_named(name: str) -> metrics.Area:
    """The district or town called `name` (the management command's argument)."""
    from communities.models import District, Subdistrict

    district = District.objects.filter(name=name).first()
    if district is not None:
        return metrics.Area(Level.DISTRICT, district)
    town = Subdistrict.objects.select_related("district").filter(name=name).first()
    if town is not None:
        return metrics.Area(Level.SUBDISTRICT, town)
    raise ValidationError(_("No district or town is called %(name)s.") % {"name": name}, field="area")


@transaction.atomic
def bulletin_generate(*, area: metrics.Area, month: date, today: date | None = None) -> Bulletin:
    """Compose the bulletin of `area` (the district or a town) for a finished `month` and store it as a draft,
    replacing an earlier draft. Refused for a month not yet finished (400) and for a published bulletin (409)."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if area.level not in (Level.DISTRICT, Level.SUBDISTRICT):
        raise ValidationError(_("Bulletins are made for the district and its towns."), field="area")
    if month >= today.replace(day=1):
        raise ValidationError(_("A bulletin covers a finished month."), field="month")
    tree = area.tree()
    key = {"level": area.level, "district_id": tree["district_id"], "subdistrict_id": tree["subdistrict_id"], "month": month}
    bulletin = Bulletin.objects.select_for_update().filter(**key).first()
    if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
        raise WorkflowError(_("This bulletin has been published and can no longer change."))
    with translation.override(LANGUAGE):
        content = selectors.compose(area, month, today=today)
    if bulletin is None:
        bulletin = Bulletin.objects.create(**key, content=content, generated_at=timezone.now())
    else:
        bulletin.content, bulletin.generated_at = content, timezone.now()
        bulletin.save(update_fields=["content", "generated_at"])
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor: User, bulletin_id: int) -> Bulletin:
    """An official of the area publishes a reviewed draft; officials of the area and below are notified."""
    bulletin = selectors.bulletins_visible_to(actor).filter(pk=bulletin_id).first()
    if bulletin is None:
        raise ScopeError(_("Bulletin not found."))
    if not selectors.may_publish(actor, bulletin):
        raise PermissionDenied(_("Only officials of the bulletin's area publish it."))
    now = timezone.now()
    if not Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT).update(
        status=Bulletin.Status.PUBLISHED, published_by=actor, published_at=now
    ):
        raise WorkflowError(_("This bulletin is already published."))
    bulletin.refresh_from_db()
    notify(
        users=selectors.readers(bulletin).exclude(pk=actor.pk),
        kind="bulletin.published",
        title=_("Monthly bulletin of %(area)s for %(month)s published") % {"area": bulletin.area_name, "month": f"{bulletin.month:%Y-%m}"},
        url=reverse("bulletins:detail", args=[bulletin.pk]),
    )
    return bulletin


def bulletins_generate_last_month(*, today: date | None = None) -> int:
    """The scheduled run: the last finished month's bulletin of every district and town that has none yet
    (drafts already there are left for their reviewers). Returns how many were generated."""
    from communities.models import District, Subdistrict

    today = today or timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    made = 0
    areas = [metrics.Area(Level.DISTRICT, d) for d in District.objects.order_by("id")]
    areas += [metrics.Area(Level.SUBDISTRICT, t) for t in Subdistrict.objects.select_related("district").order_by("id")]
    for area in areas:
        tree = area.tree()
        if Bulletin.objects.filter(
            level=area.level, district_id=tree["district_id"], subdistrict_id=tree["subdistrict_id"], month=month
        ).exists():
            continue
        bulletin_generate(area=area, month=month, today=today)
        made += 1
    return made
