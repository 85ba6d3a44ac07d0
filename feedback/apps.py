from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and complaints")

    def ready(self):
        from villages.audit import register_actions

        from .choices import AUDIT_ACTIONS

        register_actions(AUDIT_ACTIONS)
