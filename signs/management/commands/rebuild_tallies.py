"""Recompute every village's tally of today's figures from the base tables."""

import time

from django.core.management.base import BaseCommand

from signs.tallies import rebuild_all_tallies


class Command(BaseCommand):
    help = "Recompute today's figures of every village (signs.VillageTally) from the base tables."

    def handle(self, *args, **options):
        started = time.monotonic()
        n = rebuild_all_tallies()
        self.stdout.write(
            f"已重算 {n:,} 个村（社区）的当日数据，用时 {time.monotonic() - started:.1f} 秒。"
        )
