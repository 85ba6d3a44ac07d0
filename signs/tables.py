import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from villages.models import Village

PHONE_HIDDEN = {
    "th": {"class": "d-none d-sm-table-cell"},
    "td": {"class": "d-none d-sm-table-cell"},
}


class VillageTable(tables.Table):
    """A township's villages with their figures (rows from `village_progress`)."""

    name = tables.LinkColumn(
        "village", args=[tables.A("code")], verbose_name=_("village (community)")
    )
    kind = tables.Column(verbose_name=_("kind"))
    on_wall = tables.Column(
        verbose_name=_("Signs on the wall"), attrs={"td": {"class": "text-end"}}
    )
    still_to_remove = tables.Column(
        verbose_name=_("Still to remove"), attrs={"td": {"class": "text-end"}}
    )
    removed = tables.Column(verbose_name=_("Removed"), attrs={"td": {"class": "text-end"}})
    meets_standard = tables.Column(verbose_name=_("Meets the standard"))

    class Meta:
        model = Village
        fields = ["name", "kind", "on_wall", "still_to_remove", "removed", "meets_standard"]
        order_by = ["-still_to_remove", "code"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_meets_standard(self, value):
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("Meets"))
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Behind"))

    def order_name(self, queryset, is_descending):
        return queryset.order_by(("-" if is_descending else "") + "name", "pk"), True
