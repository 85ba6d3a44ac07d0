"""Who answers the suggestions and complaints: one function, used by every view and service."""

from villages.access import is_system_admin


def can_answer(user) -> bool:
    """The system administrators (and superusers) read and answer every item; everyone else,
    reviewers included, is an ordinary sender who sees only their own."""
    return is_system_admin(user)
