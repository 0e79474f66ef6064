from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import (
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionScore,
    RectificationItem,
    RectificationList,
    RectificationReport,
    ReportAction,
)


class ChecklistAreaInline(admin.TabularInline):
    model = ChecklistArea
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "created_at"]
    list_filter = ["is_current"]
    search_fields = ["name"]
    inlines = [ChecklistAreaInline]

    def has_change_permission(self, request, obj=None):
        # A version used by an inspection is immutable; publish a new version instead.
        return super().has_change_permission(request, obj) and not (obj and obj.is_used)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "max_score", "area", "template"]
    list_filter = ["template", "area__name"]
    search_fields = ["code", "description"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.template.is_used)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.template.is_used)


class ScoreInline(admin.TabularInline):
    model = InspectionScore
    extra = 0
    readonly_fields = ["item", "score", "max_score", "note"]
    can_delete = False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["item", "severity", "description", "location"]
    readonly_fields = fields
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["compound", "inspected_on", "status", "percentage", "company"]
    list_filter = ["status", "compound__community__subdistrict"]
    search_fields = ["compound__name"]
    date_hierarchy = "inspected_on"
    raw_id_fields = ["compound", "recorded_by", "company"]
    filter_horizontal = ["inspectors"]
    readonly_fields = ["status", "total_score", "max_total", "percentage", "submitted_at", "template"]
    inlines = [ScoreInline, FindingInline]

    def has_change_permission(self, request, obj=None):
        # A submitted inspection is read-only everywhere, the admin included.
        return super().has_change_permission(request, obj) and not (obj and obj.status == Inspection.Status.SUBMITTED)


class RectificationItemInline(admin.TabularInline):
    model = RectificationItem
    extra = 0
    raw_id_fields = ["finding", "complaint"]


@admin.register(RectificationList)
class RectificationListAdmin(SimpleHistoryAdmin):
    list_display = ["number", "compound", "company", "deadline", "status", "accepted_on"]
    list_filter = ["status", "company", "compound__community__subdistrict"]
    search_fields = ["number", "compound__name", "company__name"]
    date_hierarchy = "deadline"
    raw_id_fields = ["inspection", "compound", "company", "issued_by"]
    readonly_fields = ["status", "accepted_at", "accepted_on", "reminder_sent_at", "overdue_alerted_at", "round_count"]
    inlines = [RectificationItemInline]


class ReportActionInline(admin.TabularInline):
    model = ReportAction
    extra = 0
    raw_id_fields = ["item"]


@admin.register(RectificationReport)
class RectificationReportAdmin(SimpleHistoryAdmin):
    list_display = ["rectification_list", "round", "decision", "submitted_at", "reviewed_at"]
    list_filter = ["decision"]
    search_fields = ["rectification_list__number"]
    raw_id_fields = ["rectification_list", "submitted_by", "reviewed_by"]
    readonly_fields = ["decision", "reviewed_by", "reviewed_at"]
    inlines = [ReportActionInline]
