from django.contrib import admin

from bulletins.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["month", "level", "district", "subdistrict", "status", "generated_at", "published_at"]
    list_filter = ["status", "level", "month"]
    readonly_fields = ["content", "generated_at", "published_by", "published_at"]

    def has_change_permission(self, request, obj=None):
        # A published bulletin is the record of what was said; it never changes.
        return super().has_change_permission(request, obj) and not (obj and obj.status == Bulletin.Status.PUBLISHED)
