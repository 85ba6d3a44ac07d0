"""The Organization Department's dashboard: composes the selectors of signs."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from signs import selectors
from signs.choices import SignKind
from signs.forms import AsOfForm
from villages.access import is_city_level, visible_towns

from .tables import TownProgressTable


@login_required
def dashboard(request):
    """Progress against the standard, city → township, as of any date; charts by month."""
    form = AsOfForm(request.GET or None)
    as_of, year = form.values()
    towns = None if is_city_level(request.user) else visible_towns(request.user)
    rows = selectors.town_progress(as_of=as_of, towns=towns)
    totals = selectors.city_progress(as_of=as_of, towns=towns, rows=rows)
    by_kind = selectors.removed_by_kind(as_of=as_of, towns=towns)
    monthly = selectors.removed_by_month(as_of=as_of, year=year, towns=towns)
    table = TownProgressTable(rows, as_of=as_of)
    RequestConfig(request, paginate=False).configure(table)
    charts = {
        "months": [f"{end:%Y-%m}" for end in monthly.ends],
        "city": {"name": _("All townships"), "data": monthly.city},
        "towns": [
            {
                "name": row.town.name,
                "data": monthly.by_town.get(row.town.pk, [0] * len(monthly.ends)),
            }
            for row in rows
        ],
        "progress": {
            "towns": [row.town.name for row in rows],
            "values": [float(row.progress) for row in rows],
        },
    }
    kinds = [(label, by_kind[value]) for value, label in SignKind.choices]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "as_of": as_of,
            "year": year,
            "totals": totals,
            "kinds": kinds,
            "table": table,
            "charts": charts,
            "investment_wan": selectors.yuan_to_wan(totals.investment),
            "removed_in_year": monthly.in_year,
        },
    )


@login_required
def definitions(request):
    """docs/definitions.md, rendered, so a reader of a figure can see how it is counted."""
    import markdown

    text = (settings.BASE_DIR / "docs" / "definitions.md").read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables"])
    return render(request, "reports/definitions.html", {"html": html})
