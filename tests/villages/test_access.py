import pytest

from villages import access, roles
from villages.models import Village


@pytest.fixture
def villages(town, other_town):
    return [
        Village.objects.create(town=town, code="450181100201", name="城东村"),
        Village.objects.create(town=other_town, code="450181101201", name="百合村"),
    ]


def test_staff_see_only_their_township(staff, villages, town):
    assert access.user_town(staff) == town
    assert not access.is_city_level(staff)
    assert list(access.visible_villages(staff)) == [villages[0]]
    assert list(access.visible_towns(staff)) == [town]


def test_reviewers_see_every_township(reviewer, villages):
    assert access.user_town(reviewer) is None
    assert access.is_city_level(reviewer)
    assert list(access.visible_villages(reviewer)) == villages


def test_user_without_role_or_township_sees_nothing(django_user_model, villages):
    nobody = django_user_model.objects.create_user("nobody")
    assert not access.visible_villages(nobody).exists()


def test_anonymous_sees_nothing(villages):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_villages(AnonymousUser()).exists()


def test_roles_exist_with_permissions(db):
    from django.contrib.auth.models import Group

    perms = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert set(perms) == {
        roles.TOWN_STAFF, roles.REVIEWER,
        roles.SYSTEM_ADMIN, roles.SECURITY_ADMIN, roles.AUDIT_ADMIN,
    }  # fmt: skip
    assert {"add_removal", "change_removal", "add_signboard"} <= perms[roles.TOWN_STAFF]
    assert "change_standard" not in perms[roles.TOWN_STAFF]
    assert {"change_standard", "view_auditentry"} <= perms[roles.REVIEWER]
    assert {"add_user", "change_user"} <= perms[roles.SYSTEM_ADMIN]
    assert not any(p.startswith("delete_") and p in {"delete_removal", "delete_signboard"}
                   for group in perms.values() for p in group)  # fmt: skip
