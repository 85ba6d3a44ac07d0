"""`manage.py seed_demo`: the demo data set in the article's shape (see signs/demo.py)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from signs import demo, tallies
from signs.models import VillageDayTally, VillageTally
from villages.models import Village


class Command(BaseCommand):
    help = "Generate demo townships, villages, signs and removals (2024), with demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=int, default=demo.DEFAULT_VILLAGES)
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete villages, signs, removals, sites, TownStaff, audit rows first.",
        )

    def handle(self, *args, villages, seed, reset, **options):
        if villages < 1:
            raise CommandError("--villages must be at least 1.")
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                tables = demo.reset_demo_data()
                self.stdout.write(
                    f"已清空 {len(tables)} 张表（{time.monotonic() - started:.1f} 秒）。"
                )
            elif Village.objects.exists():
                self.stdout.write("已有村（社区）数据，未生成演示数据；重建请加 --reset。")
                return
            loaded = demo.ensure_reference_data()
            if loaded:
                self.stdout.write(f"已载入：{', '.join(loaded)}")
            try:
                result = demo.seed(villages=villages, seed=seed)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        demo.analyze_tables()
        # Today's figures for the dashboard (signs.tallies), after ANALYZE for a good plan.
        tallies.rebuild_all_tallies()
        demo.analyze_tables(VillageTally, VillageDayTally)  # the past-date dashboard's plan
        elapsed = time.monotonic() - started
        self._report(result, seed=seed, elapsed=elapsed)

    def _report(self, result: demo.SeedResult, *, seed: int, elapsed: float) -> None:
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"演示数据已生成（seed {seed}）：乡镇 {result.towns}，"
                f"村（社区）{result.villages:,}，"
                f"牌子 {result.signboards:,}，摘除记录 {result.removals:,}"
                f"（其中已撤销 {result.revoked:,}）"
            )
        )
        write(
            f"已摘除：上墙制度牌 {result.removed_rule:,}，其他 {result.removed_other:,}；"
            f"示范点 {result.sites}，投入 ¥{result.investment:,.0f}；"
            f"全覆盖乡镇（计划）{len(result.fully_covered)} 个；"
            f"汇编印发 {result.book_copies} 册"
        )
        names = result.usernames
        shown = ", ".join(names[:5]) + (f" … {names[-1]}" if len(names) > 5 else "")
        write(f"演示账号：{shown}（共 {len(names)} 个，新建 {result.accounts_created} 个）")
        write(f"演示密码（仅供演示，切勿用于生产）：{demo.DEMO_PASSWORD}")
        write(f"用时 {elapsed:.1f} 秒。")
