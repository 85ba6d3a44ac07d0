import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.choices import VillageKind


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
