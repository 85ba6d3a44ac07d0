from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Townships and villages")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .audit import register_actions
        from .choices import AUDIT_ACTIONS
        from .display import restore_on_sign_in

        register_actions(AUDIT_ACTIONS)

        # Django's own hook into its sign-in view: the one place a session is handed over.
        user_logged_in.connect(restore_on_sign_in, dispatch_uid="villages.display")
