from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import TownKind, VillageKind


class Town(models.Model):
    """A township (镇/乡/街道) of the city, keyed by its NBS statistical code."""

    code = models.CharField(_("NBS code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=TownKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(name=""),
                name="%(app_label)s_%(class)s_code_name_not_blank",
                violation_error_message=_("A township needs a code and a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    """A village or community premises: the unit where signs hang."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    # The stable key used in URLs, QR codes and imports: never the database id.
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=12, choices=VillageKind.choices, default=VillageKind.VILLAGE
    )

    class Meta:
        ordering = ["town__code", "code"]
        verbose_name = _("village (community)")
        verbose_name_plural = _("villages (communities)")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="%(app_label)s_%(class)s_unique_name_in_town",
                violation_error_message=_("This township already has a village of that name."),
            ),
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(name=""),
                name="%(app_label)s_%(class)s_code_name_not_blank",
                violation_error_message=_("A village needs a code and a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DemonstrationSite(models.Model):
    """A showcase village (标准化规范化示范点) with its own investment; not a coverage rule."""

    village = models.OneToOneField(
        Village,
        on_delete=models.PROTECT,
        related_name="demonstration_site",
        verbose_name=_("village (community)"),
    )
    year_designated = models.PositiveSmallIntegerField(_("year designated"))
    investment = models.DecimalField(
        _("investment (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["village__town__code", "village__code"]
        verbose_name = _("demonstration site")
        verbose_name_plural = _("demonstration sites")
        constraints = [
            models.CheckConstraint(
                condition=Q(investment__gte=0),
                name="%(app_label)s_%(class)s_investment_not_negative",
                violation_error_message=_("The investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year_designated__gte=2000) & Q(year_designated__lte=2100),
                name="%(app_label)s_%(class)s_year_plausible",
                violation_error_message=_("The year designated must lie between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.village)


class TownStaff(models.Model):
    """Which township a user works for; a user without a row works at city level."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="town_staff",
        verbose_name=_("user"),
    )
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="staff", verbose_name=_("township")
    )

    class Meta:
        ordering = ["town__code", "user__username"]
        verbose_name = _("township staff")
        verbose_name_plural = _("township staff")
        # The line between the system and the security administrator (villages.roles).
        permissions = [
            ("manage_accounts", _("Can create accounts and change their details and passwords")),
            ("assign_roles", _("Can assign roles and administrator access to accounts")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.town}"


class AuditRecordIsPermanent(Exception):
    """Audit rows are never changed or deleted through the app (等保 2.0: kept ≥ 180 days)."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRecordIsPermanent("audit records cannot be changed")

    def delete(self):
        raise AuditRecordIsPermanent("audit records cannot be deleted")


class AuditEntry(models.Model):
    """One write, with who, when, what before → after; written by the service that wrote.

    Explicit rows written inside each service's transaction (Zulip's pattern) rather than
    django-simple-history: a service knows the business action ("revoke", "record removal")
    and the township it concerns, which a model-level history table cannot tell.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=50)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("township"),
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="villages_audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRecordIsPermanent("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordIsPermanent("audit records cannot be deleted")


class DisplaySettings(models.Model):
    """How the pages look for one user (长辈模式), kept across sign-ins and devices."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="display_settings",
        verbose_name=_("user"),
    )
    large_text = models.BooleanField(_("large text (elder mode)"), default=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("display settings")
        verbose_name_plural = _("display settings")

    def __str__(self) -> str:
        return str(self.user)
