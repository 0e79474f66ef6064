"""Admin for the ratings app. Snapshots and runs are read-only: only the engine writes them."""

from django.contrib import admin

from ratings import models


@admin.register(models.SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "period_start", "period_end", "month", "status")
    list_filter = ("level", "status")
    search_fields = ("title",)
    raw_id_fields = ("district", "subdistrict", "community", "compound", "created_by")


@admin.register(models.SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("round", "compound", "unit", "overall", "source", "created_at")
    list_filter = ("overall", "source", "round")
    search_fields = ("compound__name", "unit__building", "unit__room")
    raw_id_fields = ("round", "unit", "compound", "respondent")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("level", "area_id", "month", "households", "complaints", "complaint_ratio", "satisfaction_rate", "computed_at")
    list_filter = ("level", "month")
    search_fields = ("area_id",)


@admin.register(models.MetricRun)
class MetricRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "started_at", "duration_ms", "touched", "month_from", "month_to")
    list_filter = ("kind",)


class StarRatingInline(admin.TabularInline):
    model = models.StarRating
    extra = 0
    fields = (
        "compound",
        "satisfaction_rate",
        "inspection_score",
        "complaint_ratio",
        "rectification_rate",
        "score",
        "proposed_stars",
        "stars",
        "reason",
    )
    readonly_fields = (
        "compound",
        "satisfaction_rate",
        "inspection_score",
        "complaint_ratio",
        "rectification_rate",
        "score",
        "proposed_stars",
    )
    can_delete = False


@admin.register(models.StarRatingRound)
class StarRatingRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "district", "month_from", "month_to", "status", "published_at")
    list_filter = ("status", "district")
    search_fields = ("title",)
    readonly_fields = ("status", "published_at", "published_by", "created_by")
    inlines = [StarRatingInline]


@admin.register(models.Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "district", "direction", "baseline", "target", "month_from", "month_to")
    list_filter = ("district", "direction")
    search_fields = ("note",)


# Company evaluations are decided through the portal and the services (each decision writes its audit
# event), so the admin shows them read-only.
class CompanyEvaluationInline(admin.TabularInline):
    model = models.CompanyEvaluation
    extra = 0
    fields = ("company", "compound_count", "computed_score", "score", "reason", "rank", "board", "confirmed_by", "confirmed_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "district", "month_from", "month_to", "status", "published_at")
    list_filter = ("status", "district")
    search_fields = ("title",)
    inlines = [CompanyEvaluationInline]


@admin.register(models.CompanyEvaluation)
class CompanyEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("company", "round", "rank", "computed_score", "score", "board", "confirmed_at")
    list_filter = ("round", "board")
    search_fields = ("company__name", "reason")


@admin.register(models.EvaluationEvent)
class EvaluationEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "round", "company", "kind", "actor", "score_from", "score_to", "note")
    list_filter = ("kind", "round")
    search_fields = ("company__name", "note")
