"""Recompute every village's tallies (today's and by day) from the base tables.

With --queue USERNAME the work goes to the job queue as that user's job (utilities.jobs), and
the command prints the job's page instead of waiting."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from signs.tallies import rebuild_all_tallies
from utilities import jobs


class Command(BaseCommand):
    help = "Recompute every village's figures (signs.VillageTally, VillageDayTally)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", metavar="USERNAME", help="run it as USERNAME's job")

    def handle(self, *args, **options):
        if options["queue"]:
            user = get_user_model().objects.filter(username=options["queue"]).first()
            if user is None:
                raise CommandError(f"没有用户 {options['queue']}。")
            try:
                job = jobs.start(user=user, task="rebuild_tallies", title="重算各村统计")
            except jobs.QueueUnavailable as exc:
                raise CommandError(f"任务队列无法连接：{exc}") from exc
            self.stdout.write(f"任务 {job.pk}：{job.get_state_display()}（{jobs.page_url(job)}）")
            return
        started = time.monotonic()
        n = rebuild_all_tallies()
        self.stdout.write(
            f"已重算 {n:,} 个村（社区）的当日数据，用时 {time.monotonic() - started:.1f} 秒。"
        )
