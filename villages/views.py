"""Pages of the territory floor that every signed-in or anonymous user shares."""

from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .display import large_text_set


@require_POST
def large_text(request):
    """The footer's 长辈模式 switch: on=1 or on=0, then back to the page it was pressed on."""
    large_text_set(request=request, on=request.POST.get("on") == "1")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    return HttpResponseRedirect(back)


urlpatterns = [path("accounts/large-text/", large_text, name="large_text")]
