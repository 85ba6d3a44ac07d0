"""Thin views: scope by who asks, call one selector or service, render."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from utilities.forms import AsOfForm
from utilities.views import form_errors_text, form_page, refused_with_message, submit
from villages.access import (
    can_edit_village,
    is_city_level,
    user_town,
    visible_towns,
    visible_villages,
)
from villages.decorators import city_level_required, village_editable, village_visible

from . import exports, history, removal_photos, selectors, services
from .choices import SignStatus
from .filtersets import AuditEntryFilterSet, VillageFilterSet
from .forms import BulkRemovalForm, RemovalForm, RevokeForm, SignboardForm
from .tables import AuditEntryTable, VillageTable

NOTHING_SAVED = gettext_lazy("Nothing was saved. %(error)s")
HISTORY_PER_PAGE = 50
FLAGGED_SHOWN = 20


@login_required
def home(request):
    """Township staff go to their township, city-level users to the dashboard."""
    town = user_town(request.user)
    city_level = is_city_level(request.user)
    if town is not None and not city_level:
        return redirect("town", code=town.code)
    if city_level:
        return redirect("dashboard")  # reports sits above signs: linked by URL name only
    return render(request, "signs/home.html", {"town": town})


class TownView(SingleTableMixin, FilterView):
    """A township's villages: search, filter by meeting the standard, sort, page."""

    table_class = VillageTable
    filterset_class = VillageFilterSet
    template_name = "signs/town.html"
    table_pagination = {"per_page": 30}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission(request)
        self.town = get_object_or_404(visible_towns(request.user), code=kwargs["code"])
        self.as_of, _year = AsOfForm(request.GET).values()
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self, request):
        return redirect_to_login(request.get_full_path())

    def get_queryset(self):
        villages = visible_villages(self.request.user).filter(town=self.town)
        return selectors.village_progress(as_of=self.as_of, villages=villages)

    def get_table_kwargs(self):
        return {"as_of": self.as_of}

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("_export") == "xlsx":
            return exports.town_progress(context["table"], town=self.town, as_of=self.as_of)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["town"] = self.town
        context["is_today"] = self.as_of == timezone.localdate()
        context["as_of"] = self.as_of
        context["totals"] = selectors.city_progress(as_of=self.as_of, towns=[self.town])
        villages = visible_villages(self.request.user).filter(town=self.town)
        context["flagged"] = list(selectors.flagged_removals(villages=villages)[:FLAGGED_SHOWN])
        return context


@village_visible
def village_detail(request, village):
    """The inventory by room with each sign's state, and the standard's checklist."""
    as_of, _year = AsOfForm(request.GET).values()
    signs = list(selectors.village_signs(village=village, as_of=as_of))
    checklist = list(selectors.village_checklist(village=village, as_of=as_of))
    # Changes are made to today's inventory; a past date is for looking only.
    can_edit = can_edit_village(request.user, village) and as_of == timezone.localdate()
    removable = [s for s in signs if s.status in (SignStatus.TO_REMOVE, SignStatus.DUPLICATE)]
    bulk_form = BulkRemovalForm(signboards=selectors.editable_signboards(request.user))
    return render(
        request,
        "signs/village.html",
        {
            "village": village,
            "as_of": as_of,
            "signs": signs,
            "removable_count": len(removable),
            "checklist": checklist,
            "can_edit": can_edit,
            "bulk_form": bulk_form,
            "statuses": SignStatus,
        },
    )


@village_editable
@require_POST
def removal_bulk(request, village):
    """Record the ticked signs of one village with one date and reason, all or nothing."""
    village_url = reverse("village", args=[village.code])
    signs = selectors.editable_signboards(request.user).filter(village=village)
    form = BulkRemovalForm(request.POST, signboards=signs)
    if not form.is_valid():
        messages.error(request, NOTHING_SAVED % {"error": form_errors_text(form)})
        return redirect(village_url)
    data = form.cleaned_data
    return submit(
        request,
        form,
        lambda: services.removals_record_bulk(
            signboards=list(data["signboards"]),
            user=request.user,
            removed_on=data["removed_on"],
            reason=data["reason"],
            note=data["note"],
        ),
        success_url=village_url,
        message=lambda done: _("%(n)d removals recorded.") % {"n": len(done)},
        on_refused=refused_with_message(request, village_url, NOTHING_SAVED),
    )


