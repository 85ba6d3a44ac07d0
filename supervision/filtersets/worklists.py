"""Filters of a work list's items: township (city level), kind, open or done, search."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from utilities.filters import ModelSelectFilter, SearchFilter, SelectFilter
from villages.models import Town

from ..choices import WorkItemKind
from ..models import WorkItem

STATES = [("open", _("Not done")), ("done", _("Done"))]


class WorkItemFilterSet(django_filters.FilterSet):
    """Filters a `visible_items` queryset; the township list is the user's visible ones."""

    town = ModelSelectFilter(
        queryset=Town.objects.none(),
        to_field_name="code",
        label=_("township"),
        empty_label=_("Every township"),
    )
    kind = SelectFilter(
        choices=WorkItemKind.choices,
        label=_("kind"),
    )
    state = SelectFilter(
        choices=STATES,
        method="filter_state",
        label=_("State"),
    )
    q = SearchFilter(lookups=("text__icontains", "done_note__icontains"))

    class Meta:
        model = WorkItem
        fields = ["town", "kind", "state", "q"]

    def __init__(self, *args, towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["town"].queryset = towns if towns is not None else Town.objects.all()

    def filter_state(self, queryset, name, value):
        return queryset.filter(done_at__isnull=(value == "open"))
