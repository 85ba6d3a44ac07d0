"""What the lists' filter bars share: the selects, the date fields and the search box.

django-filter does the filtering; these only fix how a filter looks (small Bootstrap fields) and
what the search box does (the words typed, trimmed, matched against any of the given lookups)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SELECT = {"class": "form-select form-select-sm"}
DATE = {"type": "date", "class": "form-control form-control-sm"}
ISO_DATE = "%Y-%m-%d"  # what <input type="date"> takes, whatever the language
SEARCH = {"type": "search", "class": "form-control form-control-sm"}


class SelectFilter(django_filters.ChoiceFilter):
    """A select whose first option (全部, unless `empty_label` says otherwise) filters nothing."""

    def __init__(self, *, attrs: dict = SELECT, **kwargs):
        kwargs.setdefault("empty_label", _("All"))
        super().__init__(widget=forms.Select(attrs=attrs), **kwargs)


class ModelSelectFilter(django_filters.ModelChoiceFilter):
    """The same for a choice of rows (a township, a user)."""

    def __init__(self, *, attrs: dict = SELECT, **kwargs):
        kwargs.setdefault("empty_label", _("All"))
        super().__init__(widget=forms.Select(attrs=attrs), **kwargs)


class SearchFilter(django_filters.CharFilter):
    """The search box: blank searches nothing; else rows matching any of `lookups`."""

    def __init__(self, *, lookups: tuple[str, ...], attrs: dict | None = SEARCH, **kwargs):
        self.lookups = lookups
        kwargs.setdefault("label", _("Search"))
        widget = forms.TextInput(attrs=attrs) if attrs is not None else forms.TextInput()
        super().__init__(widget=widget, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        match = Q()
        for lookup in self.lookups:
            match |= Q(**{lookup: value})
        return qs.filter(match)
