from django.contrib import admin

from .models import AuditEntry, DemonstrationSite, Town, TownStaff, Village


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "town"]
    list_filter = ["kind", "town"]
    list_select_related = ["town"]
    search_fields = ["code", "name", "town__name"]


@admin.register(DemonstrationSite)
class DemonstrationSiteAdmin(admin.ModelAdmin):
    list_display = ["village", "year_designated", "investment"]
    list_filter = ["year_designated", "village__town"]
    list_select_related = ["village__town"]
    search_fields = ["village__name", "village__code"]
    autocomplete_fields = ["village"]


@admin.register(TownStaff)
class TownStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "town"]
    list_filter = ["town"]
    list_select_related = ["user", "town"]
    search_fields = ["user__username", "user__first_name", "town__name"]
    autocomplete_fields = ["user", "town"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit trail that can be edited proves nothing."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "town"]
    list_filter = ["action", "object_type", "town"]
    list_select_related = ["actor", "town"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
