import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from signs import services
from signs.models import ApprovedItem, Removal, Signboard, Standard
from villages.models import AuditEntry


@pytest.fixture
def board(village, staff):
    return services.signboard_create(
        village=village,
        user=staff,
        kind="guidance",
        title=" 廉洁工作站 ",
        location="外墙",
        inventoried_on=dt.date(2024, 1, 2),
    )


def test_signboard_create_trims_and_audits(board, staff):
    assert board.title == "廉洁工作站"
    entry = AuditEntry.objects.get(action="signboard.create")
    assert (entry.actor, entry.town, entry.object_id) == (staff, board.village.town, str(board.pk))
    assert entry.after["title"] == "廉洁工作站"


def test_signboard_cannot_be_inventoried_in_the_future(village, staff):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.signboard_create(
            village=village, user=staff, kind="other", title="x", inventoried_on=tomorrow
        )
    assert "清点日期不能晚于今天" in str(caught.value)
    assert not Signboard.objects.exists()
    assert not AuditEntry.objects.exists()


def test_record_removal_writes_removal_and_audit(board, staff):
    removal = services.removal_record(
        signboard=board, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    assert removal.recorded_by == staff
    entry = AuditEntry.objects.get(action="removal.record")
    assert entry.after["removed_on"] == "2024-03-01"
    assert entry.before is None


@pytest.mark.parametrize(
    ("removed_on", "reason", "note", "message"),
    [
        (dt.date(2023, 12, 31), "no_business", "", "摘除日期不能早于牌子清点日期（2024-01-02）"),
        (None, "no_business", "", "摘除日期不能晚于今天"),
        (dt.date(2024, 3, 1), "other", "  ", "请在备注中说明原因"),
        (dt.date(2024, 3, 1), "made_up", "", "不是有效选项"),
    ],
    ids=["before-inventory", "future", "other-without-note", "unknown-reason"],
)
def test_record_removal_refuses_bad_input(board, staff, removed_on, reason, note, message):
    removed_on = removed_on or timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.removal_record(
            signboard=board, user=staff, removed_on=removed_on, reason=reason, note=note
        )
    assert message in " ".join(caught.value.messages)
    assert not Removal.objects.exists()
    assert not AuditEntry.objects.filter(action="removal.record").exists()


def test_second_removal_of_same_sign_is_refused(board, staff):
    services.removal_record(
        signboard=board, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    with pytest.raises(ValidationError) as caught:
        services.removal_record(
            signboard=board, user=staff, removed_on=dt.date(2024, 3, 2), reason="no_business"
        )
    assert "该牌子已摘除" in " ".join(caught.value.messages)
    assert Removal.objects.count() == 1


def test_revoke_keeps_history_and_frees_the_sign(board, staff, reviewer):
    first = services.removal_record(
        signboard=board, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    services.removal_revoke(removal=first, user=reviewer, reason="牌子仍在墙上")
    first.refresh_from_db()
    assert first.revoked_by == reviewer and first.revoke_reason == "牌子仍在墙上"
    entry = AuditEntry.objects.get(action="removal.revoke")
    assert entry.before["revoked_at"] is None and entry.after["revoked_at"]
    again = services.removal_record(
        signboard=board, user=staff, removed_on=dt.date(2024, 3, 5), reason="damaged"
    )
    assert Removal.objects.filter(signboard=board).count() == 2
    assert again.revoked_at is None


def test_revoke_needs_reason_and_happens_once(board, staff):
    removal = services.removal_record(
        signboard=board, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        services.removal_revoke(removal=removal, user=staff, reason=" ")
    services.removal_revoke(removal=removal, user=staff, reason="误录")
    with pytest.raises(ValidationError, match="该摘除记录已被撤销"):
        services.removal_revoke(removal=removal, user=staff, reason="再撤一次")
    assert AuditEntry.objects.filter(action="removal.revoke").count() == 1


def test_make_current_switches_the_edition(fixtures_loaded, reviewer):
    old = Standard.objects.get(is_current=True)
    new = Standard.objects.create(
        title="第二版（示例）", year=2025, effective_on=dt.date(2025, 1, 1)
    )
    ApprovedItem.objects.create(standard=new, kind="rule", number=1, title="村规民约")
    services.standard_make_current(standard=new, user=reviewer)
    assert list(Standard.objects.filter(is_current=True)) == [new]
    old.refresh_from_db()
    assert old.is_current is False
