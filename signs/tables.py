import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from villages.models import Village

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
