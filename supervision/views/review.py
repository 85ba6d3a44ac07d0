"""Review (核验) and 销号 of removals: the reviewers' queue and decisions, the townships'
corrections, and each village's closure.

Reviewers decide; other city-level users (administrators) may look at the queue and a
removal's page but not decide; township staff see and correct only their own township's
returned removals. Anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from signs import ocr, readings, removal_photos
from signs import selectors as signs_selectors
from utilities import jobs
from utilities.views import form_errors_text, refused_with_message, submit
from villages.access import (
    is_reviewer,
    user_town,
    visible_towns,
    visible_villages,
)
from villages.decorators import city_reads_reviewer_writes

from ..choices import ReviewStatus
from ..filtersets.review import ReviewQueueFilterSet, import_batches
from ..forms.review import RETURN, BatchVerifyForm, BulkVerifyForm, ResubmitForm, ReviewForm
from ..selectors import review as selectors
from ..services import review as services
from ..tables.review import ReviewQueueTable

QUEUE_PER_PAGE = 30
RETURNED_PER_PAGE = 30
NOTHING_VERIFIED = gettext_lazy("Nothing was verified. %(error)s")


class ReviewQueueView(SingleTableMixin, FilterView):
    """Reported removals to verify, oldest first; tick several and verify them at once."""

    table_class = ReviewQueueTable
    filterset_class = ReviewQueueFilterSet
    template_name = "supervision/review/queue.html"
    table_pagination = {"per_page": QUEUE_PER_PAGE}

    @method_decorator(city_reads_reviewer_writes)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.reported_removals(villages=visible_villages(self.request.user))

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        return {**kwargs, "towns": visible_towns(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = getattr(self, "bulk_form", None) or BulkVerifyForm(
            removals=selectors.pending_removals(villages=visible_villages(self.request.user))
        )
        context["can_decide"] = is_reviewer(self.request.user)
        batch = self.filterset.form.cleaned_data.get("batch") if self.filterset.is_valid() else None
        if batch is not None:
            context["batch"] = batch
            context["batch_pending"] = self._pending().filter(import_batch=batch).count()
            context["batch_form"] = BatchVerifyForm(batches=self._batches())
        return context

    def _pending(self):
        return selectors.pending_removals(villages=visible_villages(self.request.user))

    def _batches(self):
        return import_batches(visible_towns(self.request.user))

    def post(self, request, *args, **kwargs):
        """核验通过所选: all the ticked removals, or none; or every pending removal of one
        imported batch (a township's ledger), or none."""
        if "batch" in request.POST:
            return self._verify_batch(request)
        form = BulkVerifyForm(
            request.POST,
            removals=selectors.pending_removals(villages=visible_villages(request.user)),
        )
        queue_url = request.get_full_path()
        if not form.is_valid():
            messages.error(request, NOTHING_VERIFIED % {"error": form_errors_text(form)})
            return redirect(queue_url)
        return submit(
            request,
            form,
            lambda: services.removals_verify_bulk(
                removals=list(form.cleaned_data["removals"]), user=request.user
            ),
            success_url=queue_url,
            message=lambda done: _("%(n)d removals verified.") % {"n": len(done)},
            on_refused=refused_with_message(request, queue_url, NOTHING_VERIFIED),
        )

    def _verify_batch(self, request):
        form = BatchVerifyForm(request.POST, batches=self._batches())
        queue_url = request.get_full_path()
        if not form.is_valid():
            messages.error(request, NOTHING_VERIFIED % {"error": form_errors_text(form)})
            return redirect(queue_url)
        removals = self._pending().filter(import_batch=form.cleaned_data["batch"])
        return submit(
            request,
            form,
            lambda: services.removals_verify_bulk(removals=list(removals), user=request.user),
            success_url=queue_url,
            message=lambda done: _("%(n)d removals verified.") % {"n": len(done)},
            on_refused=refused_with_message(request, queue_url, NOTHING_VERIFIED),
        )


review_queue = ReviewQueueView.as_view()


@city_reads_reviewer_writes
def review_removal(request, pk):
    """One removal with its evidence: 核验通过, or 退回 with what to correct; then the next."""
    removal = get_object_or_404(selectors.visible_removals(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        returned = data["decision"] == RETURN
        if returned:
            text = _("“%(sign)s” returned to %(town)s for correction.")
        else:
            text = _("“%(sign)s” verified.")
        response = submit(
            request,
            form,
            lambda: (
                services.removal_return(removal=removal, user=request.user, comment=data["comment"])
                if returned
                else services.removal_verify(removal=removal, user=request.user)
            ),
            success_url=lambda _review: _next_to_review(request, removal),
            already_url=reverse("review_removal", args=[removal.pk]),
            message=text
            % {"sign": removal.signboard.title, "town": removal.signboard.village.town},
        )
        if response:
            return response
    return render(
        request,
        "supervision/review/removal.html",
        {
            "removal": removal,
            "sign": removal.signboard,
            "form": form,
            "state": removal.review_state,
            "review": getattr(removal, "review", None),
            "pending": removal.review_state == ReviewStatus.PENDING,
            "can_decide": is_reviewer(request.user),
            "statuses": ReviewStatus,
        },
    )


def _next_to_review(request, removal) -> str:
    """The next removal waiting after `removal`, or the queue when none is left."""
    following = selectors.next_pending(villages=visible_villages(request.user), after=removal)
    if following is None:
        messages.info(request, _("Nothing else is waiting for verification."))
        return reverse("review_queue")
    return reverse("review_removal", args=[following.pk])


@login_required
def review_returned(request, code):
    """A township's returned removals, each with the reviewer's comment, to correct."""
    town = get_object_or_404(visible_towns(request.user), code=code)
    villages = visible_villages(request.user).filter(town=town)
    paginator = Paginator(selectors.returned_removals(villages=villages), RETURNED_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/review/returned.html",
        {
            "town": town,
            "page": page,
            "can_correct": user_town(request.user) == town,
        },
    )


@login_required
def removal_resubmit(request, pk):
    """The township corrects a returned removal (reason, note, photos) and resubmits it."""
    removal = get_object_or_404(signs_selectors.editable_removals(request.user).in_effect(), pk=pk)
    returned_url = reverse("review_returned", args=[removal.signboard.village.town.code])
    review = getattr(removal, "review", None)
    if review is None or review.status != ReviewStatus.RETURNED:  # resubmitted, or never returned
        messages.info(request, _("This removal is not waiting for a correction."))
        return redirect(returned_url)
    initial = {"reason": removal.reason, "note": removal.note}
    form = ResubmitForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        flag = None  # kept as it is, unless the reader looks at a new photo after removal
        if data["photo"] and ocr.available() and not jobs.queued():  # else: check_later
            try:
                flag = bool(readings.seen_in_removal_photo(removal.signboard.title, data["photo"]))
            except ValidationError as exc:
                form.add_error("photo", exc.messages)
    if form.is_bound and form.is_valid():
        response = submit(
            request,
            form,
            lambda: services.removal_resubmit(
                removal=removal,
                user=request.user,
                reason=data["reason"],
                note=data["note"],
                photo=data["photo"],
                photo_before=data["photo_before"],
                title_in_photo=flag,
            ),
            success_url=returned_url,
            message=_("“%(sign)s” corrected and sent back for verification.")
            % {"sign": removal.signboard.title},
            then=lambda _removal: (
                flag
                and messages.warning(
                    request,
                    _("The sign was still read in the new photo: the reviewer will check it."),
                ),
                data["photo"] and removal_photos.check_later(request, removal),
            ),
        )
        if response:
            return response
    return render(
        request,
        "supervision/review/resubmit.html",
        {"removal": removal, "sign": removal.signboard, "review": review, "form": form},
    )


@login_required
def village_closure(request, code):
    """Each village of a township: meets the standard, its removals by review state, 销号."""
    town = get_object_or_404(visible_towns(request.user), code=code)
    villages = visible_villages(request.user).filter(town=town)
    today = timezone.localdate()
    figures = selectors.review_figures_by_town(as_of=today, towns=[town]).get(town.pk)
    return render(
        request,
        "supervision/review/closure.html",
        {
            "town": town,
            "rows": selectors.village_closure(villages=villages),
            "figures": figures or selectors.ReviewFigures(),
            "today": today,
            "can_correct": user_town(request.user) == town,
            "is_reviewer": is_reviewer(request.user),
        },
    )


urlpatterns = [
    path("review/", review_queue, name="review_queue"),
    path("review/<int:pk>/", review_removal, name="review_removal"),
    path("t/<str:code>/returned/", review_returned, name="review_returned"),
    path("r/<int:pk>/resubmit/", removal_resubmit, name="removal_resubmit"),
    path("t/<str:code>/closure/", village_closure, name="village_closure"),
]
