"""三员分立: the system, security and audit administrators each do their own work only."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.urls import reverse

from villages import roles
from villages.models import AuditEntry, AuditRecordIsPermanent, Village


@pytest.fixture
def admins(make_user):
    made = {}
    for name, role in (
        ("sys", roles.SYSTEM_ADMIN),
        ("sec", roles.SECURITY_ADMIN),
        ("aud", roles.AUDIT_ADMIN),
    ):
        user = make_user(name, role=role)
        user.is_staff = True
        user.save()
        made[name] = user
    return made


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "_save": "1",
    }
    data.update(changes)
    return data


def test_the_system_administrator_manages_accounts_but_not_roles(client, admins, staff):
    client.force_login(admins["sys"])
    assert client.get(reverse("admin:auth_user_add")).status_code == 200
    reviewer_group = Group.objects.get(name=roles.REVIEWER)
    response = client.post(
        change_url(staff), user_form(staff, first_name="李四", groups=[reviewer_group.pk])
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.first_name == "李四"
    assert list(staff.groups.values_list("name", flat=True)) == [roles.TOWN_STAFF]
    password_url = reverse("admin:auth_user_password_change", args=[staff.pk])
    assert client.get(password_url).status_code == 200
    for page in ("admin:villages_auditentry_changelist", "admin:axes_accessattempt_changelist"):
        assert client.get(reverse(page)).status_code == 403


def test_the_security_administrator_assigns_roles_but_not_account_details(client, admins, staff):
    client.force_login(admins["sec"])
    reviewer_group = Group.objects.get(name=roles.REVIEWER)
    response = client.post(
        change_url(staff),
        user_form(staff, username="renamed", first_name="王五", groups=[reviewer_group.pk]),
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.username == "staff_a" and staff.first_name == ""
    assert list(staff.groups.values_list("name", flat=True)) == [roles.REVIEWER]
    password_url = reverse("admin:auth_user_password_change", args=[staff.pk])
    assert client.get(password_url).status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    assert client.get(reverse("admin:villages_auditentry_changelist")).status_code == 403
    assert client.get(reverse("admin:villages_village_changelist")).status_code == 403


def test_the_security_administrator_cannot_raise_their_own_roles(client, admins):
    me = admins["sec"]
    client.force_login(me)
    audit_group = Group.objects.get(name=roles.AUDIT_ADMIN)
    client.post(change_url(me), user_form(me, groups=[audit_group.pk]))
    assert list(me.groups.values_list("name", flat=True)) == [roles.SECURITY_ADMIN]


def test_the_security_administrator_lifts_a_sign_in_lock(client, admins):
    attempt = AccessAttempt.objects.create(
        username="staff_a", ip_address="10.0.0.1", failures_since_start=5,
        user_agent="", get_data="", post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip
    client.force_login(admins["sec"])
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_audit_administrator_reads_the_trail_and_changes_nothing(
    client, admins, staff, village
):
    client.force_login(admins["sys"])
    client.post(
        reverse("admin:villages_village_change", args=[village.pk]),
        {"town": village.town_id, "code": village.code, "name": "城东社区", "kind": village.kind},
    )
    client.force_login(admins["aud"])
    trail = client.get(reverse("admin:villages_auditentry_changelist"))
    assert trail.status_code == 200 and "城东社区" in trail.content.decode()
    entry = AuditEntry.objects.get(action="admin.change")
    for url in (
        reverse("admin:villages_auditentry_delete", args=[entry.pk]),
        change_url(staff),
        reverse("admin:villages_village_change", args=[village.pk]),
    ):
        assert client.post(url, {"post": "yes", "name": "x"}).status_code == 403
    assert client.get(reverse("admin:axes_accesslog_changelist")).status_code == 200


def test_admin_edits_are_audited_with_before_and_after(client, admins, staff, village):
    client.force_login(admins["sys"])
    response = client.post(
        reverse("admin:villages_village_change", args=[village.pk]),
        {"town": village.town_id, "code": village.code, "name": "城东社区", "kind": village.kind},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change", object_type="villages.village")
    assert (entry.before["name"], entry.after["name"]) == ("城东村", "城东社区")
    assert entry.actor == admins["sys"] and entry.town == village.town

    client.force_login(admins["sec"])
    reviewer_group = Group.objects.get(name=roles.REVIEWER)
    client.post(change_url(staff), user_form(staff, groups=[reviewer_group.pk]))
    entry = AuditEntry.objects.get(action="admin.change", object_type="auth.user")
    assert entry.before["groups"] == [roles.TOWN_STAFF]
    assert entry.after["groups"] == [roles.REVIEWER]
    assert entry.actor == admins["sec"]


def test_a_superuser_account_is_out_of_reach_of_the_administrators(client, admins):
    root = User.objects.create_superuser("root", password="Root-pass-2024")
    for name in ("sys", "sec"):
        client.force_login(admins[name])
        assert client.post(change_url(root), user_form(root)).status_code == 403


def test_no_administrator_can_delete_an_account(client, admins, staff):
    for name in ("sys", "sec", "aud"):
        client.force_login(admins[name])
        url = reverse("admin:auth_user_delete", args=[staff.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()


def test_audit_records_cannot_be_changed_or_deleted_through_the_app(staff, village):
    from villages.audit import audit_write

    entry = audit_write(actor=staff, action="signboard.create", obj=village, town=village.town)
    entry.action = "forged"
    with pytest.raises(AuditRecordIsPermanent):
        entry.save()
    with pytest.raises(AuditRecordIsPermanent):
        entry.delete()
    with pytest.raises(AuditRecordIsPermanent):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditRecordIsPermanent):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "signboard.create"
    assert Village.objects.filter(pk=village.pk).exists()
