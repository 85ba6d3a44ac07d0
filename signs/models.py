import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Town, Village

from .choices import ItemKind, RemovalReason, SignKind


class Department(models.Model):
    """A city department (市直单位): the standard's items were agreed with each, item by item,
    and a department's own inspections are what ask for "its" plaques to go back up."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("city department")
        verbose_name_plural = _("city departments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="%(app_label)s_%(class)s_name_not_blank",
                violation_error_message=_("A department needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """An edition of the compilation (汇编) that says which signs a village keeps."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    effective_on = models.DateField(_("effective on"))
    is_current = models.BooleanField(_("current edition"), default=False)

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=_("Only one edition of the standard can be current."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ApprovedItem(models.Model):
    """A rule, room plaque or organization plaque that the standard allows a village to keep."""

    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="items", verbose_name=_("standard")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=ItemKind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=100)
    # The book's text: a rule's articles; a plaque's purpose and the room that should hold it.
    body = models.TextField(_("text"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("responsible department"),
    )

    class Meta:
        ordering = ["standard", "kind", "number"]
        verbose_name = _("approved item")
        verbose_name_plural = _("approved items")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "kind", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This number is already used in the standard."),
            ),
            models.UniqueConstraint(
                fields=["standard", "kind", "title"],
                name="%(app_label)s_%(class)s_unique_title",
                violation_error_message=_("This title is already in the standard."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="%(app_label)s_%(class)s_title_not_blank",
                violation_error_message=_("An approved item needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class InventoryPhoto(models.Model):
    """A photo of a wall read by 拍照识牌: the evidence behind the signs it added."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="inventory_photos",
        verbose_name=_("village (community)"),
    )
    location = models.CharField(_("location / room"), max_length=100, blank=True)
    # Downscaled and stamped by signs.photos, like removal evidence.
    photo = models.ImageField(_("photo"), upload_to="inventory/%Y/%m/")
    photo_thumb = models.ImageField(_("thumbnail"), upload_to="inventory/%Y/%m/")
    # What the reader found on it: [{"text", "score"}, ...], kept with the evidence.
    texts_read = models.JSONField(_("text read"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("inventory photo")
        verbose_name_plural = _("inventory photos")

    def __str__(self) -> str:
        return f"{self.village} · {self.location} · {self.uploaded_at:%Y-%m-%d}"


class Signboard(models.Model):
    """A sign hanging (or once hanging) at a village's premises."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="signboards",
        verbose_name=_("village (community)"),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=SignKind.choices)
    title = models.CharField(_("text on the sign"), max_length=200)
    location = models.CharField(_("location / room"), max_length=100, blank=True)
    # Set when the standard keeps this sign: the earliest such sign per item and village is
    # retained, any later one is a duplicate that must come down (see signs.selectors).
    approved_item = models.ForeignKey(
        ApprovedItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signboards",
        verbose_name=_("approved item"),
    )
    inventoried_on = models.DateField(_("inventoried on"))
    # 挂牌要求部门: the department whose request had the sign hung, when the village knows it.
    requested_by = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signboards",
        verbose_name=_("department that asked for it"),
    )
    inventory_photo = models.ForeignKey(
        InventoryPhoto,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signboards",
        verbose_name=_("inventory photo"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["village", "location", "kind", "pk"]
        verbose_name = _("signboard")
        verbose_name_plural = _("signboards")
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="%(app_label)s_%(class)s_title_not_blank",
                violation_error_message=_("A signboard needs the text on it."),
            ),
        ]
        indexes = [
            models.Index(fields=["village", "approved_item"], name="signs_sign_village_item_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.inventoried_on and self.inventoried_on > timezone.localdate():
            raise ValidationError(
                {"inventoried_on": _("The inventory date cannot be in the future.")}
            )


class BookCopy(models.Model):
    """One printed copy of an edition (一村一本): its number and who received it, a village or
    a township office."""

    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="copies", verbose_name=_("standard")
    )
    number = models.PositiveIntegerField(_("copy number"))
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book_copies",
        verbose_name=_("village (community)"),
    )
    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book_copies",
        verbose_name=_("township office"),
        help_text=_("For a copy kept by the township office; leave empty for a village's copy."),
    )
    handed_over_on = models.DateField(_("handed over on"))
    received_by = models.CharField(_("received by"), max_length=60)

    class Meta:
        ordering = ["standard", "number"]
        verbose_name = _("printed copy")
        verbose_name_plural = _("printed copies")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This copy number is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("Copies are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(village__isnull=True, town__isnull=False)
                | Q(village__isnull=False, town__isnull=True),
                name="%(app_label)s_%(class)s_one_holder",
                violation_error_message=_(
                    "A copy goes either to a village or to a township office."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(received_by=""),
                name="%(app_label)s_%(class)s_received_by",
                violation_error_message=_("Please say who received the copy."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} · {self.number}"


ALREADY_REMOVED = _("This sign has already been removed.")


def end_of_day(as_of: dt.date) -> dt.datetime:
    """The first instant after `as_of` in local time (Asia/Shanghai)."""
    next_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(next_day, timezone.get_default_timezone())


def in_effect(prefix: str = "") -> Q:
    """A removal in effect today: recorded and not revoked (docs/definitions.md). `prefix`
    reaches it through a relation, e.g. "removal__" from its review."""
    return Q(**{f"{prefix}revoked_at__isnull": True})


def in_effect_on(day: dt.date, prefix: str = "") -> Q:
    """A removal in effect at `day`: dated on or before it and not revoked by its end."""
    return Q(**{f"{prefix}removed_on__lte": day}) & (
        in_effect(prefix) | Q(**{f"{prefix}revoked_at__gte": end_of_day(day)})
    )


class ImportBatch(models.Model):
    """One confirmed import of a township's ledger: its removals come in together, and the
    review queue can verify the batch at once."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("township")
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("file's SHA-256"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("imported by"),
    )  # fmt: skip
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    signs = models.PositiveIntegerField(_("signs added"), default=0)
    removals = models.PositiveIntegerField(_("removals added"), default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        when = timezone.localtime(self.imported_at).strftime("%Y-%m-%d %H:%M")
        return f"{self.town.name} · {self.file_name or self.sha256[:8]} · {when}"


class RemovalQuerySet(models.QuerySet):
    """The rules that say which removals count, named once (docs/definitions.md)."""

    def in_effect(self):
        return self.filter(in_effect())

    def in_effect_on(self, day: dt.date):
        return self.filter(in_effect_on(day))


# Removal's copies of its sign's fields (see Removal.sign_village): set from the sign, not
# entered, so full_clean() need not look them up.
SIGN_COPIES = ["sign_village", "sign_requested_by"]


class Removal(models.Model):
    """Taking a sign down, with its evidence; revoked rather than deleted when mistaken."""

    signboard = models.ForeignKey(
        Signboard, on_delete=models.PROTECT, related_name="removals", verbose_name=_("signboard")
    )
    removed_on = models.DateField(_("removed on"))
    # Copies of the sign's village and requesting department, kept equal to the sign's by
    # signs.tallies in the transaction of every write: the department report counts removals
    # by them without joining 600,000 signs at 50× Hengzhou (docs/performance.md).
    sign_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("village of the sign"),
    )  # fmt: skip
    sign_requested_by = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("department that asked for the sign"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=20, choices=RemovalReason.choices)
    note = models.TextField(_("note"), blank=True)
    # Evidence as Chinese 整改 reports show it: after (整改后) and optionally before (整改前);
    # stored downscaled and stamped by signs.photos, each with a thumbnail for lists.
    photo = models.ImageField(_("photo after removal"), upload_to="removals/%Y/%m/", blank=True)
    photo_thumb = models.ImageField(
        _("thumbnail after removal"), upload_to="removals/%Y/%m/", blank=True
    )
    photo_before = models.ImageField(
        _("photo before removal"), upload_to="removals/%Y/%m/", blank=True
    )
    photo_before_thumb = models.ImageField(
        _("thumbnail before removal"), upload_to="removals/%Y/%m/", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    # 拍照识牌 still read the sign's title in the photo after removal, and the staffer saved
    # anyway: the reviewer should look at this photo.
    title_in_photo = models.BooleanField(_("sign still visible in the photo"), default=False)
    # Set when the removal came in from a township's ledger (signs.imports).
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="removal_rows",
        verbose_name=_("import batch"),
    )  # fmt: skip

    objects = RemovalQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_on", "-pk"]
        verbose_name = _("removal")
        verbose_name_plural = _("removals")
        constraints = [
            # Two requests at once cannot both remove the same sign: the database says no.
            models.UniqueConstraint(
                fields=["signboard"],
                condition=in_effect(),
                name="%(app_label)s_%(class)s_one_active_per_sign",
                violation_error_message=ALREADY_REMOVED,
            ),
            models.CheckConstraint(
                condition=~Q(reason=RemovalReason.OTHER) | ~Q(note=""),
                name="%(app_label)s_%(class)s_note_for_other_reason",
                violation_error_message=_("Please explain the reason in the note."),
            ),
            models.CheckConstraint(
                condition=in_effect()
                | (~Q(revoke_reason="") & Q(revoked_at__gte=F("recorded_at"))),
                name="%(app_label)s_%(class)s_revocation_complete",
                violation_error_message=_(
                    "A revocation needs a reason and cannot precede the recording."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["signboard", "removed_on"], name="signs_removal_sign_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.signboard} · {self.removed_on:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.removed_on is None:
            return
        if self.removed_on > timezone.localdate():
            raise ValidationError({"removed_on": _("The removal date cannot be in the future.")})
        sign = self.signboard if self.signboard_id else None
        if sign is not None and self.removed_on < sign.inventoried_on:
            raise ValidationError(
                {
                    "removed_on": _(
                        "The removal date cannot be before the sign was inventoried (%(date)s)."
                    )
                    % {"date": sign.inventoried_on.isoformat()}
                }
            )


class TallyFigures(models.Model):
    """A village's figures at one date, as `selectors.village_figures` computes them."""

    on_wall = models.PositiveIntegerField(_("on the wall"), default=0)
    retained = models.PositiveIntegerField(_("retained"), default=0)
    still_to_remove = models.PositiveIntegerField(_("still to remove"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    # Removed signs per kind (a column per SignKind value: removed_<kind>).
    removed_rule = models.PositiveIntegerField(_("rule boards removed"), default=0)
    removed_plaque = models.PositiveIntegerField(_("room plaques removed"), default=0)
    removed_guidance = models.PositiveIntegerField(_("guidance signs removed"), default=0)
    removed_organization = models.PositiveIntegerField(_("organization plaques removed"), default=0)
    removed_honour = models.PositiveIntegerField(_("honour plaques removed"), default=0)
    removed_other = models.PositiveIntegerField(_("other signs removed"), default=0)
    last_removed_on = models.DateField(_("last removed on"), null=True, blank=True)

    class Meta:
        abstract = True


class VillageTally(TallyFigures):
    """Today's figures of one village, kept current by every write (signs.tallies).

    A cache of `selectors.village_progress` at today's date: the dashboard for today sums
    these rows instead of deriving every sign's status (600k signs at 50× Hengzhou). Past
    dates come from VillageDayTally. Records cannot carry future dates, so figures computed
    on one day stay true on the next. `manage.py rebuild_tallies` rebuilds them all.
    """

    village = models.OneToOneField(
        Village,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
        verbose_name=_("village"),
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        ordering = ["village"]
        verbose_name = _("village tally")
        verbose_name_plural = _("village tallies")

    def __str__(self) -> str:
        return str(self.village_id)


class VillageDayTally(TallyFigures):
    """A village's figures as of each day they changed (a sign inventoried, a removal taking
    effect, a revocation): the figures at any date are its row of the latest day on or before
    it. Written in the transaction of every write (signs.tallies); a backdated write rewrites
    the village's rows from its date on."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="day_tallies", verbose_name=_("village")
    )
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["village", "day"]
        verbose_name = _("village tally of a day")
        verbose_name_plural = _("village tallies by day")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "day"], name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This village already has its figures of that day."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.village_id} {self.day}"


class LedgerLayout(models.Model):
    """A township's own ledger layout, mapped once by its staff: the next file whose header
    has the same words (the fingerprint) is read with the same columns, with no question."""

    town = models.ForeignKey(
        Town, on_delete=models.CASCADE, related_name="ledger_layouts", verbose_name=_("township")
    )
    fingerprint = models.CharField(_("header fingerprint"), max_length=64)
    headers = models.JSONField(_("headers"), default=list)  # the header's words, to show
    columns = models.JSONField(_("columns"), default=dict)  # field key -> 1-based column
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("mapped by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("mapped at"), auto_now=True)

    class Meta:
        ordering = ["town", "-created_at"]
        verbose_name = _("ledger layout")
        verbose_name_plural = _("ledger layouts")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "fingerprint"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This township has already mapped this layout."),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.fingerprint[:8]}"


class LedgerWord(models.Model):
    """A word of a township's ledgers mapped once to one of ours: 牌匾 → 功能室牌子."""

    class Field(models.TextChoices):
        KIND = "kind", _("kind")
        REASON = "reason", _("reason for removal")
        STATUS = "status", _("removed or not")

    town = models.ForeignKey(
        Town, on_delete=models.CASCADE, related_name="ledger_words", verbose_name=_("township")
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    word = models.CharField(_("word"), max_length=100)  # as imports.norm gives it
    value = models.CharField(_("value"), max_length=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("mapped by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("mapped at"), auto_now=True)

    class Meta:
        ordering = ["town", "field", "word"]
        verbose_name = _("ledger word")
        verbose_name_plural = _("ledger words")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "field", "word"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This township has already mapped this word."),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.value}"
