import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from villages.models import AuditEntry, Village

from . import history
from .selectors import progress_percent

WIDE_NUMBER = {
    "th": {"class": "text-end d-none d-lg-table-cell"},
    "td": {"class": "text-end d-none d-lg-table-cell"},
}
PHONE_HIDDEN = {
    "th": {"class": "d-none d-sm-table-cell"},
    "td": {"class": "d-none d-sm-table-cell"},
}
PHONE_HIDDEN_NUMBER = {
    "th": {"class": "text-end d-none d-sm-table-cell"},
    "td": {"class": "text-end d-none d-sm-table-cell"},
}
NUMBER = {"th": {"class": "text-end"}, "td": {"class": "text-end"}}
CHANGES = {"td": {"class": "wrap-words"}}


class VillageTable(tables.Table):
    """A township's villages with their figures (rows from `village_progress`)."""

    name = tables.Column(verbose_name=_("village (community)"))
    # On a phone only the name, what is left, what came down and the verdict are shown.
    kind = tables.Column(verbose_name=_("kind"), attrs=PHONE_HIDDEN)
    on_wall = tables.Column(verbose_name=_("Signs on the wall"), attrs=PHONE_HIDDEN_NUMBER)
    still_to_remove = tables.Column(verbose_name=_("Still to remove"), attrs=NUMBER)
    removed = tables.Column(verbose_name=_("Removed"), attrs=NUMBER)
    removed_rule = tables.Column(verbose_name=_("Rule boards removed"), attrs=WIDE_NUMBER)
    removed_guidance = tables.Column(verbose_name=_("Guidance signs removed"), attrs=WIDE_NUMBER)
    progress = tables.Column(
        verbose_name=_("Progress %"), accessor="pk", orderable=False, attrs=WIDE_NUMBER
    )
    last_removed_on = tables.DateColumn(
        format="Y-m-d", verbose_name=_("Last removal"), attrs=WIDE_NUMBER
    )
    meets_standard = tables.Column(verbose_name=_("Meets the standard"))

    class Meta:
        model = Village
        fields = [
            "name", "kind", "on_wall", "still_to_remove", "removed", "removed_rule",
            "removed_guidance", "progress", "last_removed_on", "meets_standard",
        ]  # fmt: skip
        order_by = ["-still_to_remove", "code"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, as_of, **kwargs):
        self.as_of = as_of
        super().__init__(*args, **kwargs)

    def render_name(self, record, value):
        url = reverse("village", args=[record.code])
        if self.as_of != timezone.localdate():
            url += f"?as_of={self.as_of.isoformat()}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_progress(self, record):
        return f"{progress_percent(record.removed, record.still_to_remove)}%"

    def value_name(self, value):
        return value

    def value_progress(self, record):
        return float(progress_percent(record.removed, record.still_to_remove))

    def value_meets_standard(self, value):
        return "是" if value else "否"

    def value_kind(self, record):
        return record.get_kind_display()

    def render_meets_standard(self, value):
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("Meets"))
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Behind"))

    def order_name(self, queryset, is_descending):
        return queryset.order_by(("-" if is_descending else "") + "name", "pk"), True


class AuditEntryTable(tables.Table):
    """A township's activity log (rows from `selectors.town_activity`), newest first.

    The field changes of the page's entries are described together (signs.history): a few
    queries per page, not per row.
    """

    at = tables.Column(verbose_name=capfirst(_("at")))
    # On a phone who acted goes under the time, and the object under the action.
    actor = tables.Column(
        verbose_name=capfirst(_("by")), orderable=False, empty_values=(), attrs=PHONE_HIDDEN
    )
    action = tables.Column(verbose_name=capfirst(_("action")), orderable=False)
    object_repr = tables.Column(
        verbose_name=capfirst(_("object")), orderable=False, attrs=PHONE_HIDDEN
    )
    changes = tables.Column(
        verbose_name=_("Changes"), accessor="pk", orderable=False, attrs=CHANGES
    )

    class Meta:
        model = AuditEntry
        fields = ["at", "actor", "action", "object_repr", "changes"]
        order_by = ["-at"]
        attrs = {"class": "table table-sm align-top small", "data-testid": "activity-table"}
        empty_text = _("No activity recorded.")

    def order_at(self, queryset, is_descending):
        sign = "-" if is_descending else ""
        return queryset.order_by(f"{sign}at", f"{sign}pk"), True

    def _row(self, record) -> history.HistoryRow:
        if not hasattr(self, "_described"):
            records = self.paginated_rows.data if hasattr(self, "page") else self.data
            self._described = {row.entry.pk: row for row in history.describe_entries(records)}
        if record.pk not in self._described:  # not on this page (an export): one at a time
            self._described.update({record.pk: history.describe_entries([record])[0]})
        return self._described[record.pk]

    def render_at(self, record, value):
        local = timezone.localtime(value)
        # Date and time wrap onto two lines on a phone, never inside either.
        return format_html(
            '<span class="text-nowrap">{}</span> <span class="text-nowrap">{}</span>'
            '<div class="d-sm-none text-muted">{}</div>',
            f"{local:%Y-%m-%d}",
            f"{local:%H:%M}",
            history.actor_name(record.actor) or "—",
        )

    def render_actor(self, record):
        return history.actor_name(record.actor) or "—"

    def render_action(self, record):
        row = self._row(record)
        return format_html(
            '<span class="text-nowrap">{}</span>'
            '<div class="d-sm-none text-muted wrap-words">{}</div>',
            row.action,
            record.object_repr,
        )

    def render_object_repr(self, record, value):
        row = self._row(record)
        if row.object_url:
            return format_html(
                '<span class="text-muted">{}</span> <a href="{}">{}</a>',
                row.object_type,
                row.object_url,
                value,
            )
        return format_html('<span class="text-muted">{}</span> {}', row.object_type, value)

    def render_changes(self, record):
        row = self._row(record)
        return render_to_string(
            "signs/includes/field_changes.html",
            {"changes": row.changes, "created": row.is_creation},
        )
