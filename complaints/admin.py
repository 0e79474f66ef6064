"""Admin: categories (deadlines), complaints read-only (changes go through the services), Open311 clients."""

import secrets

from django.contrib import admin

from complaints import models


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "code", "group", "accept_hours", "resolve_days", "is_urgent", "is_target", "is_active", "sort_order")
    list_filter = ("group", "is_urgent", "is_target", "is_active")
    list_editable = ("accept_hours", "resolve_days", "is_active", "sort_order")
    search_fields = ("name_zh", "name_en", "code", "keywords")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = models.ComplaintEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = models.ComplaintPhoto
    fields = ("stage", "image", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class SupporterInline(ReadOnlyInline):
    model = models.ComplaintSupporter
    fields = ("created_at", "channel", "user", "name", "phone", "recorded_by")
    readonly_fields = fields


@admin.register(models.Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: every change of a work order goes through complaints.services, so it leaves an event."""

    list_display = ("number", "made_at", "compound", "category", "channel", "status", "is_overdue", "assignee", "supporter_count", "rating")
    list_filter = ("status", "channel", "is_overdue", "supervised", "category", "compound__community__subdistrict")
    search_fields = ("number", "description", "hotline_ticket", "compound__name")
    date_hierarchy = "made_at"
    list_select_related = ("compound", "category", "assigned_company", "assigned_community")
    inlines = [EventInline, PhotoInline, SupporterInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)

    def get_changeform_initial_data(self, request):
        # Officials issue keys here; offer a strong random one.
        return {**super().get_changeform_initial_data(request), "api_key": secrets.token_urlsafe(32)}


# --- 12345 imports (complaints-io): read-only; uploads go through the portal or the API -----------
class HotlineRowInline(ReadOnlyInline):
    model = models.HotlineImportRow
    fields = ("row_number", "ticket", "outcome", "reason", "complaint")
    readonly_fields = fields


@admin.register(models.HotlineImport)
class HotlineImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "uploaded_by", "created_at", "status", "total_rows", "imported", "duplicates", "refused")
    list_filter = ("status",)
    search_fields = ("original_name", "rows__ticket")
    inlines = [HotlineRowInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
