"""seed_demo runs that need a database of their own (resets, other sizes and seeds); the
default demo's shape is read in test_seed_demo.py, from one seeding for the module."""

import pytest

from signs.demo import DEMO_TOWN_PREFIX
from signs.models import Removal
from villages.models import Town, TownStaff, Village

from .test_seed_demo import assert_article_shape, removal_keys, seed_demo

pytestmark = pytest.mark.django_db


def test_same_seed_gives_the_same_data(db):
    seed_demo("--reset", "--seed", "11")
    first = removal_keys()
    villages = set(Village.objects.values_list("code", "name"))
    seed_demo("--reset", "--seed", "11")
    assert removal_keys() == first
    assert set(Village.objects.values_list("code", "name")) == villages


def test_small_run(db):
    seed_demo("--villages", "40", "--reset")
    assert Village.objects.count() == 40
    assert Town.objects.count() == 17
    assert not Town.objects.filter(code__startswith=DEMO_TOWN_PREFIX).exists()
    assert Removal.objects.exists()
    assert TownStaff.objects.count() == 17


def test_larger_run_adds_demo_townships_and_reset_removes_them(db):
    seed_demo("--villages", "400", "--seed", "3")
    demo_towns = Town.objects.filter(code__startswith=DEMO_TOWN_PREFIX)
    assert demo_towns.count() == 400 // 18 - 17
    town = demo_towns.first()
    assert len(town.code) == 9 and town.name.startswith("演示")
    assert TownStaff.objects.filter(town=town, user__username=f"staff_{town.code}").exists()
    assert Village.objects.count() == 400
    seed_demo("--reset")
    assert not Town.objects.filter(code__startswith=DEMO_TOWN_PREFIX).exists()
    assert_article_shape()


def test_reference_data_is_not_reloaded(db):
    seed_demo()
    Town.objects.filter(code="450181100").update(name="横州镇（改）")
    seed_demo("--reset")
    assert Town.objects.get(code="450181100").name == "横州镇（改）"
