import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from supervision.selectors.review import ReviewFigures

# "tf" too: a footer cell sits under its column (and is hidden with it on a phone).
NUMBER = {part: {"class": "text-end"} for part in ("td", "th", "tf")}
# Shown from tablet width up, so the table fits a 375 px phone without sideways scrolling.
WIDE = {part: {"class": "text-end d-none d-md-table-cell"} for part in ("td", "th", "tf")}


class TownProgressTable(tables.Table):
    """One row per township (`signs.selectors.Progress`), each opening the township."""

    town = tables.Column(
        accessor="town__name",
        order_by="town__code",
        verbose_name=_("township"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    villages = tables.Column(verbose_name=_("villages (communities)"), attrs=WIDE)
    villages_meeting = tables.Column(verbose_name=_("Meeting the standard"), attrs=NUMBER)
    removed_rule = tables.Column(verbose_name=_("Rule boards removed"), attrs=WIDE)
    removed_guidance = tables.Column(verbose_name=_("Guidance signs removed"), attrs=WIDE)
    still_to_remove = tables.Column(verbose_name=_("Still to remove"), attrs=NUMBER)
    progress = tables.Column(verbose_name=_("Progress %"), attrs=NUMBER)
    last_removed_on = tables.DateColumn(format="Y-m-d", verbose_name=_("Last removal"), attrs=WIDE)
    # Supervision figures (supervision.selectors.review), looked up by township.
    verified = tables.Column(
        empty_values=(), orderable=False, verbose_name=_("Removals verified"), attrs=WIDE
    )
    villages_closed = tables.Column(
        empty_values=(), orderable=False, verbose_name=_("Villages closed (销号)"), attrs=WIDE
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "town-table"}
        order_by = ["town"]

    def __init__(self, *args, as_of, reviews, **kwargs):
        self.as_of = as_of
        self.reviews = reviews
        super().__init__(*args, **kwargs)

    def _review(self, record):
        return self.reviews.get(record.town.pk) or ReviewFigures()

    def render_verified(self, record):
        return self._review(record).verified

    def render_villages_closed(self, record):
        return self._review(record).villages_closed

    def value_verified(self, record):
        return self._review(record).verified

    def value_villages_closed(self, record):
        return self._review(record).villages_closed

    def render_town(self, record, value):
        url = reverse("town", args=[record.town.code]) + f"?as_of={self.as_of.isoformat()}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_progress(self, value):
        return f"{value}%"

    def value_town(self, value):
        return value

    def value_progress(self, value):
        return float(value)


class DepartmentTable(tables.Table):
    """The department report (`supervision.selectors.departments`): one row per department,
    then 未注明, then the total."""

    department = tables.Column(
        empty_values=(), orderable=False, verbose_name=_("city department"),
        footer=_("Total"),
    )  # fmt: skip
    items = tables.Column(
        empty_values=(), orderable=False, verbose_name=_("Items of the standard it owns"),
        attrs=WIDE,
    )  # fmt: skip
    removed = tables.Column(
        orderable=False, verbose_name=_("Signs it asked for, removed"), attrs=NUMBER,
        footer=lambda table: table.report.total.removed,
    )  # fmt: skip
    rebounds = tables.Column(
        orderable=False, verbose_name=_("Its signs hung again"), attrs=NUMBER,
        footer=lambda table: table.report.total.rebounds,
    )  # fmt: skip
    villages = tables.Column(orderable=False, verbose_name=_("Villages concerned"), attrs=WIDE)

    class Meta:
        attrs = {"class": "table table-sm align-middle", "data-testid": "department-table"}

    def __init__(self, report, **kwargs):
        self.report = report
        super().__init__(report.rows, **kwargs)

    def render_department(self, record):
        return record.department.name if record.department else _("not stated")

    def render_items(self, record):
        return len(record.items)

    value_department = render_department
    value_items = render_items
