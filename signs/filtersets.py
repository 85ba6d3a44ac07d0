import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.audit import action_choices
from villages.choices import VillageKind
from villages.models import AuditEntry, Town

from .history import actor_name

DATE = {"type": "date", "class": "form-control form-control-sm"}
ISO_DATE = "%Y-%m-%d"  # what <input type="date"> takes, whatever the language
SELECT = {"class": "form-select form-select-sm"}


class VillageFilterSet(django_filters.FilterSet):
    """Filters a `village_progress` queryset (it carries `meets_standard`)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label=_("kind"))
    meets_standard = django_filters.BooleanFilter(
        label=_("Meets the standard"),
        widget=django_filters.widgets.BooleanWidget(),
    )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return actor_name(obj)


class ActorFilter(django_filters.ModelChoiceFilter):
    field_class = ActorChoiceField


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in Hengzhou (Asia/Shanghai), whatever the server's zone."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


class AuditEntryFilterSet(django_filters.FilterSet):
    """Filters a township's audit entries by who, what and local dates (both inclusive)."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control form-control-sm",
                   "placeholder": _("sign or village")}
        ),
    )  # fmt: skip
    actor = ActorFilter(
        queryset=get_user_model().objects.none(),
        label=_("by"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
    )
    action = django_filters.ChoiceFilter(
        choices=action_choices,
        label=_("action"),
        empty_label=_("All"),
        widget=forms.Select(attrs=SELECT),
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

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(object_repr__icontains=value) if value else queryset

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))
