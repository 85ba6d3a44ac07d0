from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignsConfig(AppConfig):
    name = "signs"
    verbose_name = _("Signboards and removals")

    def ready(self):
        from villages.audit import register_actions

        from .choices import AUDIT_ACTIONS

        register_actions(AUDIT_ACTIONS)
