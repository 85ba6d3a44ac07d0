"""Filters of the suggestions list: status and kind for everyone; township and search for
those who answer, who see every item."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Town

from .choices import FeedbackKind, FeedbackStatus
from .models import Feedback

SELECT = {"class": "form-select form-select-sm"}


class FeedbackFilterSet(django_filters.FilterSet):
    """Filters a `visible_feedback` queryset; `answerer=False` drops the township and search,
    which a sender's few own items do not need."""

    status = django_filters.ChoiceFilter(
        choices=FeedbackStatus.choices,
        method="filter_status",
        label=_("Status"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
    )
    kind = django_filters.ChoiceFilter(
        choices=FeedbackKind.choices,
        label=_("kind"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
    )
    town = django_filters.ModelChoiceFilter(
        queryset=Town.objects.order_by("code"),
        to_field_name="code",
        label=_("township"),
        empty_label=_("Every township"),
        widget=forms.Select(attrs=SELECT),
    )
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control form-control-sm"}),
    )

    class Meta:
        model = Feedback
        fields = ["status", "kind", "town", "q"]

    def __init__(self, *args, answerer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not answerer:
            del self.filters["town"]
            del self.filters["q"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(answered_at__isnull=(value == FeedbackStatus.OPEN))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(subject__icontains=value)
            | Q(body__icontains=value)
            | Q(answer__icontains=value)
            | Q(author__username__icontains=value)
            | Q(author__first_name__icontains=value)
            | Q(author__last_name__icontains=value)
        )
