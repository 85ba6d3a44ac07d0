from django.db import models
from django.utils.translation import gettext_lazy as _


class TownKind(models.TextChoices):
    TOWN = "town", _("town (镇)")
    TOWNSHIP = "township", _("township (乡)")
    SUBDISTRICT = "subdistrict", _("subdistrict (街道)")


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("village (村)")
    COMMUNITY = "community", _("community (社区)")


# What the history pages call the territory's and the admin's audited actions.
AUDIT_ACTIONS = {
    "town.create": _("added the township"),
    "town.update": _("changed the township"),
    "village.create": _("added the village"),
    "village.update": _("changed the village"),
    "admin.add": _("added in the admin"),
    "admin.change": _("changed in the admin"),
    "admin.delete": _("deleted in the admin"),
    "admin.password": _("set a password in the admin"),
}
