"""Review (核验) services: verify, return, resubmit; 销号 as the selectors derive it."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from signs import services as signs_services
from signs.models import Removal
from supervision.choices import ReviewStatus
from supervision.models import RemovalReview
from supervision.selectors import review as selectors
from supervision.services import review as services
from villages import roles
from villages.models import AuditEntry, Village


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def remove(village, user, title, *, reason="no_business"):
    """A sign to remove, inventoried and removed through the services (tallies kept)."""
    sign = signs_services.signboard_create(
        village=village, user=user, kind="guidance", title=title,
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    return signs_services.removal_record(
        signboard=sign, user=user, removed_on=dt.date(2024, 3, 1), reason=reason
    )


@pytest.fixture
def removal(village, staff):
    return remove(village, staff, "廉洁工作站")


def messages_of(info) -> str:
    return " ".join(info.value.messages)


def actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith="review.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_verify_writes_the_verdict_and_its_audit(removal, reviewer):
    review = services.removal_verify(removal=removal, user=reviewer)
    stored = RemovalReview.objects.get(pk=removal.pk)
    assert (stored.status, stored.reviewed_by) == (ReviewStatus.VERIFIED, reviewer)
    assert stored.reviewed_at is not None and review.pk == removal.pk
    entry = AuditEntry.objects.get(action="review.verify")
    assert (entry.actor, entry.town, entry.before) == (
        reviewer,
        removal.signboard.village.town,
        None,
    )
    assert entry.after["status"] == "verified"


def test_a_verified_removal_is_not_verified_again(removal, reviewer, make_user):
    services.removal_verify(removal=removal, user=reviewer)
    other = make_user("reviewer_b", role=roles.REVIEWER)
    with pytest.raises(ValidationError) as info:
        services.removal_verify(removal=removal, user=other)
    assert "该摘除记录已核验通过" in messages_of(info)
    assert RemovalReview.objects.get(pk=removal.pk).reviewed_by == reviewer
    assert actions() == ["review.verify"]


@pytest.mark.parametrize("decide", ["verify", "return"])
def test_a_revoked_removal_can_be_neither_verified_nor_returned(removal, staff, reviewer, decide):
    signs_services.removal_revoke(removal=removal, user=staff, reason="登记错了")
    with pytest.raises(ValidationError) as info:
        if decide == "verify":
            services.removal_verify(removal=removal, user=reviewer)
        else:
            services.removal_return(removal=removal, user=reviewer, comment="照片不清楚")
    assert "该摘除记录已撤销，无需核验" in messages_of(info)
    assert not RemovalReview.objects.exists()
    assert actions() == []


def test_a_return_needs_a_comment(removal, reviewer):
    with pytest.raises(ValidationError) as info:
        services.removal_return(removal=removal, user=reviewer, comment="   ")
    assert info.value.message_dict["comment"] == ["请写明需要更正的内容。"]
    assert not RemovalReview.objects.exists()


def test_returned_then_resubmitted_then_verified(removal, staff, reviewer):
    services.removal_return(removal=removal, user=reviewer, comment=" 原因应为重复悬挂 ")
    review = RemovalReview.objects.get(pk=removal.pk)
    assert (review.status, review.comment) == (ReviewStatus.RETURNED, "原因应为重复悬挂")
    assert list(selectors.returned_removals(villages=Village.objects.all())) == [removal]

    # Returned and not yet resubmitted: the reviewer cannot verify it behind the township.
    with pytest.raises(ValidationError) as info:
        services.removal_verify(removal=removal, user=reviewer)
    assert "该摘除记录已退回，正等待乡镇更正" in messages_of(info)

    services.removal_resubmit(removal=removal, user=staff, reason="duplicate", note="与室牌重复")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert review.resubmissions == 1 and review.resubmitted_at is not None
    assert review.comment == "原因应为重复悬挂"  # kept for the record
    corrected = Removal.objects.get(pk=removal.pk)
    assert (corrected.reason, corrected.note) == ("duplicate", "与室牌重复")
    assert not selectors.returned_removals(villages=Village.objects.all()).exists()

    services.removal_verify(removal=removal, user=reviewer)
    review.refresh_from_db()
    assert review.status == ReviewStatus.VERIFIED
    assert review.resubmissions == 1
    assert actions() == ["review.return", "review.resubmit", "review.verify"]
    assert AuditEntry.objects.filter(action="removal.correct", actor=staff).count() == 1


def test_resubmitting_twice_is_refused(removal, staff, reviewer):
    services.removal_return(removal=removal, user=reviewer, comment="补拍照片")
    services.removal_resubmit(removal=removal, user=staff, reason="no_business")
    with pytest.raises(ValidationError) as info:
        services.removal_resubmit(removal=removal, user=staff, reason="no_business")
    assert "只有被退回的摘除记录才能更正并重新提交" in messages_of(info)
    assert RemovalReview.objects.get(pk=removal.pk).resubmissions == 1


def test_only_the_townships_staff_resubmit(removal, reviewer, make_user, other_town):
    services.removal_return(removal=removal, user=reviewer, comment="补拍照片")
    outsider = make_user("staff_b", role=roles.TOWN_STAFF, town=other_town)
    for user in (outsider, reviewer):
        with pytest.raises(ValidationError) as info:
            services.removal_resubmit(removal=removal, user=user, reason="duplicate")
        assert "只有本乡镇填报员才能更正本乡镇的摘除记录" in messages_of(info)
    assert RemovalReview.objects.get(pk=removal.pk).status == ReviewStatus.RETURNED
    assert Removal.objects.get(pk=removal.pk).reason == "no_business"


def test_a_refused_correction_leaves_the_removal_returned(removal, staff, reviewer):
    services.removal_return(removal=removal, user=reviewer, comment="说明原因")
    with pytest.raises(ValidationError) as info:
        services.removal_resubmit(removal=removal, user=staff, reason="other", note="")
    assert "请在备注中说明原因" in messages_of(info)
    review = RemovalReview.objects.get(pk=removal.pk)
    assert (review.status, review.resubmissions) == (ReviewStatus.RETURNED, 0)
    assert actions() == ["review.return"]


def test_bulk_verify_is_all_or_nothing(village, staff, reviewer):
    first, second, third = (remove(village, staff, t) for t in ("甲牌", "乙牌", "丙牌"))
    signs_services.removal_revoke(removal=second, user=staff, reason="登记错了")
    with pytest.raises(ValidationError) as info:
        services.removals_verify_bulk(removals=[first, second, third], user=reviewer)
    assert "乙牌" in messages_of(info)
    assert not RemovalReview.objects.exists()

    done = services.removals_verify_bulk(removals=[first, third], user=reviewer)
    assert {r.pk for r in done} == {first.pk, third.pk}
    assert actions() == ["review.verify", "review.verify"]
    with pytest.raises(ValidationError) as info:
        services.removals_verify_bulk(removals=[], user=reviewer)
    assert "请至少勾选一条摘除记录" in messages_of(info)


def test_a_verdict_inserted_meanwhile_wins_the_race(removal, reviewer, make_user, monkeypatch):
    """Both reviewers saw no verdict; the primary key lets only the first one write."""
    services.removal_verify(removal=removal, user=reviewer)
    late = make_user("reviewer_b", role=roles.REVIEWER)
    monkeypatch.setattr(RemovalReview.objects, "filter", lambda **kw: RemovalReview.objects.none())
    with pytest.raises(ValidationError) as info:
        services.removal_return(removal=removal, user=late, comment="照片不清楚")
    monkeypatch.undo()
    assert "其他审核员刚刚已对该摘除记录作出核验结论" in messages_of(info)
    assert RemovalReview.objects.get(pk=removal.pk).status == ReviewStatus.VERIFIED
    assert actions() == ["review.verify"]


def test_a_verdict_given_meanwhile_on_a_resubmission_wins_the_race(
    removal, staff, reviewer, make_user, monkeypatch
):
    """Both reviewers read the resubmitted removal as pending; the conditional UPDATE lets
    only the first one decide."""
    services.removal_return(removal=removal, user=reviewer, comment="补拍照片")
    services.removal_resubmit(removal=removal, user=staff, reason="no_business")
    stale = RemovalReview.objects.get(pk=removal.pk)
    services.removal_verify(removal=removal, user=reviewer)
    real_filter = RemovalReview.objects.filter
    reads = []

    class Stale:
        def first(self):
            return stale

    def filter_(*args, **kwargs):
        if not reads:  # the first read sees the row as it was before the other verdict
            reads.append(kwargs)
            return Stale()
        return real_filter(*args, **kwargs)

    late = make_user("reviewer_b", role=roles.REVIEWER)
    monkeypatch.setattr(RemovalReview.objects, "filter", filter_)
    with pytest.raises(ValidationError) as info:
        services.removal_return(removal=removal, user=late, comment="还要补拍")
    monkeypatch.undo()
    assert "其他审核员刚刚已对该摘除记录作出核验结论" in messages_of(info)
    stored = RemovalReview.objects.get(pk=removal.pk)
    assert (stored.status, stored.reviewed_by) == (ReviewStatus.VERIFIED, reviewer)


# --- 销号 -----------------------------------------------------------------------------------


def closed(village) -> bool:
    today = timezone.localdate()
    return selectors.closed_villages(
        as_of=today, villages=Village.objects.filter(pk=village.pk)
    ).exists()


def closure_row(village):
    return selectors.village_closure(villages=Village.objects.filter(pk=village.pk)).get()


def test_closure_flips_on_the_last_verification_and_back_when_a_sign_must_come_down(
    village, staff, reviewer
):
    first, second = remove(village, staff, "甲牌"), remove(village, staff, "乙牌")
    assert not closed(village)
    services.removal_verify(removal=first, user=reviewer)
    row = closure_row(village)
    assert (row.reported, row.verified, row.pending, row.returned) == (2, 1, 1, 0)
    assert row.meets_standard and not row.closed
    assert not closed(village)

    services.removal_return(removal=second, user=reviewer, comment="补拍照片")
    assert closure_row(village).returned == 1 and not closed(village)
    services.removal_resubmit(removal=second, user=staff, reason="no_business")
    services.removal_verify(removal=second, user=reviewer)
    row = closure_row(village)
    assert (row.reported, row.verified, row.pending, row.returned) == (2, 2, 0, 0)
    assert row.closed and closed(village)

    # A new sign that must come down: the village no longer meets the standard.
    signs_services.signboard_create(
        village=village, user=staff, kind="guidance", title="益农信息社"
    )
    row = closure_row(village)
    assert not row.meets_standard and not row.closed
    assert not closed(village)


def test_a_revoked_removal_does_not_hold_closure_back(village, staff, reviewer):
    kept = remove(village, staff, "甲牌")
    mistaken = remove(village, staff, "乙牌")
    services.removal_verify(removal=kept, user=reviewer)
    assert not closed(village)
    signs_services.removal_revoke(removal=mistaken, user=staff, reason="登记错了")
    # The revoked sign counts as up again: the village is behind, not closed, until it is
    # removed once more and verified.
    assert not closed(village)
    again = signs_services.removal_record(
        signboard=mistaken.signboard, user=staff, removed_on=dt.date(2024, 3, 5),
        reason="no_business",
    )  # fmt: skip
    assert not closed(village)
    services.removal_verify(removal=again, user=reviewer)
    assert closed(village)
    assert closure_row(village).reported == 2


# --- races on PostgreSQL ----------------------------------------------------------------------

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so nothing races; run with DATABASE_URL=postgres://…",
)
THREADS = 8


def decide_at_once(removal, reviewers) -> list[str]:
    """Every reviewer verifies (even) or returns (odd) `removal` at one moment: "ok" or the
    message each was given."""
    barrier = threading.Barrier(len(reviewers), timeout=30)

    def worker(i: int) -> str:
        try:
            barrier.wait()
            if i % 2:
                services.removal_return(removal=removal, user=reviewers[i], comment="补拍照片")
            else:
                services.removal_verify(removal=removal, user=reviewers[i])
            return "ok"
        except ValidationError as exc:
            return " ".join(exc.messages)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(reviewers)) as pool:
        return list(pool.map(worker, range(len(reviewers))))


@only_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("resubmitted", [False, True], ids=["first-verdict", "after-resubmit"])
def test_reviewers_deciding_at_once_decide_once(village, staff, make_user, resubmitted):
    reviewers = [make_user(f"reviewer_{i}", role=roles.REVIEWER) for i in range(THREADS)]
    removal = remove(village, staff, "廉洁工作站")
    if resubmitted:  # the conditional UPDATE decides, not the primary key
        services.removal_return(removal=removal, user=reviewers[0], comment="补拍照片")
        services.removal_resubmit(removal=removal, user=staff, reason="no_business")
    before = len(actions())
    said = decide_at_once(removal, reviewers)
    assert said.count("ok") == 1, said
    losers = [s for s in said if s != "ok"]
    assert all(
        "其他审核员刚刚已对该摘除记录作出核验结论" in s
        or "该摘除记录已核验通过" in s
        or "该摘除记录已退回" in s
        for s in losers
    ), losers
    assert len(actions()) == before + 1
    review = RemovalReview.objects.get(pk=removal.pk)
    assert review.status in (ReviewStatus.VERIFIED, ReviewStatus.RETURNED)
