"""Two townships with a village, signs, an active removal and a staffer each; city-level users."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from signs.models import ApprovedItem, Removal, Signboard
from villages import roles
from villages.models import Town, Village

from .support import OTHER, OWN


@dataclass
class World:
    """Town A ("own") and town B ("other"), each with the objects every URL can point at."""

    towns: dict[str, Town]
    villages: dict[str, Village]
    signs: dict[str, Signboard]  # still on the wall, to remove
    kept: dict[str, Signboard]  # retained by the standard
    removals: dict[str, Removal]  # in effect
    staff: dict[str, User]
    reviewer: User
    administrator: User

    def client(self, user: User | None, **kwargs) -> Client:
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def private_folders(settings, tmp_path):
    """Photos and pending imports of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    settings.MEDIA_ROOT.mkdir()
    return tmp_path


@pytest.fixture
def world(town, other_town, village, make_user) -> World:
    villages = {
        OWN: village,
        OTHER: Village.objects.create(town=other_town, code="450181101201", name="百合村"),
    }
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    signs, kept, removals = {}, {}, {}
    for side, v in villages.items():

        def sign(title, v=v, **kw):
            return Signboard.objects.create(
                village=v, title=title, kind=kw.pop("kind", "guidance"),
                location=kw.pop("location", "外墙"), inventoried_on=dt.date(2024, 1, 2), **kw,
            )  # fmt: skip

        signs[side] = sign("廉洁工作站")
        kept[side] = sign("党员活动室", kind="plaque", approved_item=item, location="二楼")
        removals[side] = Removal.objects.create(
            signboard=sign("科普宣传室"), removed_on=dt.date(2024, 3, 1), reason="low_demand"
        )
    return World(
        towns={OWN: town, OTHER: other_town},
        villages=villages,
        signs=signs,
        kept=kept,
        removals=removals,
        staff={
            OWN: make_user("staff_own", role=roles.TOWN_STAFF, town=town),
            OTHER: make_user("staff_other", role=roles.TOWN_STAFF, town=other_town),
        },
        reviewer=make_user("reviewer_city", role=roles.REVIEWER),
        administrator=make_user("admin_city", role=roles.SYSTEM_ADMIN),
    )
