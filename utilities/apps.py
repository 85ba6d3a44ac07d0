from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UtilitiesConfig(AppConfig):
    name = "utilities"
    verbose_name = _("Shared web plumbing")
