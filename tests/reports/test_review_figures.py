"""Verified beside reported, and 销号 villages: dashboard and 台账 read one selector."""

import datetime as dt

import pytest

from supervision.choices import ReviewStatus
from supervision.models import RemovalReview
from supervision.selectors import review as review_selectors
from tests.reports.test_dashboard import as_reviewer, get  # noqa: F401
from tests.reports.test_ledger import data_rows, ledger
from tests.signs.test_selectors import local, world  # noqa: F401

D = dt.date


def verdict(sign, status, at, comment=""):
    removal = sign.removals.get()
    return RemovalReview.objects.create(
        removal=removal, status=status, comment=comment, reviewed_at=at
    )


def city(as_of):
    return review_selectors.city_review_figures(
        review_selectors.review_figures_by_town(as_of=as_of)
    )


def test_nothing_reviewed_every_removal_waits(world):  # noqa: F811
    figures = city(D(2024, 3, 1))
    # taken (3-01), revoked-later (in effect on 3-01), c_taken (2-01)
    assert (figures.reported, figures.verified, figures.pending, figures.returned) == (3, 0, 3, 0)
    # Only 城西村 closes: it meets the standard with nothing to verify. 百合村 meets it but
    # its removal waits; 城东村 still has a duplicate up.
    assert list(review_selectors.closed_villages(as_of=D(2024, 3, 1))) == [world["b"]]
    assert figures.villages_closed == 1


def test_a_verdict_counts_from_the_day_it_was_given(world):  # noqa: F811
    verdict(world["c_taken"], ReviewStatus.VERIFIED, local(2024, 2, 10, 9))
    before, after = city(D(2024, 2, 9)), city(D(2024, 2, 10))
    assert (before.verified, before.villages_closed) == (0, 1)
    assert (after.verified, after.villages_closed) == (1, 2)
    by_town = review_selectors.review_figures_by_town(as_of=D(2024, 3, 1))
    assert by_town[world["other"].pk].villages_closed == 1
    assert by_town[world["town"].pk].verified == 0


def test_returned_is_neither_verified_nor_pending(world):  # noqa: F811
    verdict(world["taken"], ReviewStatus.RETURNED, local(2024, 3, 2, 10), comment="照片不清")
    figures = city(D(2024, 3, 2))
    assert (figures.reported, figures.verified, figures.pending, figures.returned) == (3, 0, 2, 1)


def test_dashboard_shows_verified_beside_reported(as_reviewer, world):  # noqa: F811
    verdict(world["c_taken"], ReviewStatus.VERIFIED, local(2024, 2, 10, 9))
    response = get(as_reviewer, as_of="2024-03-01")
    page = response.content.decode()
    assert 'data-testid="verified">1 / 3<' in page
    assert 'data-testid="villages-closed">2 / 3<' in page
    rows = {row.record.town.pk: row for row in response.context["table"].rows}
    assert rows[world["other"].pk].get_cell_value("verified") == 1
    assert rows[world["other"].pk].get_cell_value("villages_closed") == 1
    assert rows[world["town"].pk].get_cell_value("villages_closed") == 1


@pytest.mark.parametrize("as_of, state", [("2024-02-09", "待核验"), ("2024-03-01", "核验通过")])
def test_ledger_shows_each_removals_review_state(as_reviewer, world, as_of, state):  # noqa: F811
    verdict(world["c_taken"], ReviewStatus.VERIFIED, local(2024, 2, 10, 9))
    wb = ledger(as_reviewer, as_of=as_of)
    removals = [r for r in data_rows(wb["摘牌记录"]) if isinstance(r[0], int)]
    row = next(r for r in removals if r[3] == "科普宣传室")
    assert row[-1] == state
    summary = data_rows(wb["汇总"])
    total = summary[-1]
    verified = 1 if state == "核验通过" else 0
    assert total[11] == verified and total[14] == (2 if verified else 1)


@pytest.mark.parametrize("today", [True, False])
def test_the_counts_agree_with_the_village_list_today_and_in_the_past(world, today):  # noqa: F811
    """closed_village_counts (one pass, for the dashboard) and closed_villages (per village,
    for a township's page) say the same; a village with no sign at all is closed too."""
    from django.utils import timezone

    from signs.tallies import rebuild_all_tallies

    world["town"].villages.create(code="450181100299", name="空村")
    rebuild_all_tallies()
    verdict(world["c_taken"], ReviewStatus.VERIFIED, local(2024, 2, 10, 9))
    as_of = timezone.localdate() if today else D(2024, 3, 1)
    listed = {}
    for village in review_selectors.closed_villages(as_of=as_of):
        listed[village.town_id] = listed.get(village.town_id, 0) + 1
    counts = review_selectors.closed_village_counts(as_of=as_of)
    assert counts == listed
    assert counts[world["town"].pk] == 2  # 城西村 and 空村; 城东村 has signs still up
    assert "空村" in {v.name for v in review_selectors.closed_villages(as_of=as_of)}


def test_cached_figures_change_with_the_next_verdict(as_reviewer, world):  # noqa: F811
    """The dashboard caches the review figures; a verdict or a revocation shows at once."""
    url_figures = lambda: get(as_reviewer, as_of="2024-03-01").context["review"]  # noqa: E731
    assert url_figures().verified == 0
    review = verdict(world["c_taken"], ReviewStatus.VERIFIED, local(2024, 2, 10, 9))
    assert url_figures().verified == 1
    RemovalReview.objects.filter(pk=review.pk).update(
        status=ReviewStatus.RETURNED, comment="再看", reviewed_at=local(2024, 2, 11, 9)
    )
    assert (url_figures().verified, url_figures().returned) == (0, 1)
