"""The supervision's demo data, all in 2024 as the article tells it: reviews of the removals,
8 monthly work lists, 3 rounds of guidance visits covering 102 villages across the 17
townships, a few rebounds, and the year's assessment remarks.

Runs after `signs.demo` (which it reads, never changes). Reviews and work lists are bulk
inserts; the visit rounds go through the services, so the draw and the rebounds follow the
same rules as in the browser.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection

from signs.demo import AS_OF, DEMO_PASSWORD, local_at
from signs.models import Removal
from villages import roles
from villages.models import Town

from .choices import ReviewStatus, Severity, WorkItemKind
from .models import (
    AssessmentRemark,
    Finding,
    Rebound,
    RemovalReview,
    Visit,
    VisitRound,
    VisitVillage,
    WorkItem,
    WorkList,
)
from .services import visits as visit_services

YEAR = 2024
WORK_LIST_MONTHS = range(1, 9)  # January … August 2024: 8 lists
# (quarter, visit date, seed): three rounds, two villages per township each.
ROUNDS = (
    (1, dt.date(2024, 3, 20), 20241),
    (2, dt.date(2024, 6, 18), 20242),
    (3, dt.date(2024, 9, 3), 20243),
)
VILLAGES_PER_TOWN = 2
REBOUNDS = 4
INSPECTORS = (
    ("reviewer", "组织部审核员"),
    ("inspector_li", "李督导"),
    ("inspector_huang", "黄督导"),
)
BATCH_SIZE = 5000

TASKS = (
    "对照《汇编》逐村复核上墙制度，发现新增挂牌即时摘除",
    "更新本乡镇摘牌台账并上传整改前后照片",
    "组织村（社区）干部学习牌子清理规范工作要求",
    "排查便民服务大厅功能性指引牌子重复设置情况",
    "做好示范点建设资料归档",
)
RETURN_COMMENTS = (
    "整改后照片看不清墙面，请补拍",
    "摘除理由与实际不符，请更正",
    "照片中仍可见原牌子，请核实是否已摘除",
)
PROBLEMS = (
    ("便民服务大厅仍有过期宣传栏", Severity.MINOR, "清理过期宣传栏并拍照上传"),
    ("部分科室牌子与《汇编》名称不一致", Severity.MAJOR, "按《汇编》统一科室牌子名称"),
    ("台账照片缺失", Severity.MINOR, "补充整改前后照片"),
)
REMARKS = (
    "清理工作推进有力，台账规范，长效机制落实较好。",
    "进度总体较快，个别村存在反弹苗头，需加强日常监督。",
    "按时完成月度清单事项，调研发现问题整改及时。",
)


@dataclass
class SupervisionSeedResult:
    reviewed: int = 0
    verified: int = 0
    returned: int = 0
    work_lists: int = 0
    work_items: int = 0
    rounds: int = 0
    villages_visited: int = 0
    findings: int = 0
    rebounds: int = 0
    inspectors: list[str] | None = None


def seed(*, seed: int = YEAR) -> SupervisionSeedResult:
    """Generate the supervision demo; call inside a transaction after `signs.demo.seed`."""
    rng = random.Random(seed)
    result = SupervisionSeedResult()
    reviewers = _ensure_inspectors()
    result.inspectors = [user.username for user in reviewers]
    lead = reviewers[0]
    _reviews(rng, lead, result)
    _work_lists(rng, lead, result)
    _rounds(rng, lead, result)
    _remarks(lead)
    return result


def _ensure_inspectors() -> list:
    """The reviewer account of signs.demo plus two more, so a visit can draw two inspectors."""
    User = get_user_model()
    group = Group.objects.get(name=roles.REVIEWER)
    users = []
    password = None
    for username, name in INSPECTORS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(username=username, first_name=name, password=password)
        user.groups.add(group)
        users.append(user)
    return users


def _reviews(rng: random.Random, reviewer, result: SupervisionSeedResult) -> None:
    """Removals recorded before mid-August are reviewed a few days later: most verified, a
    few returned; later ones still wait (待核验)."""
    cutoff = local_at(AS_OF - dt.timedelta(days=21), 0)
    rows = (
        Removal.objects.in_effect().filter(recorded_at__lt=cutoff).values_list("pk", "recorded_at")
    )
    reviews = []
    for pk, recorded_at in rows.iterator(chunk_size=BATCH_SIZE):
        reviewed_at = recorded_at + dt.timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 5))
        if rng.random() < 0.004:
            status, comment = ReviewStatus.RETURNED, rng.choice(RETURN_COMMENTS)
        else:
            status, comment = ReviewStatus.VERIFIED, ""
        reviews.append(
            RemovalReview(
                removal_id=pk,
                status=status,
                comment=comment,
                reviewed_by=reviewer,
                reviewed_at=reviewed_at,
            )
        )
    RemovalReview.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
    result.reviewed = len(reviews)
    result.returned = sum(r.status == ReviewStatus.RETURNED for r in reviews)
    result.verified = result.reviewed - result.returned


def _month_end(month: int) -> dt.date:
    return dt.date(YEAR + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _work_lists(rng: random.Random, reviewer, result: SupervisionSeedResult) -> None:
    """One list a month, issued on the 3rd and due at the month's end; each township gets two
    tasks. Items are done on time mostly, late sometimes; August's are still open in part."""
    towns = list(Town.objects.order_by("code"))
    for month in WORK_LIST_MONTHS:
        due_on = _month_end(month)
        work_list = WorkList.objects.create(
            year=YEAR,
            month=month,
            title=f"{YEAR}年{month}月牌子清理规范工作清单",
            notes="请各乡镇对照清单逐项落实，完成后在系统中标记并说明完成情况。",
            due_on=due_on,
            issued_by=reviewer,
            issued_at=local_at(dt.date(YEAR, month, 3), 9),
        )
        result.work_lists += 1
        items = []
        for town in towns:
            for text in rng.sample(TASKS, 2):
                done_on = _done_on(rng, month=month, due_on=due_on)
                items.append(
                    WorkItem(
                        work_list=work_list,
                        town=town,
                        kind=WorkItemKind.TASK,
                        text=text,
                        done_at=local_at(done_on, 16) if done_on else None,
                        done_by=None,
                        done_note="已按要求完成" if done_on else "",
                    )
                )
        WorkItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        result.work_items += len(items)


