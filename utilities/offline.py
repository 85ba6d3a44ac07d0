"""The app offline (docs/offline.md): the service worker, the web app manifest, the outbox page,
and the answers the outbox gets.

Pages a township staffer may read with no network say so with `offline_page`: their answer
carries `X-Offline-Page: <user id>`, and the service worker (templates/utilities/sw.js) keeps
only such answers, for that user only. Writes made offline wait in the browser's outbox
(static/js/offline.js) and are later posted to the very views the online forms post to, with
the same checks; `OutboxMiddleware` turns those views' answers (a redirect with a message, the
form again with its errors, the login page, a 404) into JSON the outbox can act on:

    {"state": "saved", "url": …}        confirmed: the outbox removes the entry
    {"state": "conflict", "message": …, "url": …}
                                        refused: the entry stays, with the message and a page
                                        to open (the sign, the form), or to discard
    {"state": "signed_out", "message": …}
                                        the session has expired: sign in again, then it is sent

A resend of a confirmed entry is answered "saved" again and writes nothing
(utilities.form_tokens.ReplayMiddleware, before the view).
"""

from __future__ import annotations

import json
from functools import wraps

import lxml.html
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.templatetags.static import static
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from lxml import etree

OUTBOX_HEADER = "X-Outbox"
OFFLINE_PAGE_HEADER = "X-Offline-Page"

# What every page needs, fetched once when the service worker installs.
APP_SHELL = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "css/app.css",
    "vendor/idb/umd.js",
    "js/offline.js",
    "vendor/exifr/lite.umd.js",
    "js/photo-shrink.js",
    "icons/app.svg",
)


# What the page script (static/js/offline.js) says, in the page's language.
OFFLINE_TEXT = {
    "pending": pgettext_lazy("outbox", "waiting to upload"),
    "failed": pgettext_lazy("outbox", "not uploaded"),
    "badge": gettext_lazy("%(n)s waiting to upload"),
    "kept": gettext_lazy(
        "No network: saved on this phone; it is uploaded once the network is back."
    ),
    "notKept": gettext_lazy("No network, and this phone could not keep the entry. Try again."),
    "sent": gettext_lazy("%(n)s entries uploaded."),
    "networkLost": gettext_lazy("The network dropped; it is resent automatically."),
    "keptWeak": gettext_lazy(
        "The network is too weak just now: saved on this phone; it is uploaded automatically."
    ),
    "signIn": gettext_lazy("Sign in again"),
    "open": gettext_lazy("Open"),
    "retry": gettext_lazy("Retry"),
    "discard": gettext_lazy("Discard"),
    "confirmDiscard": gettext_lazy(
        "Discard this entry? It will not be uploaded, and cannot be brought back."
    ),
    "kinds": {
        "removal": gettext_lazy("Removal"),
        "bulk": gettext_lazy("Removal of %(n)s signs"),
        "sign": gettext_lazy("New sign"),
    },
}


def texts(request):
    """The page script's words (a context processor)."""
    return {"offline_text": OFFLINE_TEXT}


