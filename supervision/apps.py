from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from villages.audit import register_actions

        from .choices import AUDIT_ACTIONS

        register_actions(AUDIT_ACTIONS)
