"""A village as ledgers write it: 竹塘村, 竹塘村委会, 竹塘村民委员会, 横州镇竹塘村, 竹塘."""

from __future__ import annotations

import difflib
import re

from utilities.spreadsheets.base import norm

from .models import Town, Village

VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "村委")
TOWN_SUFFIXES = ("人民政府", "政府", "办事处")


def _village_keys(name: str) -> list[str]:
    """The keys a village is found under: its name and its name without 村/社区."""
    key = norm(name)
    bare = re.sub(r"(村|社区)$", "", key)
    return [key, bare] if bare and bare != key else [key]


def village_lookup(villages) -> dict[str, Village]:
    """{key: village}; a bare name two villages share is left out (it would be a guess)."""
    lookup: dict[str, Village] = {}
    shared: set[str] = set()
    for village in villages:
        for key in _village_keys(village.name):
            if key in lookup and lookup[key] != village:
                shared.add(key)
            lookup.setdefault(key, village)
    for key in shared - {norm(v.name) for v in villages}:
        del lookup[key]
    return lookup


def find_village(name: str, town: Town, lookup: dict[str, Village]) -> Village | None:
    key = norm(name)
    for prefix in (norm(town.name), *(norm(town.name) + s for s in TOWN_SUFFIXES)):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    for suffix in VILLAGE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            stem = key[: -len(suffix)]
            key = stem + ("社区" if "居" in suffix else "")
            break
    for candidate in (key, *_village_keys(key)):
        if candidate in lookup:
            return lookup[candidate]
    return None


def closest_villages(name: str, villages) -> str:
    names = [v.name for v in villages]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
    return "、".join(close)
