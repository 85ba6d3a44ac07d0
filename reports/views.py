"""The Organization Department's dashboard: composes the selectors of signs."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from signs import selectors
from signs.choices import SignKind
from supervision.selectors import departments as department_selectors
from supervision.selectors import review as review_selectors
from supervision.selectors import visits as visit_selectors
from supervision.selectors import worklists as worklist_selectors
from utilities.forms import AsOfForm
from utilities.job_views import export_or_job, start_and_show

from . import exports
from .jobs import towns_in_scope
from .tables import DepartmentTable, TownProgressTable

TOWNS_PER_PAGE = 50


@login_required
def dashboard(request):
    """Progress against the standard, city → township, as of any date; charts by month."""
    form = AsOfForm(request.GET or None)
    towns = towns_in_scope(request.user)
    as_of, year = form.values(
        default_year=lambda day: selectors.latest_removal_year(as_of=day, towns=towns)
    )
    rows = selectors.town_progress(as_of=as_of, towns=towns)
    totals = selectors.city_progress(as_of=as_of, towns=towns, rows=rows)
    by_kind = selectors.removed_by_kind(as_of=as_of, towns=towns, rows=rows)
    monthly = selectors.removed_by_month(as_of=as_of, year=year, towns=towns)
    reviews = review_selectors.review_figures_by_town(as_of=as_of, towns=towns)
    table = TownProgressTable(rows, as_of=as_of, reviews=reviews)
    # 50 townships a page: a province's 850 would take a second to render (docs/performance.md);
    # the Excel export still writes every row.
    RequestConfig(request, paginate={"per_page": TOWNS_PER_PAGE}).configure(table)
    if request.GET.get("_export") == "xlsx":
        return export_or_job(
            request,
            rows=len(rows),
            respond=lambda: exports.town_progress(table, as_of=as_of),
            title=_("Townships' progress as of %(date)s") % {"date": f"{as_of:%Y-%m-%d}"},
        )
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
            "review": review_selectors.city_review_figures(reviews),
            "work_lists": worklist_selectors.work_lists_issued(year=year),
            "coverage": visit_selectors.coverage(year=year, towns=towns),
            "rebounds": visit_selectors.rebounds_in_year(year=year, towns=towns).count(),
            "books": selectors.book_coverage(towns=towns),
            "departments": DepartmentTable(
                department_selectors.department_report(as_of=as_of, towns=towns)
            ),
        },
    )


@login_required
@require_POST
def ledger_export(request):
    """Start the full 台账 workbook for what the user may see, as of the chosen date, as a job;
    its page shows the progress and then the file."""
    as_of, _year = AsOfForm(request.POST or None).values()
    return start_and_show(
        request,
        task="ledger",
        title=_("Full ledger (台账) as of %(date)s") % {"date": f"{as_of:%Y-%m-%d}"},
        params={"as_of": as_of.isoformat()},
    )


@login_required
def definitions(request):
    """docs/definitions.md, rendered, so a reader of a figure can see how it is counted."""
    import markdown

    text = (settings.BASE_DIR / "docs" / "definitions.md").read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables"])
    return render(request, "reports/definitions.html", {"html": html})
