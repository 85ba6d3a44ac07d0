"""意见建议: any signed-in user sends a suggestion or complaint and reads the answer; the system
administrators read every item and answer it on the same pages.

A sender sees only their own items (another's is a 404); the answer URL is a 404 for anyone
who does not answer, so scope and role are one queryset, never a check to forget.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from utilities.views import form_page, submit

from . import selectors, services
from .access import can_answer
from .choices import FeedbackStatus
from .filtersets import FeedbackFilterSet
from .forms import AnswerForm, FeedbackForm

PER_PAGE = 20


@login_required
@require_GET
def feedback_list(request):
    """A sender's own items with their answers; for those who answer, every item, the ones
    awaiting an answer first, filtered by status, kind, township or text."""
    answerer = can_answer(request.user)
    items = selectors.visible_feedback(request.user)
    filterset = FeedbackFilterSet(request.GET or None, queryset=items, answerer=answerer)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/list.html",
        {
            "page": page,
            "filter": filterset,
            "counts": selectors.status_counts(items=items),
            "answerer": answerer,
            "statuses": FeedbackStatus,
        },
    )


@login_required
def feedback_create(request):
    """Send a suggestion, complaint or problem report; a double tap sends it once."""
    form = FeedbackForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.feedback_create(user=request.user, **form.cleaned_fields()),
        success_url=lambda feedback: reverse("feedback_detail", args=[feedback.pk]),
        already_url=reverse("feedback_list"),
        message=_("Sent. The answer of the system administrators will appear here."),
        template="feedback/form.html",
        context={},
    )


def _detail(request, feedback, form):
    return render(request, "feedback/detail.html", {"feedback": feedback, "form": form})


@login_required
@require_GET
def feedback_detail(request, pk):
    """The item and its answer; for those who answer, the form to answer or change it."""
    feedback = get_object_or_404(selectors.visible_feedback(request.user), pk=pk)
    form = AnswerForm(initial={"answer": feedback.answer}) if can_answer(request.user) else None
    return _detail(request, feedback, form)


@login_required
@require_POST
def feedback_answer(request, pk):
    """Answer an item or change its answer; a refused answer comes back on the item's page."""
    feedback = get_object_or_404(selectors.answerable_feedback(request.user), pk=pk)
    detail_url = reverse("feedback_detail", args=[feedback.pk])
    form = AnswerForm(request.POST)
    if form.is_valid():
        response = submit(
            request,
            form,
            lambda: services.feedback_answer(
                feedback=feedback, user=request.user, answer=form.cleaned_data["answer"]
            ),
            success_url=detail_url,
            message=_("Answer saved; the sender sees it now."),
        )
        if response:
            return response
    return _detail(request, feedback, form)


urlpatterns = [
    path("feedback/", feedback_list, name="feedback_list"),
    path("feedback/new/", feedback_create, name="feedback_create"),
    path("feedback/<int:pk>/", feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/answer/", feedback_answer, name="feedback_answer"),
]
