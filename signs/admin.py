from django.contrib import admin

from villages.admin import AuditedAdmin

from .models import (
    ApprovedItem,
    BookCopy,
    Department,
    ImportBatch,
    LedgerLayout,
    LedgerWord,
    Removal,
    Signboard,
    Standard,
)
from .tallies import copy_sign_fields, refresh_village_tallies


class ApprovedItemInline(admin.TabularInline):
    model = ApprovedItem
    extra = 0


@admin.register(Standard)
class StandardAdmin(AuditedAdmin):
    list_display = ["title", "year", "effective_on", "is_current"]
    list_filter = ["is_current", "year"]
    search_fields = ["title"]
    inlines = [ApprovedItemInline]


@admin.register(ApprovedItem)
class ApprovedItemAdmin(AuditedAdmin):
    """City administrators write each item's text and its 主管部门 here (audited)."""

    list_display = ["number", "title", "kind", "department", "standard"]
    list_filter = ["standard", "kind", "department"]
    list_select_related = ["standard", "department"]
    search_fields = ["title", "body"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    # A department named by items or signs is protected: the admin lists them and refuses.
    list_display = ["name", "order"]
    list_filter = ["items__standard"]
    search_fields = ["name"]


@admin.register(BookCopy)
class BookCopyAdmin(AuditedAdmin):
    list_display = ["number", "village", "town", "handed_over_on", "received_by", "standard"]
    list_filter = ["standard", "town", "village__town"]
    list_select_related = ["standard", "village", "town"]
    search_fields = ["village__name", "town__name", "received_by"]
    autocomplete_fields = ["village"]


@admin.register(LedgerLayout)
class LedgerLayoutAdmin(AuditedAdmin):
    """A township's saved ledger layouts: delete a wrong one and its next file is asked again."""

    list_display = ["town", "headers", "created_by", "created_at"]
    list_filter = ["town"]
    list_select_related = ["town", "created_by"]
    search_fields = ["town__name", "fingerprint"]
    readonly_fields = ["fingerprint", "created_by", "created_at"]


@admin.register(LedgerWord)
class LedgerWordAdmin(AuditedAdmin):
    list_display = ["word", "field", "value", "town", "created_by"]
    list_filter = ["field", "town"]
    list_select_related = ["town", "created_by"]
    search_fields = ["word", "town__name"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read only: a batch is what was imported, and its removals point at it."""

    list_display = ["town", "file_name", "imported_by", "imported_at", "signs", "removals"]
    list_filter = ["town"]
    list_select_related = ["town", "imported_by"]
    search_fields = ["file_name", "town__name", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TalliedAdmin(AuditedAdmin):
    """An admin edit of a sign or removal changes its village's figures like a service would."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        signboard = obj.signboard if isinstance(obj, Removal) else obj
        copy_sign_fields(signboard)  # a sign moved or its department named; a removal moved
        village_ids = {signboard.village_id}
        if change and "village" in form.changed_data:  # a sign moved to another village
            village_ids.add(form.initial["village"])
        if change and "signboard" in form.changed_data:  # a removal moved to another sign
            village_ids.add(Signboard.objects.get(pk=form.initial["signboard"]).village_id)
        refresh_village_tallies(village_ids)


@admin.register(Signboard)
class SignboardAdmin(TalliedAdmin):
    list_display = ["title", "kind", "village", "location", "approved_item", "inventoried_on"]
    list_filter = ["kind", "village__town"]
    list_select_related = ["village__town", "approved_item"]
    search_fields = ["title", "village__name", "village__code", "location"]
    autocomplete_fields = ["village", "approved_item"]
    readonly_fields = ["created_by", "created_at", "inventory_photo"]

    def has_delete_permission(self, request, obj=None):
        # Signs are retired by removal, not deleted: the ledger keeps their history.
        return False


@admin.register(Removal)
class RemovalAdmin(TalliedAdmin):
    list_display = ["signboard", "removed_on", "reason", "recorded_by", "revoked_at"]
    list_filter = ["reason", "signboard__village__town", "removed_on"]
    list_select_related = ["signboard__village__town", "recorded_by"]
    search_fields = ["signboard__title", "signboard__village__name"]
    date_hierarchy = "removed_on"
    readonly_fields = [
        "recorded_by",
        "recorded_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "title_in_photo",
    ]
    raw_id_fields = ["signboard"]

    def has_delete_permission(self, request, obj=None):
        # A mistaken removal is revoked (with its reason), never deleted.
        return False
