"""Recording removals (one sign, or several of a village at once), adding a sign, and revoking
a mistaken removal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from utilities.offline import offline_page
from utilities.views import form_errors_text, form_page, refused_with_message, submit
from villages.decorators import village_editable

from .. import removal_photos, selectors, services
from ..forms import BulkRemovalForm, RemovalForm, RevokeForm, SignboardForm

NOTHING_SAVED = gettext_lazy("Nothing was saved. %(error)s")


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


@offline_page
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
    form = RemovalForm(
        request.POST or None, request.FILES or None, initial={"requested_by": sign.requested_by}
    )
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
                then=lambda removal: (
                    removal_photos.discard_kept(request, form),
                    removal_photos.check_later(request, removal),
                ),
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


@offline_page
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


urlpatterns = [
    path("v/<str:code>/signs/new/", signboard_create, name="signboard_create"),
    path("v/<str:code>/removals/bulk/", removal_bulk, name="removal_bulk"),
    path("s/<int:pk>/remove/", removal_create, name="removal_create"),
    path("r/<int:pk>/revoke/", removal_revoke, name="removal_revoke"),
]
