from django.contrib import admin

from core.models import ExportLog, Notification


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only: the export log is append-only evidence of who took personal data out."""

    list_display = ["at", "username", "what", "rows", "ip_address"]
    list_filter = ["what"]
    search_fields = ["username", "what"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "email_status", "email_attempts"]
    list_filter = ["email_status", "kind"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user"]