def offline_page(view):
    """Let the service worker keep this page for the signed-in user, to read it offline."""

    @wraps(view)
    def marked(request, *args, **kwargs):
        request.offline_page = True  # for the page script (templates/base.html)
        response = view(request, *args, **kwargs)
        if (
            request.method == "GET"
            and request.user.is_authenticated
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response[OFFLINE_PAGE_HEADER] = str(request.user.pk)
        return response

    return marked


def is_outbox(request) -> bool:
    return request.headers.get(OUTBOX_HEADER) == "1"


class OutboxMiddleware:
    """Answers a request the outbox sent in JSON (the module's docstring says which).

    Sits after MessageMiddleware and before ReplayMiddleware, so that it reads the messages the
    view (or the replay) queued, and they are not shown again on the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_outbox(request) or request.method != "POST":
            return response
        return outbox_answer(request, response)


def outbox_answer(request, response) -> JsonResponse:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith(resolve_url(settings.LOGIN_URL)):
        return _signed_out()
    if status == 403:  # the CSRF check: no session, or one begun since the entry was made
        return _signed_out()
    if status == 404:
        return _answer(
            "conflict",
            _(
                "You can no longer record in this village, or the sign no longer exists. "
                "Discard the entry, or ask the city to check your township."
            ),
            status=409,
        )
    if status >= 500 or status == 429:
        return _answer(
            "retry", _("The server could not take it just now; it will be resent."), status=503
        )
    said = list(messages.get_messages(request))
    text = " ".join(str(m) for m in said)
    if status in (301, 302, 303):
        if any(m.level >= messages.WARNING for m in said):
            return _answer("conflict", text, url=location, status=409)
        level = said[0].level_tag if said else "info"
        return _answer("saved", text, url=location, level=level)
    errors = _form_errors(response) if status == 200 else []
    message = " ".join(errors) or text or _("The server did not save this entry.")
    return _answer("conflict", message, url=request.path, status=409)


def _signed_out() -> JsonResponse:
    return _answer(
        "signed_out",
        _("Your session has ended. Sign in again; the entry is kept and will be sent then."),
        url=resolve_url(settings.LOGIN_URL),
        status=401,
    )


def _answer(
    state: str, message: str, *, url: str = "", status: int = 200, level: str = ""
) -> JsonResponse:
    """`level`: the Bootstrap alert a saved entry's message is shown in on the next page."""
    data = {"state": state, "message": message, "url": url, "level": level or "warning"}
    return JsonResponse(data, status=status)


# Where a form page shows why it was not saved (templates/includes/form_fields.html).
ERROR_XPATH = (
    "//*[@data-testid='form-errors' or @data-testid='field-error' or @data-testid='title-in-photo']"
)


def _form_errors(response) -> list[str]:
    """The errors a form page shows again, as the online user would read them."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    try:
        tree = lxml.html.fromstring(response.content)
    except (ValueError, etree.ParserError):
        return []
    texts = (" ".join(node.text_content().split()) for node in tree.xpath(ERROR_XPATH))
    return list(dict.fromkeys(t for t in texts if t))


@never_cache
def service_worker(request):
    """The service worker, at the site's root so that its scope is the whole app."""
    modules = {
        module: static(f"{prefix}/{module}.prod.js") for prefix, module in _workbox_modules()
    }
    context = {
        "workbox_sw": json.dumps(static("vendor/workbox-sw/workbox-sw.js")),
        "modules": json.dumps(modules),
        "shell": json.dumps([static(p) for p in APP_SHELL] + [resolve_url("offline")]),
        "offline_url": json.dumps(resolve_url("offline")),
        "static_prefix": json.dumps(static("")),
        "page_header": json.dumps(OFFLINE_PAGE_HEADER.lower()),
        "version": json.dumps(static("js/offline.js")),
    }
    response = render(request, "utilities/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def _workbox_modules():
    """Workbox's modules, as settings.STATICFILES_DIRS serves them from npm's builds."""
    for entry in settings.STATICFILES_DIRS:
        prefix = entry[0] if isinstance(entry, tuple) else ""
        module = prefix.removeprefix("vendor/")
        if module.startswith("workbox-") and module != "workbox-sw":
            yield prefix, module


def manifest(request):
    """The web app manifest: the app installs on the phone's home screen."""
    data = {
        "name": _("Hengzhou signboard ledger"),
        "short_name": _("Signboard ledger"),
        "lang": request.LANGUAGE_CODE,
        "start_url": resolve_url("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#b02a37",
        "icons": [
            {"src": static("icons/app.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@login_required
@offline_page
def outbox(request):
    """What waits to be sent from this phone, for the signed-in user (filled in the browser)."""
    return render(request, "utilities/outbox.html")


def offline(request):
    """Shown by the service worker for a page it has not kept, when there is no network.

    Kept once for everyone on the phone, so it is drawn as for nobody signed in."""
    return render(request, "utilities/offline.html", {"user": AnonymousUser()})


urlpatterns = [
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("outbox/", outbox, name="outbox"),
    path("offline/", offline, name="offline"),
]
