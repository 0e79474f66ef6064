"""The monthly bulletin (月度通报) of an area (the district or a town) for one finished month.

Generated as a draft from the snapshots and the domain tables (`bulletins.selectors.compose`), its
figures kept in `content` so a published bulletin reads the same forever; an official of the area
reviews and publishes it. A draft may be regenerated (after a metrics recompute); a published one not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import District, Subdistrict


class Bulletin(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("district")
        SUBDISTRICT = "subdistrict", _("town / subdistrict")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("bulletin status", "draft")
        PUBLISHED = "published", pgettext_lazy("bulletin status", "published")

    level = models.CharField(_("area level"), max_length=12, choices=Level.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town / subdistrict")
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(pgettext_lazy("bulletin", "content"), default=dict)
    generated_at = models.DateTimeField(_("generated at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly bulletin")
        verbose_name_plural = _("monthly bulletins")
        ordering = ["-month", "level", "subdistrict_id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], condition=Q(level="district"), name="bulletin_one_per_district_month"),
            models.UniqueConstraint(fields=["subdistrict", "month"], condition=Q(level="subdistrict"), name="bulletin_one_per_town_month"),
            models.CheckConstraint(
                condition=Q(level="district", subdistrict__isnull=True) | Q(level="subdistrict", subdistrict__isnull=False),
                name="bulletin_area_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True) | Q(status="published", published_at__isnull=False),
                name="bulletin_published_has_time",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="bulletin_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.month:%Y-%m}"

    @property
    def area_name(self) -> str:
        return self.subdistrict.name if self.subdistrict_id else self.district.name

    @property
    def area_id(self) -> int:
        return self.subdistrict_id or self.district_id
