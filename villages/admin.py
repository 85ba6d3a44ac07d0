import hashlib

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied

from . import roles
from .audit import audit_write, snapshot
from .models import AuditEntry, DemonstrationSite, Town, TownStaff, Village


def town_of(obj) -> Town | None:
    """The township an object belongs to, for its audit row; None for city-wide objects."""
    for path in ("town", "village.town", "signboard.village.town"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
        if isinstance(target, Town):
            return target
    return obj if isinstance(obj, Town) else None


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin writes an audit row, like a service."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_write(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            town=town_of(obj),
            before=before,
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_write(
                actor=request.user,
                action="admin.delete",
                obj=obj,
                town=town_of(obj),
                before=snapshot(obj),
            )
        super().delete_queryset(request, queryset)


@admin.register(Town)
class TownAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "town"]
    list_filter = ["kind", "town"]
    list_select_related = ["town"]
    search_fields = ["code", "name", "town__name"]


@admin.register(DemonstrationSite)
class DemonstrationSiteAdmin(AuditedAdmin):
    list_display = ["village", "year_designated", "investment"]
    list_filter = ["year_designated", "village__town"]
    list_select_related = ["village__town"]
    search_fields = ["village__name", "village__code"]
    autocomplete_fields = ["village"]


@admin.register(TownStaff)
class TownStaffAdmin(AuditedAdmin):
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


User = get_user_model()
ACCOUNT_FIELDS = {"username", "password", "first_name", "last_name", "email", "is_active"}
ROLE_FIELDS = {"groups", "user_permissions", "is_staff"}


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin, split along 三员分立 (villages.roles) and audited.

    Account details and passwords need MANAGE_ACCOUNTS (the system administrator); roles and
    admin access need ASSIGN_ROLES (the security administrator), never on one's own account;
    superuser status only a superuser may touch.
    """

    def get_readonly_fields(self, request, obj=None):
        fields = set(super().get_readonly_fields(request, obj))
        user = request.user
        if not user.is_superuser:
            fields |= {"is_superuser", "last_login", "date_joined"}
        if not user.has_perm(roles.MANAGE_ACCOUNTS):
            fields |= ACCOUNT_FIELDS
        if not user.has_perm(roles.ASSIGN_ROLES) or (obj is not None and obj.pk == user.pk):
            fields |= ROLE_FIELDS
        return sorted(fields)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm(roles.MANAGE_ACCOUNTS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated (is_active), so that the audit trail keeps its actors.
        return False

    def user_change_password(self, request, id, form_url=""):
        if not request.user.has_perm(roles.MANAGE_ACCOUNTS):
            raise PermissionDenied
        before = self._account_snapshot(id) if request.method == "POST" else None
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_write(
                actor=request.user,
                action="admin.password",
                obj=User.objects.get(pk=id),
                town=None,
                before=before,
                after=self._account_snapshot(id),
            )
        return response

    def save_model(self, request, obj, form, change):
        # The audit row is written in save_related, once the groups are saved too.
        request._account_before = self._account_snapshot(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit_write(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=form.instance,
            town=None,
            before=request._account_before,
            after=self._account_snapshot(form.instance.pk),
        )

    @staticmethod
    def _account_snapshot(pk) -> dict:
        user = User.objects.get(pk=pk)
        data = snapshot(user, fields=sorted(ACCOUNT_FIELDS | {"is_staff", "is_superuser"}))
        # A fingerprint of the hash: shows that the password changed, reveals nothing.
        data["password"] = hashlib.sha256(data["password"].encode()).hexdigest()[:12]
        data["groups"] = sorted(user.groups.values_list("name", flat=True))
        data["user_permissions"] = sorted(user.user_permissions.values_list("codename", flat=True))
        return data
