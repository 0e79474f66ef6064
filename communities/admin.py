from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from communities import models
from core.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("display_name", "phone")}))
    list_display = ("username", "display_name", "phone", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone", "email")


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


@admin.register(models.Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "district")
    list_filter = ("kind", "district")
    search_fields = ("name",)


@admin.register(models.Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "subdistrict")
    list_filter = ("subdistrict",)
    search_fields = ("name",)


class ContractInline(admin.TabularInline):
    model = models.ManagementContract
    extra = 0
    autocomplete_fields = ("company",)


@admin.register(models.Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "household_count", "is_old", "has_party_branch", "published_stars", "is_active")
    list_select_related = ("community",)
    list_filter = ("community__subdistrict", "is_old", "has_party_branch", "committee_eligible", "is_active")
    search_fields = ("name", "aliases", "address")
    autocomplete_fields = ("community",)
    inlines = [ContractInline]


@admin.register(models.PropertyCompany)
class PropertyCompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "contact_person", "contact_phone")
    search_fields = ("name", "credit_code")


@admin.register(models.ManagementContract)
class ManagementContractAdmin(admin.ModelAdmin):
    list_display = ("compound", "company", "start", "end")
    list_filter = ("company",)
    search_fields = ("compound__name", "company__name")
    autocomplete_fields = ("compound", "company")


class OwnershipInline(admin.TabularInline):
    model = models.Ownership
    extra = 0
    autocomplete_fields = ("owner",)


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("__str__", "compound", "kind", "area", "is_developer_unsold")
    list_select_related = ("compound",)
    list_filter = ("kind", "is_developer_unsold", "compound__community__subdistrict")
    search_fields = ("compound__name", "building", "room")
    autocomplete_fields = ("compound",)
    inlines = [OwnershipInline]


@admin.register(models.Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ("name", "is_developer", "user")
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)
    list_filter = ("is_developer",)


@admin.register(models.OwnershipClaim)
class OwnershipClaimAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "owner_name", "status", "created_at", "decided_by")
    list_filter = ("status", "unit__compound__community__subdistrict")
    search_fields = ("owner_name", "user__username", "user__display_name", "unit__compound__name")
    raw_id_fields = ("user", "unit", "decided_by")
    list_select_related = ("user", "unit__compound", "decided_by")


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope", "is_admin", "is_active")
    list_filter = ("role", "is_active", "is_admin")
    list_select_related = ("user", "district", "subdistrict", "community", "compound", "company")
    search_fields = ("user__username", "user__display_name")
    raw_id_fields = ("user", "district", "subdistrict", "community", "compound", "company")

    @admin.display(description=_("scope"))
    def scope(self, obj: models.RoleAssignment) -> str:
        return obj.scope_label
