from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UtilitiesConfig(AppConfig):
    name = "utilities"
    verbose_name = _("Shared web plumbing")

    def ready(self):
        from . import jobs

        jobs.load_tasks()