@login_required
def removal_create(request, pk):
    """Record one removal: one tap to open, the camera, one tap to save.

    When the photo after removal still shows the sign's title, the form comes back with a
    warning, the photos kept on the server; ticking 仍然保存 saves the removal flagged.
    """
    sign = get_object_or_404(selectors.editable_signboards(request.user), pk=pk)
    village_url = reverse("village", args=[sign.village.code])
    if selectors.is_removed(sign):
        return _already_removed(request, village_url)
    form = RemovalForm(request.POST or None, request.FILES or None)
    seen = ""
    if request.method == "POST" and form.is_valid():
        checked = removal_photos.check(request, form, sign)
        seen = checked.seen
        if checked.warned_form is not None:
            form = checked.warned_form
        elif form.is_valid():
            response = submit(
                request,
                form,
                lambda: services.removal_record(
                    signboard=sign,
                    user=request.user,
                    **checked.service_kwargs(),
                    **form.cleaned_fields(),
                ),
                success_url=village_url,
                message=_("Removal of “%(sign)s” recorded.") % {"sign": sign.title},
                then=lambda _removal: removal_photos.discard_kept(request, form),
                # A double tap: the first tap's removal now stands.
                on_refused=lambda exc: (
                    _already_removed(request, village_url) if selectors.is_removed(sign) else None
                ),
            )
            if response:
                return response
    return render(request, "signs/removal_form.html", {"form": form, "sign": sign, "seen": seen})


def _already_removed(request, village_url: str):
    messages.warning(request, _("This sign has already been removed."))
    return redirect(village_url)


@village_editable
def signboard_create(request, village):
    """Add a sign to the inventory."""
    standard = selectors.current_standard()
    form = SignboardForm(request.POST or None, standard=standard)
    return form_page(
        request,
        form,
        lambda: services.signboard_create(
            village=village, user=request.user, **form.cleaned_fields()
        ),
        template="signs/signboard_form.html",
        context={
            "village": village,
            "titles": selectors.standard_items(standard=standard),
            "rooms": selectors.room_suggestions(village=village),
        },
        success_url=reverse("village", args=[village.code]),
        message=lambda sign: _("“%(sign)s” added.") % {"sign": sign.title},
    )


@login_required
def removal_revoke(request, pk):
    """Take back a mistaken removal, with a reason; the history keeps both."""
    removal = get_object_or_404(selectors.editable_removals(request.user), pk=pk)
    village_url = reverse("village", args=[removal.signboard.village.code])
    if removal.revoked_at is not None:  # a second tap, or an old page
        messages.info(request, _("This removal has already been revoked."))
        return redirect(village_url)
    form = RevokeForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.removal_revoke(
            removal=removal, user=request.user, reason=form.cleaned_data["reason"]
        ),
        template="signs/revoke_form.html",
        context={"removal": removal},
        success_url=village_url,
        message=_("The removal was revoked; the sign counts as up again."),
    )


@login_required
def signboard_history(request, pk):
    """Who did what to a sign, and when, with each change before → after."""
    sign = get_object_or_404(selectors.visible_signboards(request.user), pk=pk)
    removals = sign.removals.select_related("recorded_by", "revoked_by").order_by("recorded_at")
    return render(
        request,
        "signs/signboard_history.html",
        {
            "sign": sign,
            "removals": removals,
            "rows": history.describe_entries(selectors.signboard_history(signboard=sign)),
        },
    )


@village_visible
def village_history(request, village):
    """Every change to a village, its signs and their removals, newest first, 50 a page."""
    paginator = Paginator(selectors.village_history(village=village), HISTORY_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "signs/village_history.html",
        {"village": village, "page": page, "rows": history.describe_entries(page.object_list)},
    )


class TownActivityView(SingleTableMixin, FilterView):
    """A township's activity log for the city's reviewers: by user, action and local dates."""

    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    template_name = "signs/town_activity.html"
    table_pagination = {"per_page": HISTORY_PER_PAGE}

    # Reviewers oversee the townships; a township's own staff have their village pages.
    @method_decorator(city_level_required)
    def dispatch(self, request, *args, **kwargs):
        self.town = get_object_or_404(visible_towns(request.user), code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.town_activity(town=self.town)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "town": self.town}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "town": self.town}


def _village_url(village) -> str:
    base = settings.SITE_BASE_URL.rstrip("/")
    return base + reverse("village", args=[village.code])


@village_visible
def village_qr(request, village):
    """A printable QR code that opens the village page by its stable code."""
    url = _village_url(village)
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000")
    return render(request, "signs/village_qr.html", {"village": village, "url": url, "svg": svg})


@village_visible
def village_qr_svg(request, village):
    buffer = io.BytesIO()
    segno.make(_village_url(village), error="m").save(buffer, kind="svg", scale=10)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
