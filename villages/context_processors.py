from .access import is_city_level, is_reviewer, user_town
from .display import large_text_on


def display(request):
    """长辈模式 for the <html> class and the footer switch (read from the session)."""
    return {"large_text": large_text_on(request)}


def nav(request):
    """Where the navigation bar leads: the staffer's township, or the city dashboard."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_town": None, "nav_city_level": False, "nav_reviewer": False}
    return {
        "nav_town": user_town(user),
        "nav_city_level": is_city_level(user),
        "nav_reviewer": is_reviewer(user),
    }
