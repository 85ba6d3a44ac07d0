"""三员分立: split the one administrator role into system, security and audit administrators."""

from django.db import migrations

OLD_ADMINISTRATOR = "管理员"
SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDIT_ADMIN = "审计管理员"

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
    # Accounts and the territory; not roles, not the audit trail.
    SYSTEM_ADMIN: VIEW_ALL
    + [
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "villages.manage_accounts",
        "villages.add_townstaff",
        "villages.change_townstaff",
        "villages.delete_townstaff",
        "villages.view_townstaff",
        "villages.add_town",
        "villages.change_town",
        "villages.add_village",
        "villages.change_village",
    ],
    # Roles and sign-in locks; not account details, not business data, not the audit trail.
    SECURITY_ADMIN: [
        "auth.view_user",
        "auth.change_user",
        "auth.view_group",
        "villages.assign_roles",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
    ],
    # Reads the audit trail and the sign-in log; changes nothing.
    AUDIT_ADMIN: [
        "auth.view_user",
        "villages.view_auditentry",
        "axes.view_accesslog",
        "axes.view_accessattempt",
        "axes.view_accessfailurelog",
    ],
}


def separate_administrators(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in ("auth", "villages", "signs", "axes"):
        config = apps.get_app_config(label)
        models_module = getattr(config, "models_module", None)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    old = Group.objects.filter(name=OLD_ADMINISTRATOR).first()
    if old is not None:
        system, _ = Group.objects.get_or_create(name=SYSTEM_ADMIN)
        system.user_set.add(*old.user_set.all())
        old.delete()
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in (code.split(".") for code in codes)
            ]
        )


def join_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[SECURITY_ADMIN, AUDIT_ADMIN]).delete()
    Group.objects.filter(name=SYSTEM_ADMIN).update(name=OLD_ADMINISTRATOR)


class Migration(migrations.Migration):
    dependencies = [
        ("signs", "0003_removal_photos"),
        ("villages", "0003_admin_permissions"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(separate_administrators, join_administrators)]
