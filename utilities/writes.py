"""Service plumbing: several rows as one write, and a change that must happen once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

T = TypeVar("T")


def each_or_none(items: Iterable[T], write: Callable[[T], Any], *, label: Callable[[T], str]):
    """`write(item)` for every item, inside the caller's transaction. The first refusal is
    raised again naming its item ("竹塘村牌子: …"), so the caller's transaction writes none."""
    done = []
    for item in items:
        try:
            done.append(write(item))
        except ValidationError as exc:
            raise ValidationError(
                _("%(sign)s: %(error)s") % {"sign": label(item), "error": " ".join(exc.messages)}
            ) from exc
    return done


def update_once(obj: models.Model, *, while_: models.Q, already: str, **values) -> None:
    """Set `values` on `obj`'s row only while `while_` holds (not yet closed, not yet revoked…),
    then reload `obj`. The condition is in the UPDATE, so of two requests at once one writes and
    the other gets the ValidationError `already`."""
    updated = type(obj)._default_manager.filter(while_, pk=obj.pk).update(**values)
    if not updated:
        raise ValidationError(already)
    obj.refresh_from_db()