def _done_on(rng: random.Random, *, month: int, due_on: dt.date) -> dt.date | None:
    """Mostly on time, sometimes up to ten days late, now and then not at all."""
    roll = rng.random()
    if roll < 0.8:
        return dt.date(YEAR, month, rng.randint(5, due_on.day))
    if roll < 0.93 and due_on + dt.timedelta(days=10) <= AS_OF:
        return due_on + dt.timedelta(days=rng.randint(1, 10))
    return None


def _rounds(rng: random.Random, reviewer, result: SupervisionSeedResult) -> None:
    """Three seeded rounds through the service (which avoids villages already visited this
    year), a finding or two per visit, and a few rebounds in the later rounds."""
    for quarter, visited_on, round_seed in ROUNDS:
        visit_round = visit_services.visit_round_create(
            user=reviewer,
            year=YEAR,
            quarter=quarter,
            seed=round_seed,
            villages_per_town=VILLAGES_PER_TOWN,
            inspectors_per_visit=2,
            visited_on=visited_on,
        )
        result.rounds += 1
        visited = list(
            VisitVillage.objects.filter(visit__round=visit_round)
            .select_related("village", "visit")
            .order_by("visit__town__code", "village__code")
        )
        for entry in rng.sample(visited, k=len(visited) // 4):
            problem, severity, action = rng.choice(PROBLEMS)
            finding = visit_services.finding_record(
                visit_village=entry,
                user=reviewer,
                problem=problem,
                severity=severity,
                action=action,
                due_on=visited_on + dt.timedelta(days=30),
            )
            result.findings += 1
            if quarter < 3 or rng.random() < 0.3:
                _close_demo_finding(finding, closed_on=visited_on + dt.timedelta(days=12))
        if quarter >= 2:
            result.rebounds += _demo_rebounds(rng, visited, reviewer, found_on=visited_on)
    result.villages_visited = (
        VisitVillage.objects.filter(visit__round__year=YEAR).values("village").distinct().count()
    )


def _close_demo_finding(finding: Finding, *, closed_on: dt.date) -> None:
    """Closed by the township on a date in 2024 (the service would stamp today)."""
    Finding.objects.filter(pk=finding.pk).update(
        closed_at=local_at(closed_on, 15), closing_note="已整改到位并拍照存档"
    )


def _demo_rebounds(rng: random.Random, visited: list, reviewer, *, found_on: dt.date) -> int:
    """REBOUNDS // 2 per round: a sign removed at least a month before the visit is back."""
    made = 0
    for entry in rng.sample(visited, k=len(visited)):
        if made == REBOUNDS // 2:
            break
        removal = (
            Removal.objects.in_effect()
            .filter(
                signboard__village=entry.village,
                removed_on__lte=found_on - dt.timedelta(days=30),
            )
            .order_by("removed_on", "pk")
            .first()
        )
        if removal is None:
            continue
        visit_services.rebound_record(
            visit_village=entry, user=reviewer, removal=removal, found_on=found_on
        )
        made += 1
    return made


def _remarks(reviewer) -> None:
    towns = Town.objects.order_by("code")[: len(REMARKS)]
    AssessmentRemark.objects.bulk_create(
        [
            AssessmentRemark(town=town, year=YEAR, remarks=text, written_by=reviewer)
            for town, text in zip(towns, REMARKS, strict=False)
        ]
    )


SUPERVISION_MODELS = (
    Rebound,
    Finding,
    VisitVillage,
    Visit.inspectors.through,
    Visit,
    VisitRound,
    WorkItem,
    WorkList,
    RemovalReview,
    AssessmentRemark,
)


def reset() -> None:
    """Delete the supervision's data (raw DELETEs, children first)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in SUPERVISION_MODELS:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
