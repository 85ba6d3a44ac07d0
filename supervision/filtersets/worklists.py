"""Filters of a work list's items: township (city level), kind, open or done, search."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Town

from ..choices import WorkItemKind
from ..models import WorkItem

SELECT = {"class": "form-select form-select-sm"}
STATES = [("open", _("Not done")), ("done", _("Done"))]


class WorkItemFilterSet(django_filters.FilterSet):
    """Filters a `visible_items` queryset; the township list is the user's visible ones."""

    town = django_filters.ModelChoiceFilter(
        queryset=Town.objects.none(),
        to_field_name="code",
        label=_("township"),
        empty_label=_("Every township"),
        widget=forms.Select(attrs=SELECT),
    )
    kind = django_filters.ChoiceFilter(
        choices=WorkItemKind.choices,
        label=_("kind"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
    )
    state = django_filters.ChoiceFilter(
        choices=STATES,
        method="filter_state",
        label=_("State"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
    )
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control form-control-sm"}),
    )

    class Meta:
        model = WorkItem
        fields = ["town", "kind", "state", "q"]

    def __init__(self, *args, towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["town"].queryset = towns if towns is not None else Town.objects.all()

    def filter_state(self, queryset, name, value):
        return queryset.filter(done_at__isnull=(value == "open"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(text__icontains=value) | Q(done_note__icontains=value))
