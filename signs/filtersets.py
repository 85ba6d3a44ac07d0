import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from utilities.filters import DATE, ISO_DATE, SEARCH, ModelSelectFilter, SearchFilter, SelectFilter
from villages.audit import action_choices
from villages.choices import VillageKind
from villages.models import AuditEntry, Town

from .history import actor_name


class VillageFilterSet(django_filters.FilterSet):
    """Filters a `village_progress` queryset (it carries `meets_standard`)."""

    q = SearchFilter(lookups=("name__icontains", "code__startswith"), attrs=None)
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label=_("kind"))
    meets_standard = django_filters.BooleanFilter(
        label=_("Meets the standard"),
        widget=django_filters.widgets.BooleanWidget(),
    )


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return actor_name(obj)


class ActorFilter(ModelSelectFilter):
    field_class = ActorChoiceField


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in Hengzhou (Asia/Shanghai), whatever the server's zone."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


class AuditEntryFilterSet(django_filters.FilterSet):
    """Filters a township's audit entries by who, what and local dates (both inclusive)."""

    q = SearchFilter(
        lookups=("object_repr__icontains",),
        attrs={**SEARCH, "placeholder": _("sign or village")},
    )
    actor = ActorFilter(
        queryset=get_user_model().objects.none(),
        label=_("by"),
    )
    action = SelectFilter(
        choices=action_choices,
        label=_("action"),
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from",
        label=_("From date"),
        widget=forms.DateInput(attrs=DATE, format=ISO_DATE),
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to",
        label=_("To date"),
        widget=forms.DateInput(attrs=DATE, format=ISO_DATE),
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "actor", "action", "date_from", "date_to"]

    def __init__(self, *args, town: Town | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who did something in the township: the list stays short and says who.
        entries = AuditEntry.objects.all() if town is None else AuditEntry.objects.filter(town=town)
        self.filters["actor"].queryset = (
            get_user_model()
            .objects.filter(pk__in=entries.order_by().values("actor"))
            .order_by("username")
        )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))
