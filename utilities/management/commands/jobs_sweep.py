"""Mark jobs stuck past their time limit failed and delete job files past their expiry.

Run it from cron every few minutes on one host (docs/deploy.md); the job pages also sweep the
jobs they show."""

from django.core.management.base import BaseCommand

from utilities import jobs


class Command(BaseCommand):
    help = "Fail stuck jobs and delete expired job results."

    def handle(self, *args, **options):
        counts = jobs.sweep()
        self.stdout.write(f"failed {counts['failed']}, expired {counts['expired']}")
