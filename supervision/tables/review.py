"""The review queue: one row per reported removal (rows from `reported_removals`)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from signs.models import Removal

from ..choices import ReviewStatus

PHONE_HIDDEN = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell"},
}
PHONE_HIDDEN_NOWRAP = {
    "th": {"class": "d-none d-md-table-cell text-nowrap"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}
STATE_BADGES = {
    ReviewStatus.PENDING: "text-bg-warning",
    ReviewStatus.VERIFIED: "text-bg-success",
    ReviewStatus.RETURNED: "text-bg-danger",
}


def state_badge(state: str):
    return format_html(
        '<span class="badge {}" data-testid="review-state">{}</span>',
        STATE_BADGES.get(state, "text-bg-secondary"),
        ReviewStatus(state).label,
    )


class ReviewQueueTable(tables.Table):
    """Pending rows carry a checkbox named `removals` for 核验通过所选 (the page's form)."""

    # Each checkbox carries its sign's title as its label; the header stays empty.
    removals = tables.Column(verbose_name="", accessor="pk", orderable=False, empty_values=())
    photo = tables.Column(verbose_name=_("photo"), accessor="pk", orderable=False, empty_values=())
    sign = tables.Column(verbose_name=_("signboard"), accessor="signboard__title", orderable=False)
    village = tables.Column(
        verbose_name=_("village (community)"),
        accessor="signboard__village__name",
        orderable=False,
        attrs=PHONE_HIDDEN,
    )
    reason = tables.Column(verbose_name=_("reason"), orderable=False, attrs=PHONE_HIDDEN)
    removed_on = tables.DateColumn(
        format="Y-m-d", verbose_name=_("removed on"), attrs=PHONE_HIDDEN_NOWRAP
    )
    review_state = tables.Column(
        verbose_name=_("review status"), orderable=False, attrs=PHONE_HIDDEN
    )

    class Meta:
        model = Removal
        fields = ["removals", "photo", "sign", "village", "reason", "removed_on", "review_state"]
        attrs = {"class": "table table-sm align-middle", "data-testid": "review-queue"}
        row_attrs = {"data-removal-id": lambda record: record.pk}
        empty_text = _("Nothing to review here.")

    def render_removals(self, record):
        if record.review_state != ReviewStatus.PENDING:
            return ""
        return format_html(
            '<label class="tick-target"><input type="checkbox" class="form-check-input m-0" '
            'name="removals" value="{}" aria-label="{}" data-testid="tick-{}"></label>',
            record.pk,
            record.signboard.title,
            record.pk,
        )

    def render_photo(self, record):
        if not record.photo_thumb:
            return format_html('<span class="text-muted small">{}</span>', _("no photo"))
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="rounded thumb-cover" width="64" '
            'height="48"></a>',
            reverse("review_removal", args=[record.pk]),
            record.photo_thumb.url,
            _("photo after removal"),
        )

    def render_sign(self, record, value):
        village = record.signboard.village
        flag = ""
        if record.title_in_photo:
            flag = format_html(
                ' <span class="badge text-bg-danger" data-testid="photo-flag">{}</span>',
                _("sign in photo?"),
            )
        # On a phone the village, date and state go under the title.
        return format_html(
            '<a href="{}" class="text-break" data-testid="review-link">{}</a>{}'
            '<div class="small text-muted d-md-none">{} · {} · {}</div>'
            '<div class="d-md-none">{}</div>',
            reverse("review_removal", args=[record.pk]),
            value,
            flag,
            village.town.name,
            village.name,
            f"{record.removed_on:%Y-%m-%d}",
            state_badge(record.review_state),
        )

    def render_village(self, record, value):
        return format_html(
            '{}<div class="small text-muted">{}</div>', value, record.signboard.village.town.name
        )

    def render_reason(self, record):
        return record.get_reason_display()

    def render_review_state(self, value):
        return state_badge(value)

    def order_removed_on(self, queryset, is_descending):
        sign = "-" if is_descending else ""
        return queryset.order_by(f"{sign}removed_on", f"{sign}pk"), True
