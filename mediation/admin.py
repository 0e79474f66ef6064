from django.contrib import admin

from mediation import models


@admin.register(models.Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "compound", "community", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "address", "compound__name", "community__name")
    raw_id_fields = ("compound",)


@admin.register(models.DeliberationRule)
class DeliberationRuleAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "frequency", "weekday", "positions", "interval", "start_date", "is_active")
    list_filter = ("frequency", "is_active")
    search_fields = ("title", "compound__name")
    raw_id_fields = ("compound", "venue")


class AttendeeInline(admin.TabularInline):
    model = models.Attendee
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = models.ActionItem
    extra = 0
    raw_id_fields = ("topic",)


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "compound", "starts_at", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "compound__name")
    date_hierarchy = "starts_at"
    raw_id_fields = ("compound", "venue", "rule", "recorded_by")
    inlines = [AttendeeInline, ActionItemInline]


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "meeting", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "compound__name")
    raw_id_fields = ("compound", "meeting", "merged_into", "proposed_by", "decided_by")


@admin.register(models.ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "owner_name", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("title", "owner_name")
    raw_id_fields = ("meeting", "topic")


class PartyInline(admin.TabularInline):
    model = models.DisputeParty
    extra = 0
    raw_id_fields = ("unit",)


class MediatorInline(admin.TabularInline):
    model = models.CaseMediator
    extra = 0
    raw_id_fields = ("liaison",)


class SessionInline(admin.TabularInline):
    model = models.MediationSession
    extra = 0
    raw_id_fields = ("venue", "recorded_by")


@admin.register(models.DisputeCase)
class DisputeCaseAdmin(admin.ModelAdmin):
    list_display = ("summary", "type", "source", "compound", "registered_on", "status", "outcome")
    list_filter = ("type", "source", "status", "outcome")
    search_fields = ("summary", "compound__name", "parties__name")
    date_hierarchy = "registered_on"
    raw_id_fields = ("compound", "complaint", "meeting", "screening", "registered_by")
    inlines = [PartyInline, MediatorInline, SessionInline]


@admin.register(models.LegalLiaison)
class LegalLiaisonAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "organisation")
    raw_id_fields = ("user",)
    filter_horizontal = ("compounds",)


@admin.register(models.LegalConsultation)
class LegalConsultationAdmin(admin.ModelAdmin):
    list_display = ("question", "compound", "liaison", "given_on", "is_major")
    list_filter = ("is_major",)
    search_fields = ("question", "compound__name")
    date_hierarchy = "given_on"
    raw_id_fields = ("compound", "liaison")


@admin.register(models.PoliceCase)
class PoliceCaseAdmin(admin.ModelAdmin):
    list_display = ("summary", "compound", "liaison", "solved_on")
    search_fields = ("summary", "compound__name")
    raw_id_fields = ("compound", "liaison")


class HazardInline(admin.TabularInline):
    model = models.Hazard
    extra = 0
    raw_id_fields = ("compound",)


@admin.register(models.Screening)
class ScreeningAdmin(admin.ModelAdmin):
    list_display = ("subdistrict", "workstation", "held_on")
    list_filter = ("subdistrict",)
    date_hierarchy = "held_on"
    raw_id_fields = ("workstation", "recorded_by")
    filter_horizontal = ("compounds",)
    inlines = [HazardInline]


@admin.register(models.Hazard)
class HazardAdmin(admin.ModelAdmin):
    list_display = ("description", "compound", "severity", "status", "handled_on")
    list_filter = ("severity", "status")
    search_fields = ("description", "compound__name")
    raw_id_fields = ("screening", "compound")
