import pytest

from feedback import services
from villages import roles


@pytest.fixture
def administrator(make_user):
    """The system administrator, who answers (villages.roles.SYSTEM_ADMIN)."""
    return make_user("sysadmin_a", role=roles.SYSTEM_ADMIN)


@pytest.fixture
def staff_b(make_user, other_town):
    return make_user("staff_b", role=roles.TOWN_STAFF, town=other_town)


@pytest.fixture
def send():
    """Send an item through the service, with sensible defaults."""

    def make(user, **fields):
        values = {"kind": "suggestion", "subject": "增加批量导出", "body": "希望导出全部台账。"}
        return services.feedback_create(user=user, **{**values, **fields})

    return make
