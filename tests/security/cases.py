"""What a URL's security case says; shared by the registry and the supervision's case files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Who may read / write another township's object at city level (reviewers, administrators).
READS, WRITES, DENIED = "reads", "writes", "denied"
STAFF, REVIEWER, ADMINISTRATOR = "staff", "reviewer", "administrator"
GET, POST, GET_POST = ("get",), ("post",), ("get", "post")

# Tested on their own in test_uploads_media.py.
SEPARATELY_TESTED = {"media"}


def no_data(w, side):
    return {}


@dataclass(frozen=True)
class Case:
    """How to attack one URL: its arguments, the methods it answers, a POST body that writes,
    what city-level users may do in any township, and who owns it (for the positive control).

    `administrator` is what the system administrator may do where it differs from reviewers
    (the 意见建议 are answered by administrators, and reviewers are ordinary senders there)."""

    kwargs: Callable
    methods: tuple[str, ...] = GET
    data: Callable = field(default=no_data)
    city: str = READS
    owner: str = STAFF
    administrator: str | None = None

    def city_for(self, who: str) -> str:
        """READS, WRITES or DENIED for `who` ("reviewer" or "administrator")."""
        if who == ADMINISTRATOR and self.administrator is not None:
            return self.administrator
        return self.city
