from django.contrib import admin

from summons.models import Commitment, Evidence, Summons


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["order", "text", "deadline", "status", "done_on"]
    readonly_fields = ["status", "done_on"]


@admin.register(Summons)
class SummonsAdmin(admin.ModelAdmin):
    list_display = ["number", "held_on", "subject", "company", "subdistrict", "status"]
    list_filter = ["status", "subject", "subdistrict"]
    search_fields = ["number", "company__name", "reason"]
    date_hierarchy = "held_on"
    raw_id_fields = ["complaints", "rectification_lists", "recorded_by"]
    inlines = [CommitmentInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["summons", "order", "deadline", "status", "done_on"]
    list_filter = ["status"]
    search_fields = ["summons__number", "text"]
    raw_id_fields = ["summons", "answered_by", "reviewed_by"]
    inlines = [EvidenceInline]
