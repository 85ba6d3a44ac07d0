"""`manage.py seed_supervision`: the supervision's 2024 demo (see supervision/demo.py)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from signs.models import Removal
from supervision import demo
from supervision.models import WorkList


class Command(BaseCommand):
    help = "Generate the 2024 demo of reviews, work lists, visit rounds, rebounds and remarks."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.YEAR)
        parser.add_argument(
            "--reset", action="store_true", help="Delete the supervision's data first."
        )

    def handle(self, *args, seed, reset, **options):
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo.reset()
            elif WorkList.objects.exists():
                self.stdout.write("已有督导数据，未生成；重建请加 --reset。")
                return
            if not Removal.objects.exists():
                raise CommandError("还没有摘牌数据：请先运行 seed_demo。")
            result = demo.seed(seed=seed)
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"督导演示数据已生成：核验 {result.reviewed:,}（通过 {result.verified:,}，"
                f"退回 {result.returned}）；工作清单 {result.work_lists} 期"
                f"（事项 {result.work_items:,}）；调研 {result.rounds} 轮，"
                f"覆盖村（社区）{result.villages_visited} 个，发现问题 {result.findings} 个，"
                f"反弹 {result.rebounds} 块"
            )
        )
        write(f"督导人员账号：{', '.join(result.inspectors or [])}")
        write(f"用时 {time.monotonic() - started:.1f} 秒。")
