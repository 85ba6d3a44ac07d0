"""The review queue's filters: township, review state (待核验 by default), import batch, flagged
photo, search."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from signs.models import ImportBatch
from utilities.filters import ModelSelectFilter, SearchFilter, SelectFilter
from villages.models import Town

from ..choices import ReviewStatus

SELECT = {"class": "form-select"}


def import_batches(towns):
    """The imported ledgers with removals, of these townships: the queue's batch filter."""
    return ImportBatch.objects.filter(town__in=towns, removals__gt=0).select_related("town")


class ReviewQueueFilterSet(django_filters.FilterSet):
    """Filters `reported_removals` (it carries `review_state`)."""

    q = SearchFilter(
        lookups=("signboard__title__icontains", "signboard__village__name__icontains"),
        attrs={"type": "search", "class": "form-control", "placeholder": _("sign or village")},
    )
    town = ModelSelectFilter(
        field_name="signboard__village__town",
        queryset=Town.objects.none(),
        label=_("township"),
        attrs=SELECT,
    )
    state = SelectFilter(
        field_name="review_state",
        choices=ReviewStatus.choices,
        label=_("review status"),
        attrs=SELECT,
    )
    batch = ModelSelectFilter(
        field_name="import_batch",
        queryset=ImportBatch.objects.none(),
        label=_("import batch"),
        attrs=SELECT,
    )
    flagged = django_filters.BooleanFilter(
        method="filter_flagged",
        label=_("Sign still visible in the photo"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *args, towns, **kwargs):
        # The queue opens on what waits: 待核验 unless another state (or 全部) was chosen.
        if data is None or "state" not in data:
            data = data.copy() if data is not None else {}
            data["state"] = ReviewStatus.PENDING
        super().__init__(data, *args, **kwargs)
        self.filters["town"].queryset = towns
        self.filters["batch"].queryset = import_batches(towns)

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(title_in_photo=True) if value else queryset
