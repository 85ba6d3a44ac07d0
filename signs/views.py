"""Thin views: scope by who asks, call one selector or service, render."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from villages.access import (
    can_edit_village,
    is_city_level,
    user_town,
    visible_towns,
    visible_villages,
)
from villages.form_tokens import AlreadySubmitted

from . import history, readings, selectors, services
from .choices import SignStatus
from .excel import XLSX_CONTENT_TYPE, content_disposition, write_table
from .filtersets import AuditEntryFilterSet, VillageFilterSet
from .forms import AsOfForm, BulkRemovalForm, RemovalForm, RevokeForm, SignboardForm
from .pending import PendingUploads
from .tables import AuditEntryTable, VillageTable
from .view_helpers import add_errors, already_submitted, once, village_for

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
            table = context["table"]
            response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
            write_table(
                response, table, name=self.town.name, title=f"{self.town.name}村(社区)进度表",
                unit=settings.SITE_UNIT_NAME, as_of=self.as_of,
            )  # fmt: skip
            response["Content-Disposition"] = content_disposition(
                f"{self.town.name}村(社区)进度_截至{self.as_of:%Y-%m-%d}.xlsx",
                ascii_name=f"hengzhou-town-{self.town.code}-{self.as_of:%Y-%m-%d}.xlsx",
            )
            return response
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


@login_required
def village_detail(request, code):
    """The inventory by room with each sign's state, and the standard's checklist."""
    village = village_for(request, code)
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


# Removal photos wait here when 拍照识牌 still reads the sign in them (see removal_create).
PENDING_PHOTOS = PendingUploads(session_key="pending_removal_photos", suffix=".photo", keep=4)


@login_required
def removal_create(request, pk):
    """Record one removal: one tap to open, the camera, one tap to save.

    When the photo after removal still shows the sign's title, the form comes back with a
    warning, the photos kept on the server; ticking 仍然保存 saves the removal flagged.
    """
    sign = get_object_or_404(selectors.editable_signboards(request.user), pk=pk)
    village_url = reverse("village", args=[sign.village.code])
    if sign.removals.filter(revoked_at__isnull=True).exists():
        messages.warning(request, _("This sign has already been removed."))
        return redirect(village_url)
    form = RemovalForm(request.POST or None, request.FILES or None)
    seen = ""
    if request.method == "POST" and form.is_valid():
        scope = {"sign": sign.pk}
        uploads = {
            field: _removal_photo(request, form, field, scope=scope)
            for field in ("photo", "photo_before")
        }
        try:
            seen = _seen_in_photo(request, form, sign, uploads["photo"], scope=scope)
        except ValidationError as exc:
            form.add_error("photo", exc.messages)
    if form.is_bound and form.is_valid() and seen and not form.cleaned_data["save_anyway"]:
        form = _warned_form(request, form, uploads, seen=seen, scope=scope)
    elif form.is_bound and form.is_valid():
        try:
            with once(form, request):
                services.removal_record(
                    signboard=sign,
                    user=request.user,
                    photo=uploads["photo"],
                    photo_before=uploads["photo_before"],
                    title_in_photo=bool(seen),
                    **form.cleaned_fields(),
                )
        except AlreadySubmitted:
            return already_submitted(request, village_url)
        except ValidationError as exc:
            if sign.removals.filter(revoked_at__isnull=True).exists():  # a double tap
                messages.warning(request, _("This sign has already been removed."))
                return redirect(village_url)
            add_errors(form, exc)
        else:
            for field in ("pending_photo", "pending_photo_before"):
                if token := form.cleaned_data[field]:
                    PENDING_PHOTOS.discard(request, str(token))
            messages.success(request, _("Removal of “%(sign)s” recorded.") % {"sign": sign.title})
            return redirect(village_url)
    return render(request, "signs/removal_form.html", {"form": form, "sign": sign, "seen": seen})


def _removal_photo(request, form, field: str, *, scope: dict):
    """The photo just uploaded in `field`, else the one kept on the server from the warning."""
    if upload := form.cleaned_data[field]:
        return upload
    if not (token := form.cleaned_data[f"pending_{field}"]):
        return None
    if loaded := PENDING_PHOTOS.load(request, str(token), scope=scope):
        return ContentFile(loaded[1], name="photo.jpg")
    form.add_error(field, _("The kept photo has expired; please take it again."))
    return None


def _seen_in_photo(request, form, sign, upload, *, scope: dict) -> str:
    """What still shows the sign in the photo after removal ("" if nothing, or no photo)."""
    if upload is None:
        return ""
    if not form.cleaned_data["photo"]:  # kept from the warning, when it was read
        loaded = PENDING_PHOTOS.load(request, str(form.cleaned_data["pending_photo"]), scope=scope)
        return loaded[0]["seen"] if loaded else ""
    return readings.seen_in_removal_photo(sign.title, upload)


def _warned_form(request, form, uploads: dict, *, seen: str, scope: dict) -> RemovalForm:
    """The form again, with 仍然保存 to tick and its new photos kept on the server."""
    data = form.data.copy()
    for field, upload in uploads.items():
        if upload is not None and form.cleaned_data[field]:
            upload.seek(0)
            data[f"pending_{field}"] = PENDING_PHOTOS.store(
                request, scope=scope, data=upload.read(), seen=seen
            )
    return RemovalForm(data, warned=True)


@login_required
@require_POST
def removal_bulk(request, code):
    """Record the ticked signs of one village with one date and reason, all or nothing."""
    village = village_for(request, code, edit=True)
    signs = selectors.editable_signboards(request.user).filter(village=village)
    form = BulkRemovalForm(request.POST, signboards=signs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, request):
                done = services.removals_record_bulk(
                    signboards=list(data["signboards"]),
                    user=request.user,
                    removed_on=data["removed_on"],
                    reason=data["reason"],
                    note=data["note"],
                )
        except AlreadySubmitted:
            return already_submitted(request, reverse("village", args=[village.code]))
        except ValidationError as exc:
            messages.error(
                request, _("Nothing was saved. %(error)s") % {"error": " ".join(exc.messages)}
            )
        else:
            messages.success(request, _("%(n)d removals recorded.") % {"n": len(done)})
    else:
        errors = " ".join(e for field in form.errors.values() for e in field)
        messages.error(request, _("Nothing was saved. %(error)s") % {"error": errors})
    return redirect("village", code=village.code)


@login_required
def signboard_create(request, code):
    """Add a sign to the inventory."""
    village = village_for(request, code, edit=True)
    standard = selectors.current_standard()
    form = SignboardForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, request):
                sign = services.signboard_create(
                    village=village, user=request.user, **form.cleaned_fields()
                )
        except AlreadySubmitted:
            return already_submitted(request, reverse("village", args=[village.code]))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("“%(sign)s” added.") % {"sign": sign.title})
            return redirect("village", code=village.code)
    return render(
        request,
        "signs/signboard_form.html",
        {
            "form": form,
            "village": village,
            "titles": selectors.standard_items(standard=standard),
            "rooms": selectors.room_suggestions(village=village),
        },
    )


@login_required
def removal_revoke(request, pk):
    """Take back a mistaken removal, with a reason; the history keeps both."""
    removal = get_object_or_404(selectors.editable_removals(request.user), pk=pk)
    if removal.revoked_at is not None:  # a second tap, or an old page
        messages.info(request, _("This removal has already been revoked."))
        return redirect("village", code=removal.signboard.village.code)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, request):
                services.removal_revoke(
                    removal=removal, user=request.user, reason=form.cleaned_data["reason"]
                )
        except AlreadySubmitted:
            return already_submitted(
                request, reverse("village", args=[removal.signboard.village.code])
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The removal was revoked; the sign counts as up again."))
            return redirect("village", code=removal.signboard.village.code)
    return render(request, "signs/revoke_form.html", {"form": form, "removal": removal})


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


@login_required
def village_history(request, code):
    """Every change to a village, its signs and their removals, newest first, 50 a page."""
    village = village_for(request, code)
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

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Reviewers oversee the townships; a township's own staff have their village pages.
        if not is_city_level(request.user):
            raise Http404
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


@login_required
def village_qr(request, code):
    """A printable QR code that opens the village page by its stable code."""
    village = village_for(request, code)
    url = _village_url(village)
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000")
    return render(request, "signs/village_qr.html", {"village": village, "url": url, "svg": svg})


@login_required
def village_qr_svg(request, code):
    village = village_for(request, code)
    buffer = io.BytesIO()
    segno.make(_village_url(village), error="m").save(buffer, kind="svg", scale=10)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
def media(request, path):
    """Removal photos are evidence about a township's premises: signed-in users only.

    A busy site can hand this path to the web server (X-Accel-Redirect) instead.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)
