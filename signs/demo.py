"""Demo data in the article's shape: townships, villages, signs, removals, sites, accounts.

Planning is pure (a `random.Random` in, plain tuples out); writing is bulk inserts and raw
deletes, so 15,000 villages (~600k signs) load in well under two minutes on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from villages import roles
from villages.choices import TownKind, VillageKind
from villages.models import AuditEntry, DemonstrationSite, Town, TownStaff, Village

from .choices import ItemKind, RemovalReason, SignKind
from .models import ApprovedItem, BookCopy, Department, Removal, Signboard, Standard

DEMO_PASSWORD = "Hengzhou-2024"
DEFAULT_VILLAGES = 308
DEFAULT_SEED = 2024
# 45 is Guangxi; no prefecture is numbered 99, so these codes never clash with real ones.
DEMO_TOWN_PREFIX = "4599"
VILLAGES_PER_TOWN = 18
FULLY_COVERED_TOWNS = 5
BATCH_SIZE = 5000
VILLAGES_PER_CHUNK = 500

AS_OF = dt.date(2024, 9, 6)
FIRST_REMOVAL_DAY = dt.date(2024, 1, 2)
INVENTORY_START = dt.date(2023, 11, 1)
INVENTORY_DAYS = 59  # 2023-11-01 … 2023-12-29

R = RemovalReason

# --- vocabulary -----------------------------------------------------------------------------

# Guangxi-flavoured syllables: 那莲村, 石门村, 六景社区 …
FIRST_SYLLABLES = tuple(
    "那六板岜良石平新大龙马云莲竹长高古上下东西南北太福合兴永金凤白青黄三双坡峦陶雅灵"
)
SECOND_SYLLABLES = tuple(
    "莲门塘坡岭山江垌浪湾洞头田和安丰兴平华沙水桥禄圩屯岸良河湖冲寨口林利旺光明阳景隆"
)
COMMUNITY_STEMS = (
    "城东",
    "城西",
    "城南",
    "城北",
    "新街",
    "解放",
    "民主",
    "朝阳",
    "和平",
    "建设",
    "江南",
    "江北",
    "新兴",
    "振兴",
    "团结",
    "文化",
    "人民",
    "东风",
    "胜利",
    "工农",
)

# Where the standard's rules hang; anything not listed hangs in the main hall.
RULE_LOCATIONS = {
    "四议两公开工作法": '村"两委"办公室',
    "党务公开制度": "党员活动室",
    "三会一课制度": "党员活动室",
    "主题党日制度": "党员活动室",
    "民主评议党员制度": "党员活动室",
    "发展党员工作程序": "党员活动室",
    "村民会议制度": "村民议事室",
    "村民代表会议制度": "村民议事室",
    "村务监督委员会工作制度": "村(居)务监督委员会",
    "便民服务代办制度": "便民服务大厅",
    "首问负责和一次性告知制度": "便民服务大厅",
    "村干部坐班值班制度": "便民服务大厅",
    "矛盾纠纷排查调解制度": "人民调解室",
    "档案管理制度": "档案室",
}
HALL = "党群服务中心一楼大厅"
PLAQUE_LOCATIONS = {"党群服务中心": "外墙", "便民服务大厅": HALL}
ORGANIZATION_LOCATION = "大门两侧"

# Non-approved rule boards: leading groups, org charts, name lists, internal rules.
RULE_BOARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("脱贫攻坚工作领导小组", (R.NO_BUSINESS, R.NO_BUSINESS, R.INTERNAL_RULE)),
    ("乡村振兴工作领导小组", (R.INTERNAL_RULE, R.INTERNAL_RULE, R.MERGED)),
    ("扫黑除恶专项斗争领导小组", (R.NO_BUSINESS, R.INTERNAL_RULE)),
    ("综治维稳工作领导小组", (R.INTERNAL_RULE, R.MERGED)),
    ("安全生产工作领导小组", (R.INTERNAL_RULE,)),
    ("禁毒工作领导小组", (R.INTERNAL_RULE, R.NO_BASIS)),
    ("防汛抗旱工作领导小组", (R.INTERNAL_RULE,)),
    ("森林防火工作领导小组", (R.INTERNAL_RULE,)),
    ("村级组织架构图", (R.INTERNAL_RULE, R.MERGED)),
    ('村"两委"班子成员分工表', (R.INTERNAL_RULE,)),
    ("村民小组长名单", (R.INTERNAL_RULE, R.DAMAGED)),
    ("党员志愿者服务队人员名单", (R.INTERNAL_RULE, R.NO_BASIS)),
    ("村干部岗位职责", (R.INTERNAL_RULE,)),
    ("财务人员岗位职责", (R.INTERNAL_RULE,)),
    ("报账员岗位职责", (R.INTERNAL_RULE,)),
    ("网格员工作职责", (R.INTERNAL_RULE, R.NO_BASIS)),
    ("会议室管理制度", (R.INTERNAL_RULE,)),
    ("办公室卫生管理制度", (R.INTERNAL_RULE,)),
    ("计划生育协会工作制度", (R.NO_BUSINESS, R.INTERNAL_RULE)),
    ("人口和计划生育工作职责", (R.NO_BUSINESS,)),
    ("食品安全协管员工作职责", (R.INTERNAL_RULE, R.NO_BASIS)),
    ("信访维稳工作制度", (R.INTERNAL_RULE, R.MERGED)),
    ("图书借阅管理制度", (R.INTERNAL_RULE,)),
    ("远程教育站点管理制度", (R.NO_BUSINESS, R.INTERNAL_RULE)),
    ("民兵连组织架构图", (R.INTERNAL_RULE, R.MERGED)),
    ("精准扶贫工作流程图", (R.NO_BUSINESS, R.DAMAGED)),
    ("廉洁文化建设工作制度", (R.INTERNAL_RULE, R.NO_BASIS)),
    ("档案借阅登记制度", (R.INTERNAL_RULE, R.MERGED)),
)
RULE_BOARD_LOCATIONS = ("党员活动室", "便民服务大厅", '村"两委"办公室', "会议室", HALL, "二楼走廊")

K = SignKind
# Non-approved signs of the other kinds: (title, kind, locations, reasons).
OTHER_SIGNS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("农村产权流转交易服务室", K.PLAQUE, ("二楼",), (R.NO_BUSINESS, R.LOW_DEMAND)),
    ("科普宣传室", K.PLAQUE, ("二楼",), (R.LOW_DEMAND,)),
    ("志愿者服务站", K.PLAQUE, ("一楼",), (R.MERGED, R.LOW_DEMAND)),
    ("远程教育站点", K.PLAQUE, ("党员活动室",), (R.NO_BUSINESS,)),
    ("电子商务服务站", K.PLAQUE, ("一楼",), (R.LOW_DEMAND, R.NO_BUSINESS)),
    ("心理咨询室", K.PLAQUE, ("二楼",), (R.LOW_DEMAND,)),
    ("留守儿童之家", K.PLAQUE, ("二楼",), (R.MERGED,)),
    ("村级就业服务站", K.PLAQUE, ("便民服务大厅",), (R.MERGED, R.LOW_DEMAND)),
    ("残疾人康复站", K.PLAQUE, ("一楼",), (R.LOW_DEMAND,)),
    ("农技服务站", K.PLAQUE, ("一楼",), (R.LOW_DEMAND, R.NO_BUSINESS)),
    ("图书阅览室", K.PLAQUE, ("二楼",), (R.DUPLICATE,)),
    ("党员电教室", K.PLAQUE, ("二楼",), (R.DUPLICATE, R.MERGED)),
    ("基层立法联系点", K.ORGANIZATION, (HALL, ORGANIZATION_LOCATION), (R.NO_BASIS, R.LOW_DEMAND)),
    ("廉洁工作站", K.ORGANIZATION, (HALL, '村"两委"办公室'), (R.NO_BASIS, R.MERGED)),
    ("益农信息社", K.ORGANIZATION, ("便民服务大厅",), (R.NO_BUSINESS, R.LOW_DEMAND)),
    ("计划生育协会", K.ORGANIZATION, (ORGANIZATION_LOCATION,), (R.NO_BUSINESS,)),
    ("关心下一代工作委员会", K.ORGANIZATION, (ORGANIZATION_LOCATION,), (R.NO_BASIS, R.MERGED)),
    ("老年协会", K.ORGANIZATION, ("老年人活动室",), (R.MERGED,)),
    ("红白理事会", K.ORGANIZATION, (HALL,), (R.NO_BASIS, R.MERGED)),
    ("禁毒工作站", K.ORGANIZATION, (HALL,), (R.NO_BASIS,)),
    ("法律援助工作站", K.ORGANIZATION, ("人民调解室",), (R.MERGED, R.LOW_DEMAND)),
    ("人大代表联络站", K.ORGANIZATION, (HALL,), (R.NO_BASIS,)),
    ("消费者权益保护联络站", K.ORGANIZATION, ("便民服务大厅",), (R.NO_BASIS, R.LOW_DEMAND)),
    ("科普协会", K.ORGANIZATION, (ORGANIZATION_LOCATION,), (R.LOW_DEMAND,)),
    ("扶贫工作站", K.ORGANIZATION, (ORGANIZATION_LOCATION,), (R.NO_BUSINESS,)),
    ("脱贫攻坚作战图", K.GUIDANCE, (HALL,), (R.NO_BUSINESS, R.DAMAGED)),
    ("扶贫政策宣传栏指引", K.GUIDANCE, ("外墙",), (R.NO_BUSINESS,)),
    ("楼层导视牌（旧）", K.GUIDANCE, (HALL,), (R.DAMAGED, R.DUPLICATE)),
    ("办事流程图（旧版）", K.GUIDANCE, ("便民服务大厅",), (R.DAMAGED, R.MERGED)),
    ("创文巩卫宣传指引牌", K.GUIDANCE, ("外墙",), (R.NO_BUSINESS,)),
    ("2019年度脱贫攻坚先进集体", K.HONOUR, ("会议室",), (R.MERGED, R.DAMAGED)),
    ("2020年度先进基层党组织", K.HONOUR, ("会议室",), (R.MERGED,)),
    ("2021年度平安村（社区）", K.HONOUR, ("会议室",), (R.MERGED, R.NO_BASIS)),
    ("2018年度卫生村（社区）", K.HONOUR, ("会议室",), (R.DAMAGED, R.MERGED)),
    ("脱贫攻坚宣传标语", K.OTHER, ("外墙",), (R.NO_BUSINESS, R.DAMAGED)),
    ("扫黑除恶宣传栏", K.OTHER, ("外墙",), (R.NO_BUSINESS,)),
    ("第七次人口普查宣传牌", K.OTHER, ("外墙",), (R.NO_BUSINESS, R.DAMAGED)),
)
DUPLICATE_REASONS = (R.DUPLICATE, R.DUPLICATE, R.DAMAGED)
DUPLICATE_LOCATIONS = ("外墙", "二楼走廊", HALL)
REVOKE_REASONS = (
    "摘除日期填错，撤销后重新登记",
    "照片与牌子不符，撤销后重新登记",
    "选错了牌子，撤销后重新登记",
)

# --- plans (pure data) ---------------------------------------------------------------------


@dataclass
class VillagePlan:
    code: str
    name: str
    kind: str
    town_code: str
    behind: bool = False
    investment: Decimal | None = None


@dataclass
class TownPlan:
    code: str
    name: str
    is_demo: bool
    fully_covered: bool
    first_day: dt.date
    last_day: dt.date
    villages: list[VillagePlan] = field(default_factory=list)


@dataclass(frozen=True)
class Item:
    """An approved item of the current standard, as the planner needs it."""

    pk: int
    kind: str
    number: int
    title: str


# (removed_on, reason, revoked_on or None, revoke_reason)
RemovalPlan = tuple[dt.date, str, dt.date | None, str]
# (kind, title, location, approved item pk or None, inventoried_on, removals)
SignPlan = tuple[str, str, str, int | None, dt.date, tuple[RemovalPlan, ...]]


def demo_town_code(index: int) -> str:
    return f"{DEMO_TOWN_PREFIX}{index:05d}"


def demo_town_name(index: int) -> str:
    return f"演示第{index:04d}镇"


def workday(day: dt.date) -> dt.date:
    """The nearest working day: Saturday → Friday, Sunday → Monday."""
    weekday = day.weekday()
    if weekday == 5:
        return day - dt.timedelta(days=1)
    if weekday == 6:
        return day + dt.timedelta(days=1)
    return day


def village_names(
    rng: random.Random, *, town_name: str, count: int, communities: int, real: bool
) -> list[tuple[str, str]]:
    """`count` (name, kind) pairs unique in the township, communities first."""
    names: list[tuple[str, str]] = []
    used: set[str] = set()
    stems = list(COMMUNITY_STEMS)
    rng.shuffle(stems)
    if real and town_name[-1:] in ("镇", "乡"):
        seat = town_name[:-1]  # the seat: 六景镇 → 六景社区
        stems = [seat] + [stem for stem in stems if stem != seat]
    for stem in stems[:communities]:
        used.add(stem + "社区")
        names.append((stem + "社区", VillageKind.COMMUNITY))
    while len(names) < count:
        first = rng.choice(FIRST_SYLLABLES)
        second = rng.choice(SECOND_SYLLABLES)
        name = f"{first}{second}村"
        if first == second or name in used:
            continue
        used.add(name)
        names.append((name, VillageKind.VILLAGE))
    return names


def plan_towns(
    rng: random.Random, *, base_towns: Sequence[tuple[str, str]], villages: int
) -> list[TownPlan]:
    """Townships with their villages: the real ones first, demo ones when ~18 each won't do."""
    town_count = max(len(base_towns), villages // VILLAGES_PER_TOWN, 1)
    towns = [(code, name, False) for code, name in base_towns]
    towns += [
        (demo_town_code(i), demo_town_name(i), True)
        for i in range(1, town_count - len(base_towns) + 1)
    ]
    sizes = [villages // town_count] * town_count
    for index in rng.sample(range(town_count), villages % town_count):
        sizes[index] += 1
    covered = set(rng.sample(range(len(base_towns)), min(FULLY_COVERED_TOWNS, len(base_towns))))

    plans: list[TownPlan] = []
    for index, ((code, name, is_demo), size) in enumerate(zip(towns, sizes, strict=True)):
        fully_covered = rng.random() < 0.3 if is_demo else index in covered
        first_day = FIRST_REMOVAL_DAY + dt.timedelta(days=rng.randint(0, 75))
        if fully_covered:
            last_day = dt.date(2024, 5, 20) + dt.timedelta(days=rng.randint(0, 80))
        else:
            last_day = AS_OF
        plan = TownPlan(code, name, is_demo, fully_covered, first_day, last_day)
        communities = min(rng.randint(2, 3), size // 2)
        names = village_names(
            rng, town_name=name, count=size, communities=communities, real=not is_demo
        )
        next_number = {VillageKind.COMMUNITY: 1, VillageKind.VILLAGE: 201}
        for village_name, kind in names:
            number = next_number[kind]
            next_number[kind] += 1
            plan.villages.append(VillagePlan(f"{code}{number:03d}", village_name, kind, code))
        if not fully_covered and plan.villages:
            behind = rng.randint(1, max(1, size // 4))
            for village in rng.sample(plan.villages, min(behind, size)):
                village.behind = True
        plans.append(plan)
    return plans


def spread(rng: random.Random, *, total: int, parts: int, unit: int) -> list[int]:
    """`parts` uneven positive amounts, multiples of `unit`, summing exactly to `total`."""
    units = total // unit
    weights = [rng.uniform(0.6, 1.6) for _ in range(parts)]
    scale = (units - parts) / sum(weights)
    shares = [1 + int(w * scale) for w in weights]
    for index in rng.sample(range(parts), units - sum(shares)):
        shares[index] += 1
    return [share * unit for share in shares]


def plan_sites(rng: random.Random, towns: list[TownPlan], *, villages: int) -> None:
    """Mark ~65 showcase villages per 308 (¥2.41–2.48M in all) among those meeting the standard."""
    candidates = [v for town in towns for v in town.villages if not v.behind]
    count = min(len(candidates), max(1, round(villages * rng.randint(61, 68) / DEFAULT_VILLAGES)))
    if count == 0:
        return
    total = round(rng.randint(24_100, 24_800) * villages / DEFAULT_VILLAGES) * 100
    amounts = spread(rng, total=max(total, count * 100), parts=count, unit=100)
    for village, amount in zip(rng.sample(candidates, count), amounts, strict=True):
        village.investment = Decimal(amount)


def _organization_titles(village: VillagePlan) -> list[str]:
    name = village.name
    if village.kind == VillageKind.COMMUNITY:
        return [
            f"中共{name}委员会",
            f"{name}居民委员会",
            f"{name}居务监督委员会",
            f"{name}股份经济合作联合社",
        ]
    return [
        f"中共{name}委员会",
        f"{name}民委员会",
        f"{name}务监督委员会",
        f"{name}股份经济合作联合社",
    ]


def _removal(rng: random.Random, removed_on: dt.date, reason: str) -> tuple[RemovalPlan, ...]:
    """One removal, or now and then a mistaken one, revoked and recorded again."""
    if rng.random() < 0.006 and removed_on <= AS_OF - dt.timedelta(days=10):
        revoked_on = removed_on + dt.timedelta(days=rng.randint(1, 5))
        again = min(AS_OF, workday(revoked_on + dt.timedelta(days=rng.randint(0, 3))))
        again = max(again, revoked_on)
        return (
            (removed_on, reason, revoked_on, rng.choice(REVOKE_REASONS)),
            (again, reason, None, ""),
        )
    return ((removed_on, reason, None, ""),)


def plan_signs(
    rng: random.Random,
    village: VillagePlan,
    town: TownPlan,
    *,
    rules: Sequence[Item],
    plaques: Sequence[Item],
    organizations: Sequence[Item],
) -> list[SignPlan]:
    """About 40 signs for one village: most approved items, ~11 surplus signs, their removals."""
    inventoried_on = INVENTORY_START + dt.timedelta(days=rng.randrange(INVENTORY_DAYS))
    window = (town.last_day - town.first_day).days
    work_days = sorted(
        {
            workday(town.first_day + dt.timedelta(days=rng.randint(0, window)))
            for _ in range(rng.randint(1, 3))
        }
    )
    work_days = [min(day, AS_OF) for day in work_days]

    kept: list[tuple[str, str, str, int]] = []
    for item in rng.sample(rules, min(len(rules), rng.randint(11, 16))):
        kept.append((K.RULE, item.title, RULE_LOCATIONS.get(item.title, HALL), item.pk))
    chosen_plaques = rng.sample(plaques, min(len(plaques), rng.randint(9, 14)))
    if plaques and plaques[0] not in chosen_plaques:
        chosen_plaques[0] = plaques[0]  # every premises has its 党群服务中心 plaque
    for item in chosen_plaques:
        floor = "一楼" if item.number <= 11 else "二楼"
        kept.append((K.PLAQUE, item.title, PLAQUE_LOCATIONS.get(item.title, floor), item.pk))
    org_titles = _organization_titles(village)
    for index, item in enumerate(organizations):
        title = org_titles[index] if index < len(org_titles) else village.name + item.title
        kept.append((K.ORGANIZATION, title, ORGANIZATION_LOCATION, item.pk))
    kept.sort(key=lambda sign: sign[3])

    # Surplus signs: (kind, title, location, item pk or None, reasons).
    surplus: list[tuple[str, str, str, int | None, tuple[str, ...]]] = []
    for title, reasons in rng.sample(RULE_BOARDS, rng.choice((7, 7, 8))):
        surplus.append((K.RULE, title, rng.choice(RULE_BOARD_LOCATIONS), None, reasons))
    for title, kind, locations, reasons in rng.sample(OTHER_SIGNS, rng.choice((4, 4, 5))):
        surplus.append((kind, title, rng.choice(locations), None, reasons))
    if kept and rng.random() < 0.15:
        kind, title, _location, pk = rng.choice(kept)
        surplus.append((kind, title, rng.choice(DUPLICATE_LOCATIONS), pk, DUPLICATE_REASONS))

    left_up: set[int] = set()
    if village.behind:
        left_up = set(rng.sample(range(len(surplus)), min(len(surplus), rng.randint(1, 3))))

    signs: list[SignPlan] = [(k, t, loc, pk, inventoried_on, ()) for k, t, loc, pk in kept]
    for index, (kind, title, location, pk, reasons) in enumerate(surplus):
        removals: tuple[RemovalPlan, ...] = ()
        if index not in left_up:
            removals = _removal(rng, rng.choice(work_days), rng.choice(reasons))
        signs.append((kind, title, location, pk, inventoried_on, removals))
    return signs


# --- writing ------------------------------------------------------------------------------


def _factory(model: type[models.Model], *attnames: str):
    """A fast constructor taking `attnames` positionally; other fields get their defaults."""
    fields = model._meta.concrete_fields
    template = [None if f.primary_key else f.get_default() for f in fields]
    index = {f.attname: i for i, f in enumerate(fields)}
    positions = [index[name] for name in attnames]

    def make(*values):
        row = template.copy()
        for position, value in zip(positions, values, strict=True):
            row[position] = value
        return model(*row)

    return make


@functools.lru_cache(maxsize=4096)
def local_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour:minute` on `day` in Asia/Shanghai."""
    naive = dt.datetime.combine(day, dt.time(hour, minute))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_reference_data() -> list[str]:
    """Load the townships and the example standard when their tables are empty."""
    loaded = []
    if not Town.objects.exists():
        call_command("loaddata", "towns", verbosity=0)
        loaded.append("towns")
    if not Standard.objects.exists():
        call_command("loaddata", "standard_example", verbosity=0)
        loaded.append("standard_example")
    return loaded


def _dependants(targets: set[type[models.Model]]) -> set[type[models.Model]]:
    """`targets` plus every model that (transitively) points at one of them."""
    found = set(targets)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in found or model._meta.proxy:
                continue
            if any(f.is_relation and f.related_model in found for f in model._meta.concrete_fields):
                found.add(model)
                changed = True
    return found


def _delete_order(models_: set[type[models.Model]]) -> list[type[models.Model]]:
    """Referencing tables before the tables they reference."""
    remaining = set(models_)
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [
            m
            for m in remaining
            if not any(
                other is not m
                and any(f.is_relation and f.related_model is m for f in other._meta.concrete_fields)
                for other in remaining
            )
        ]
        if not ready:  # a cycle: the FKs are deferred to commit anyway
            ready = list(remaining)
        for model in sorted(ready, key=lambda m: m._meta.db_table):
            ordered.append(model)
            remaining.discard(model)
    return ordered


def reset_demo_data() -> list[str]:
    """Delete villages and all that hangs on them, TownStaff, audit rows and demo townships.

    Raw DELETEs: the ORM would load every row first. Tables of other apps that point at
    these rows are emptied too, or the deletes would violate their foreign keys.
    """
    core = {Removal, Signboard, DemonstrationSite, Village, TownStaff, AuditEntry}
    cleared = _delete_order(_dependants(core))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in cleared:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        town_table = quote(Town._meta.db_table)
        demo_towns = f"SELECT id FROM {town_table} WHERE code LIKE %s"
        pattern = DEMO_TOWN_PREFIX + "%"
        for model in apps.get_models(include_auto_created=True):
            if model in cleared or model is Town:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is Town:
                    table, column = quote(model._meta.db_table), quote(f.column)
                    cursor.execute(
                        f"DELETE FROM {table} WHERE {column} IN ({demo_towns})",
                        [pattern],
                    )
        cursor.execute(f"DELETE FROM {town_table} WHERE code LIKE %s", [pattern])
    return [model._meta.db_table for model in cleared]


def analyze_tables(*models) -> bool:
    """Refresh PostgreSQL's planner statistics after a bulk load of these tables (the seeded
    ones when none are given); autovacuum may come much later, or be off.

    Without them the selectors' correlated subqueries get plans that take minutes.
    """
    if connection.vendor != "postgresql":
        return False
    User = get_user_model()
    models = models or (Town, Village, DemonstrationSite, Signboard, Removal, TownStaff, User)
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    return True


@dataclass
class AccountSpec:
    username: str
    first_name: str
    group: str
    town_id: int | None = None
    staff: bool = False  # may open the admin site


def account_specs(towns: Sequence[Town]) -> list[AccountSpec]:
    specs = [
        # 三员分立: three administrators, none a superuser.
        AccountSpec("admin", "系统管理员", roles.SYSTEM_ADMIN, staff=True),
        AccountSpec("security", "安全管理员", roles.SECURITY_ADMIN, staff=True),
        AccountSpec("auditor", "审计管理员", roles.AUDIT_ADMIN, staff=True),
        AccountSpec("reviewer", "组织部审核员", roles.REVIEWER),
    ]
    specs += [
        AccountSpec(f"staff_{town.code}", f"{town.name}填报员", roles.TOWN_STAFF, town.pk)
        for town in towns
    ]
    return specs


def ensure_accounts(towns: Sequence[Town]) -> tuple[list[str], int]:
    """Create missing demo accounts (never resetting a password) and their TownStaff rows.

    Returns all demo usernames and how many were created.
    """
    User = get_user_model()
    specs = account_specs(towns)
    names = [spec.username for spec in specs]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [spec for spec in specs if spec.username not in existing]
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        now = timezone.now()
        User.objects.bulk_create(
            [
                User(
                    username=spec.username,
                    first_name=spec.first_name,
                    password=password,
                    is_staff=spec.staff,
                    date_joined=now,
                )
                for spec in missing
            ],
            batch_size=BATCH_SIZE,
        )
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    groups = dict(Group.objects.values_list("name", "pk"))
    membership = User.groups.through
    membership.objects.bulk_create(
        [
            membership(user_id=ids[spec.username], group_id=groups[spec.group])
            for spec in missing
            if spec.group in groups
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    placed = set(TownStaff.objects.values_list("user_id", flat=True))
    TownStaff.objects.bulk_create(
        [
            TownStaff(user_id=ids[spec.username], town_id=spec.town_id)
            for spec in specs
            if spec.town_id is not None and ids[spec.username] not in placed
        ],
        batch_size=BATCH_SIZE,
    )
    return names, len(missing)


@dataclass
class SeedResult:
    towns: int = 0
    book_copies: int = 0
    villages: int = 0
    signboards: int = 0
    removals: int = 0
    revoked: int = 0
    removed_rule: int = 0
    removed_other: int = 0
    sites: int = 0
    investment: Decimal = Decimal("0")
    fully_covered: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    accounts_created: int = 0
    seconds: float = 0.0


def _standard_items() -> tuple[list[Item], list[Item], list[Item]]:
    standard = Standard.objects.filter(is_current=True).first()
    if standard is None:
        raise ValueError("没有现行标准：请先把一版标准设为现行，再生成演示数据。")
    items = [
        Item(pk, kind, number, title)
        for pk, kind, number, title in ApprovedItem.objects.filter(standard=standard)
        .order_by("kind", "number")
        .values_list("pk", "kind", "number", "title")
    ]
    return (
        [i for i in items if i.kind == ItemKind.RULE],
        [i for i in items if i.kind == ItemKind.PLAQUE],
        [i for i in items if i.kind == ItemKind.ORGANIZATION],
    )


# 汇编印发 400 册 for Hengzhou's 308 villages: one per village, the rest to township offices.
BOOK_COPIES = 400
BOOKS_HANDED_OVER_ON = dt.date(2024, 1, 8)

# Which department asked for a surplus sign, by words in its title (the rest drawn at random,
# a quarter left 未注明).
ASKED_BY_WORDS = (
    (("综治", "维稳", "扫黑", "平安", "网格", "信访"), "市委政法委"),
    (("禁毒", "警", "反诈", "消防"), "市公安局"),
    (("党", "组织", "人才", "村干部"), "市委组织部"),
    (("文明", "宣传", "志愿"), "市委宣传部"),
    (("调解", "法律", "普法"), "市司法局"),
    (("财务", "报账", "三资", "合作社", "农"), "市农业农村局"),
    (("卫生", "健康", "计生", "医"), "市卫生健康局"),
    (("妇", "儿童"), "市妇女联合会"),
    (("老", "民政", "殡"), "市民政局"),
    (("文化", "体育", "书"), "市文化广电体育和旅游局"),
    (("退役", "军", "民兵"), "市退役军人事务局"),
    (("监督", "廉", "纪"), "市纪委监委"),
    (("便民", "服务", "代办"), "市行政审批局"),
)


@dataclass
class AskedBy:
    """Draws the 挂牌要求部门 of the demo's signs, with its own random stream so the signs'
    plan (and every figure pinned on it) stays what it was."""

    rng: random.Random
    of_item: dict[int, int | None]
    by_name: dict[str, int]

    @classmethod
    def load(cls, seed: int) -> AskedBy:
        return cls(
            random.Random(f"departments-{seed}"),
            dict(ApprovedItem.objects.values_list("pk", "department_id")),
            dict(Department.objects.values_list("name", "pk")),
        )

    def __call__(self, title: str, item_pk: int | None) -> int | None:
        if item_pk is not None:
            return self.of_item.get(item_pk)
        if not self.by_name or self.rng.random() < 0.25:
            return None
        for words, name in ASKED_BY_WORDS:
            if name in self.by_name and any(word in title for word in words):
                return self.by_name[name]
        return self.rng.choice(sorted(self.by_name.values()))


def seed(*, villages: int = DEFAULT_VILLAGES, seed: int = DEFAULT_SEED) -> SeedResult:
    """Generate the demo data set; call inside a transaction on a database without villages."""
    started = time.monotonic()
    rng = random.Random(seed)
    result = SeedResult()
    items = _standard_items()
    plans, town_ids, staff_ids = _seed_towns(rng, villages=villages, result=result)
    all_villages = [v for t in plans for v in t.villages]
    village_ids = _seed_villages(all_villages, town_ids=town_ids, result=result)
    town_by_code = {t.code: t for t in plans}
    asked_by = AskedBy.load(seed)
    for chunk in _chunks(all_villages, VILLAGES_PER_CHUNK):
        _seed_signs(
            rng, chunk, towns=town_by_code, village_ids=village_ids, staff_ids=staff_ids,
            items=items, asked_by=asked_by, result=result,
        )  # fmt: skip
    result.book_copies = _seed_book_copies(all_villages, town_ids=town_ids, village_ids=village_ids)
    result.towns = len(plans)
    result.villages = len(all_villages)
    result.fully_covered = [t.name for t in plans if t.fully_covered and t.villages]
    AuditEntry.objects.create(
        action="demo.seed",
        object_type="demo",
        object_repr=f"seed_demo --villages {villages} --seed {seed}",
        after={
            "villages": result.villages,
            "signboards": result.signboards,
            "removals": result.removals,
        },
    )
    result.seconds = time.monotonic() - started
    return result


def _seed_towns(rng: random.Random, *, villages: int, result: SeedResult):
    """The townships (the 17 real ones, demo ones beyond them), their plans and staff accounts:
    (plans, town id by code, staff user id by town code)."""
    base = [
        (code, name)
        for code, name in Town.objects.exclude(code__startswith=DEMO_TOWN_PREFIX)
        .order_by("code")
        .values_list("code", "name")
    ]
    plans = plan_towns(rng, base_towns=base, villages=villages)
    plan_sites(rng, plans, villages=villages)
    Town.objects.bulk_create(
        [Town(code=t.code, name=t.name, kind=TownKind.TOWN) for t in plans if t.is_demo],
        batch_size=BATCH_SIZE,
    )
    towns = list(Town.objects.filter(code__in=[t.code for t in plans]).order_by("code"))
    town_ids = {town.code: town.pk for town in towns}
    result.usernames, result.accounts_created = ensure_accounts(towns)
    User = get_user_model()
    user_ids = dict(
        User.objects.filter(username__startswith="staff_").values_list("username", "pk")
    )
    staff_ids = {code: user_ids.get(f"staff_{code}") for code in town_ids}
    return plans, town_ids, staff_ids


def _seed_villages(all_villages: list[VillagePlan], *, town_ids: dict, result: SeedResult):
    """The villages and their demonstration sites; the village id by code."""
    Village.objects.bulk_create(
        [
            Village(town_id=town_ids[v.town_code], code=v.code, name=v.name, kind=v.kind)
            for v in all_villages
        ],
        batch_size=BATCH_SIZE,
    )
    village_ids = dict(Village.objects.values_list("code", "pk"))
    DemonstrationSite.objects.bulk_create(
        [
            DemonstrationSite(
                village_id=village_ids[v.code],
                year_designated=2024,
                investment=v.investment,
                note="标准化规范化示范点（演示数据）",
            )
            for v in all_villages
            if v.investment is not None
        ],
        batch_size=BATCH_SIZE,
    )
    sites = [v.investment for v in all_villages if v.investment is not None]
    result.sites, result.investment = len(sites), sum(sites, Decimal("0"))
    return village_ids


def _seed_book_copies(all_villages: list[VillagePlan], *, town_ids: dict, village_ids: dict):
    """The example edition's printed copies: first one per village in code order, then the
    township offices' in turn, 400 in all at Hengzhou's size."""
    standard = Standard.objects.filter(is_current=True).first()
    total = max(len(all_villages), round(BOOK_COPIES * len(all_villages) / DEFAULT_VILLAGES))
    codes = sorted(town_ids)
    copies = [
        BookCopy(
            standard=standard,
            number=number,
            village_id=village_ids[v.code],
            handed_over_on=BOOKS_HANDED_OVER_ON,
            received_by="村党组织书记（演示）",
        )
        for number, v in enumerate(sorted(all_villages, key=lambda v: v.code), start=1)
    ]
    copies += [
        BookCopy(
            standard=standard,
            number=number,
            town_id=town_ids[codes[(number - len(copies) - 1) % len(codes)]],
            handed_over_on=BOOKS_HANDED_OVER_ON,
            received_by="乡镇党委组织委员（演示）",
        )
        for number in range(len(copies) + 1, total + 1)
    ]
    BookCopy.objects.bulk_create(copies, batch_size=BATCH_SIZE)
    return len(copies)


def _row_factories():
    """Fast constructors of the signs' and removals' rows (defaults read at each seed)."""
    make_sign = _factory(
        Signboard,
        "village_id",
        "kind",
        "title",
        "location",
        "approved_item_id",
        "inventoried_on",
        "created_by_id",
        "created_at",
        "requested_by_id",
    )
    make_removal = _factory(
        Removal,
        "signboard_id",
        "removed_on",
        "reason",
        "recorded_by_id",
        "recorded_at",
        "revoked_at",
        "revoked_by_id",
        "revoke_reason",
        "sign_village_id",
        "sign_requested_by_id",
    )
    return make_sign, make_removal


def _seed_signs(rng, chunk, *, towns, village_ids, staff_ids, items, asked_by, result) -> None:
    """One chunk of villages: their signs, then their removals, in two bulk inserts."""
    rules, plaques, organizations = items
    make_sign, make_removal = _row_factories()
    signs: list[Signboard] = []
    pending: list[tuple[int, tuple[RemovalPlan, ...], int | None]] = []
    for village in chunk:
        user_id = staff_ids[village.town_code]
        planned = plan_signs(
            rng,
            village,
            towns[village.town_code],
            rules=rules,
            plaques=plaques,
            organizations=organizations,
        )
        for kind, title, location, item_pk, inventoried_on, removals in planned:
            created_at = local_at(inventoried_on, 10)
            signs.append(
                make_sign(
                    village_ids[village.code], kind, title, location, item_pk, inventoried_on,
                    user_id, created_at, asked_by(title, item_pk),
                )
            )  # fmt: skip
            if removals:
                pending.append((len(signs) - 1, removals, user_id))
    Signboard.objects.bulk_create(signs, batch_size=BATCH_SIZE)
    if signs and signs[0].pk is None:  # a backend that cannot return ids: read them back
        pks = list(
            Signboard.objects.filter(village_id__in=[village_ids[v.code] for v in chunk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for sign, pk in zip(signs, pks, strict=True):
            sign.pk = pk
    removal_rows: list[Removal] = []
    for index, removals, user_id in pending:
        sign = signs[index]
        for removed_on, reason, revoked_on, revoke_reason in removals:
            removal_rows.append(
                make_removal(
                    sign.pk, removed_on, reason, user_id, local_at(removed_on, 17),
                    local_at(revoked_on, 10) if revoked_on else None,
                    user_id if revoked_on else None, revoke_reason, sign.village_id,
                    sign.requested_by_id,
                )
            )  # fmt: skip
            result.revoked += revoked_on is not None
        if sign.kind == K.RULE:
            result.removed_rule += 1
        else:
            result.removed_other += 1
    Removal.objects.bulk_create(removal_rows, batch_size=BATCH_SIZE)
    result.signboards += len(signs)
    result.removals += len(removal_rows)
