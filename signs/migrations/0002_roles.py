"""Create the three roles as groups with the model permissions each needs."""

from django.db import migrations

TOWN_STAFF = "乡镇填报员"
REVIEWER = "组织部审核员"
ADMINISTRATOR = "管理员"

VIEW_ALL = [
    "villages.view_town",
    "villages.view_village",
    "villages.view_demonstrationsite",
    "signs.view_standard",
    "signs.view_approveditem",
    "signs.view_signboard",
    "signs.view_removal",
]
ROLE_PERMISSIONS = {
    TOWN_STAFF: VIEW_ALL
    + [
        "signs.add_signboard",
        "signs.change_signboard",
        "signs.add_removal",
        "signs.change_removal",
    ],
    REVIEWER: VIEW_ALL
    + [
        "villages.add_demonstrationsite",
        "villages.change_demonstrationsite",
        "villages.view_auditentry",
        "villages.view_townstaff",
        "signs.add_standard",
        "signs.change_standard",
        "signs.add_approveditem",
        "signs.change_approveditem",
        "signs.change_removal",
    ],
    ADMINISTRATOR: VIEW_ALL
    + [
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        "villages.add_townstaff",
        "villages.change_townstaff",
        "villages.delete_townstaff",
        "villages.view_townstaff",
        "villages.add_town",
        "villages.change_town",
        "villages.add_village",
        "villages.change_village",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    from django.contrib.auth.management import create_permissions

    for label in ("auth", "villages", "signs"):
        config = apps.get_app_config(label)
        models_module = getattr(config, "models_module", None)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("villages", "0001_initial"),
        ("signs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
