from django.db import models
from django.utils.translation import gettext_lazy as _


class TownKind(models.TextChoices):
    TOWN = "town", _("town (镇)")
    TOWNSHIP = "township", _("township (乡)")
    SUBDISTRICT = "subdistrict", _("subdistrict (街道)")


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("village (村)")
    COMMUNITY = "community", _("community (社区)")
