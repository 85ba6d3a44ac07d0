"""长辈模式 (large text): a user's choice, saved on their row and carried in the session.

Every page reads the choice from the session, which the sign-in check has loaded anyway, so
no page pays a query for it; signing in copies the saved choice into the new session.
Someone not signed in (the sign-in page) keeps the choice for the session only.
"""

from __future__ import annotations

from django.db import transaction

from .models import DisplaySettings

SESSION_KEY = "large_text"


def large_text_on(request) -> bool:
    """Whether the pages of this request are in large text."""
    session = getattr(request, "session", None)
    return bool(session and session.get(SESSION_KEY, False))


@transaction.atomic
def large_text_set(*, request, on: bool) -> None:
    """Switch large text on or off for this browser and, when signed in, for the user."""
    user = request.user
    if user.is_authenticated:
        DisplaySettings.objects.update_or_create(user=user, defaults={"large_text": on})
    request.session[SESSION_KEY] = on


def restore_on_sign_in(sender, request, user, **kwargs) -> None:
    """The user_logged_in receiver: the saved choice wins over this browser's."""
    saved = DisplaySettings.objects.filter(user=user).values_list("large_text", flat=True).first()
    if saved is not None:
        request.session[SESSION_KEY] = saved
