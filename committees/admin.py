"""Admin for committees, votes and ballots. Ballots are read-only here: they change only through services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from committees import models


class MemberInline(admin.TabularInline):
    model = models.CommitteeMember
    extra = 0
    fields = (
        "name",
        "role",
        "is_party_member",
        "is_retired_cadre",
        "is_deputy",
        "is_model_worker",
        "in_party_branch",
        "in_property_team",
        "seat_start",
        "seat_end",
    )


@admin.register(models.Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ("compound", "status", "term_start", "term_end", "filed_on")
    list_filter = ("status", "compound__community__subdistrict")
    search_fields = ("compound__name",)
    raw_id_fields = ("compound", "election")
    inlines = [MemberInline]


@admin.register(models.CommitteeMember)
class CommitteeMemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "committee", "role", "is_party_member", "seat_start", "seat_end")
    list_filter = ("role", "is_party_member", "is_retired_cadre", "in_party_branch", "in_property_team")
    search_fields = ("name", "committee__compound__name")
    raw_id_fields = ("committee", "owner", "user", "candidate")


@admin.register(models.Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("name", "compound", "source", "vetting", "vote")
    list_filter = ("source", "vetting", "is_party_member")
    search_fields = ("name", "compound__name")
    raw_id_fields = ("compound", "vote", "owner", "vetted_by")


@admin.register(models.Vote)
class VoteAdmin(SimpleHistoryAdmin):
    list_display = ("title", "compound", "matter", "status", "opens_at", "closes_at")
    list_filter = ("matter", "status")
    search_fields = ("title", "compound__name")
    raw_id_fields = ("compound", "created_by", "certified_by")
    readonly_fields = ("result", "published_at", "certified_at", "certified_by")


@admin.register(models.Ballot)
class BallotAdmin(SimpleHistoryAdmin):
    list_display = ("vote", "entry", "owner", "channel", "choice", "status", "cast_at")
    list_filter = ("channel", "status", "choice")
    search_fields = ("vote__title", "owner__name")
    readonly_fields = [f.name for f in models.Ballot._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
