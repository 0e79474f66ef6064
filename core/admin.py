from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.models import ExportJob, ExportLog, Notification

admin.site.site_header = _("Linli data administration")
admin.site.site_title = _("Linli administration")
admin.site.index_title = _("Data stewardship")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the workflows and are the e-mail outbox."""

    list_display = ("created_at", "user", "kind", "title", "email_status", "read_at")
    list_filter = ("kind", "email_status", "created_at")
    search_fields = ("title", "user__username", "user__display_name")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only: the export log is append-only evidence of who took personal data out."""

    list_display = ("at", "username", "what", "rows", "ip_address")
    list_filter = ("what",)
    search_fields = ("username", "what")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only, and no file link: an export's file is its requester's alone (the portal's /downloads/)."""

    list_display = ("created_at", "owner", "kind", "format", "status", "rows_done", "expires_at")
    list_filter = ("kind", "status", "format")
    search_fields = ("owner__username",)
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
    exclude = ("file",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
