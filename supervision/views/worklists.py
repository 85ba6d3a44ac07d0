"""Monthly work lists (月工作清单): reviewers issue them; each township answers its items."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from utilities.job_views import export_or_job
from utilities.views import form_page
from villages.access import is_city_level, is_reviewer, user_town, visible_towns
from villages.decorators import city_reads_reviewer_writes, reviewer_required, town_or_city_required

from .. import exports
from ..filtersets.worklists import WorkItemFilterSet
from ..forms.worklists import WorkItemDoneForm, WorkItemForm, WorkListForm
from ..selectors import worklists as selectors
from ..services import worklists as services


@town_or_city_required
def worklist_list(request):
    """Every list with its completion: over all townships at city level, the staffer's
    own township's items otherwise."""
    city = is_city_level(request.user)
    town = None if city else user_town(request.user)
    years = list(
        selectors.visible_work_lists(request.user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() and int(year) in years else None
    lists = list(selectors.work_lists(year=year, town=town))
    for work_list in lists:
        work_list.percent = selectors.percent(work_list.done_count, work_list.item_count)
    return render(
        request,
        "supervision/worklists/list.html",
        {
            "lists": lists,
            "years": years,
            "year": year,
            "town": town,
            "can_issue": is_reviewer(request.user),
        },
    )


@reviewer_required
def worklist_create(request):
    """Issue this month's list: tasks for every township, items from the figures."""
    form = WorkListForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.work_list_issue(user=request.user, **form.service_kwargs()),
        success_url=lambda work_list: reverse("worklist_detail", args=[work_list.pk]),
        already_url=reverse("worklist_list"),
        message=lambda work_list: (
            _("“%(title)s” issued with %(n)d items.")
            % {"title": work_list.title, "n": work_list.items.count()}
        ),
        template="supervision/worklists/form.html",
        context={},
    )


def _work_list_for(request, pk):
    return get_object_or_404(
        selectors.visible_work_lists(request.user).select_related("issued_by"), pk=pk
    )


@town_or_city_required
def worklist_detail(request, pk):
    """Completion by township and the items grouped by township; staff see and answer only
    their own township's. `?_export=xlsx` gives the filtered items as a 台账."""
    work_list = _work_list_for(request, pk)
    towns = visible_towns(request.user)
    filterset = WorkItemFilterSet(
        request.GET or None,
        queryset=selectors.visible_items(request.user, work_list),
        towns=towns,
    )
    items = list(filterset.qs)
    completion = selectors.completion_by_town(work_list=work_list, towns=towns)
    if request.GET.get("_export") == "xlsx":
        return export_or_job(
            request,
            rows=len(items),
            respond=lambda: exports.work_list_completion(work_list, completion, items),
            title=_("Work list %(title)s as Excel") % {"title": work_list.title},
        )
    return render(
        request,
        "supervision/worklists/detail.html",
        {
            "work_list": work_list,
            "filter": filterset,
            "groups": _by_town(items, completion),
            "completion": completion,
            "total": selectors.total_completion(completion),
            "city": is_city_level(request.user),
            "can_edit": is_reviewer(request.user),
            "town": user_town(request.user),
            "today": timezone.localdate(),
        },
    )


@town_or_city_required
def worklist_print(request, pk):
    """The list on A4, a section per township with a 签收 line; staff print their own."""
    work_list = _work_list_for(request, pk)
    towns = visible_towns(request.user)
    items = list(selectors.visible_items(request.user, work_list))
    completion = selectors.completion_by_town(work_list=work_list, towns=towns)
    return render(
        request,
        "supervision/worklists/print.html",
        {
            "work_list": work_list,
            "groups": _by_town(items, completion),
            "unit": settings.SITE_UNIT_NAME,
            "printed_on": timezone.localdate(),
        },
    )


@city_reads_reviewer_writes
def workitem_create(request, pk):
    """Add a free-text item to an issued list, for one township or every one. Reviewers add;
    other city-level users may look at the form but not send it (as on the review page)."""
    work_list = get_object_or_404(selectors.visible_work_lists(request.user), pk=pk)
    form = WorkItemForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.work_item_add(
            work_list=work_list, user=request.user, **form.cleaned_fields()
        ),
        success_url=reverse("worklist_detail", args=[work_list.pk]),
        message=lambda added: _("%(n)d items added.") % {"n": len(added)},
        template="supervision/worklists/item_form.html",
        context={"work_list": work_list, "can_add": is_reviewer(request.user)},
    )


@login_required
def workitem_done(request, pk):
    """A township's staffer marks one of its items done, saying how. Only the item's own
    township answers it: reviewers follow on the list, anyone else gets a 404."""
    item = get_object_or_404(selectors.answerable_items(request.user), pk=pk)
    url = reverse("worklist_detail", args=[item.work_list_id])
    if item.done_at is not None:  # a second tap, or an old page
        messages.info(request, _("This item has already been marked done."))
        return redirect(url)
    form = WorkItemDoneForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.work_item_done(
            item=item, user=request.user, note=form.cleaned_data["note"]
        ),
        success_url=url,
        message=_("Item marked done."),
        template="supervision/worklists/done_form.html",
        context={"item": item},
    )


def _by_town(items, completion) -> list[dict]:
    """The items (ordered by township) in one group per township, with its figures."""
    rows = {row.town.pk: row for row in completion}
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["town"].pk != item.town_id:
            groups.append({"town": item.town, "row": rows.get(item.town_id), "items": []})
        groups[-1]["items"].append(item)
    return groups


urlpatterns = [
    path("worklists/", worklist_list, name="worklist_list"),
    path("worklists/new/", worklist_create, name="worklist_create"),
    path("worklists/<int:pk>/", worklist_detail, name="worklist_detail"),
    path("worklists/<int:pk>/print/", worklist_print, name="worklist_print"),
    path("worklists/<int:pk>/items/new/", workitem_create, name="workitem_create"),
    path("items/<int:pk>/done/", workitem_done, name="workitem_done"),
]
