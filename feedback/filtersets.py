"""Filters of the suggestions list: status and kind for everyone; township and search for
those who answer, who see every item."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from utilities.filters import ModelSelectFilter, SearchFilter, SelectFilter
from villages.models import Town

from .choices import FeedbackKind, FeedbackStatus
from .models import Feedback


class FeedbackFilterSet(django_filters.FilterSet):
    """Filters a `visible_feedback` queryset; `answerer=False` drops the township and search,
    which a sender's few own items do not need."""

    status = SelectFilter(
        choices=FeedbackStatus.choices,
        method="filter_status",
        label=_("Status"),
    )
    kind = SelectFilter(
        choices=FeedbackKind.choices,
        label=_("kind"),
    )
    town = ModelSelectFilter(
        queryset=Town.objects.order_by("code"),
        to_field_name="code",
        label=_("township"),
        empty_label=_("Every township"),
    )
    q = SearchFilter(
        lookups=(
            "subject__icontains", "body__icontains", "answer__icontains",
            "author__username__icontains", "author__first_name__icontains",
            "author__last_name__icontains",
        )
    )  # fmt: skip

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
