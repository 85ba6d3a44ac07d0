from .access import user_town


def nav(request):
    """The township a signed-in staffer works for, for the navigation bar."""
    user = getattr(request, "user", None)
    return {"nav_town": user_town(user) if user is not None else None}
