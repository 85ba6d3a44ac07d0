"""The history pages: a village's changes, a township's activity log, readable before → after."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from signs import history, selectors, services
from signs.choices import RemovalReason, SignKind
from signs.models import ApprovedItem, Removal, Signboard
from villages import roles
from villages.audit import audit_write, snapshot
from villages.models import AuditEntry, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def place(town, other_town, village, make_user):
    """Two townships with a village each; a sign added, removed and the removal revoked."""
    other_village = Village.objects.create(town=other_town, code="450181101201", name="百合村")
    staff = make_user("staff_mine", role=roles.TOWN_STAFF, town=town)
    staff.first_name = "李明"
    staff.save()
    other_staff = make_user("staff_theirs", role=roles.TOWN_STAFF, town=other_town)
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    kept = services.signboard_create(
        village=village, user=staff, kind="plaque", title="党员活动室", location="二楼",
        approved_item=item, inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    sign = services.signboard_create(
        village=village, user=staff, kind="guidance", title="廉洁工作站", location="外墙",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    removal = services.removal_record(
        signboard=sign, user=staff, removed_on=dt.date(2024, 3, 1), reason="no_business"
    )
    services.removal_revoke(removal=removal, user=staff, reason="牌子还在墙上")
    their_sign = services.signboard_create(
        village=other_village, user=other_staff, kind="guidance", title="志愿者服务站",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    services.removal_record(
        signboard=their_sign, user=other_staff, removed_on=dt.date(2024, 3, 1), reason="damaged"
    )
    return {
        "village": village,
        "other_village": other_village,
        "kept": kept,
        "sign": sign,
        "removal": removal,
        "their_sign": their_sign,
        "item": item,
        "staff": staff,
        "other_staff": other_staff,
        "reviewer": make_user("reviewer_x", role=roles.REVIEWER),
    }


def village_url(place, *, theirs=False):
    village = place["other_village"] if theirs else place["village"]
    return reverse("village_history", args=[village.code])


def activity_url(place, *, theirs=False):
    village = place["other_village"] if theirs else place["village"]
    return reverse("town_activity", args=[village.town.code])


def grow(village, user, n):
    """n more signs, each added and removed: 2n more audit entries for the village."""
    for k in range(n):
        sign = services.signboard_create(
            village=village, user=user, kind="rule", title=f"牌子{k}",
            inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
        services.removal_record(
            signboard=sign, user=user, removed_on=dt.date(2024, 3, 1), reason="damaged"
        )


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


# --- before → after, made readable ---------------------------------------------------------


def test_a_revoke_shows_only_the_reason_going_from_empty_to_the_reason(place):
    entry = AuditEntry.objects.get(action="removal.revoke")
    changes = history.entry_changes(entry)
    # revoked_at and revoked_by repeat the entry's own when and who: not repeated.
    assert [(c.key, c.label, c.old, c.new) for c in changes] == [
        ("revoke_reason", "撤销原因", "", "牌子还在墙上")
    ]


def test_a_removal_shows_labels_choice_names_and_the_sign_by_name(place):
    entry = AuditEntry.objects.get(action="removal.record", object_id=str(place["removal"].pk))
    changes = {c.key: c for c in history.entry_changes(entry)}
    assert changes["signboard_id"].label == "牌子"
    assert changes["signboard_id"].new == "廉洁工作站"
    assert changes["reason"].label == "摘除原因"
    assert changes["reason"].new == str(RemovalReason.NO_BUSINESS.label) != "no_business"
    assert changes["removed_on"].new == "2024-03-01"
    for noise in ("id", "recorded_by_id", "recorded_at", "photo_thumb", "note"):
        assert noise not in changes


def test_a_new_sign_shows_its_kind_village_and_standard_item_by_name(place):
    entry = AuditEntry.objects.get(action="signboard.create", object_id=str(place["kept"].pk))
    changes = {c.key: (c.old, c.new) for c in history.entry_changes(entry)}
    assert changes["kind"] == ("", str(SignKind.PLAQUE.label))
    assert changes["village_id"] == ("", "城东村")
    assert changes["approved_item_id"] == ("", str(place["item"]))
    assert "created_by_id" not in changes and "created_at" not in changes


def test_a_page_of_entries_is_described_in_a_few_queries(place, django_assert_max_num_queries):
    grow(place["village"], place["staff"], 20)
    entries = list(selectors.village_history(village=place["village"]))
    assert len(entries) == 44
    with django_assert_max_num_queries(4):  # users, villages, approved items, signs
        rows = history.describe_entries(entries)
    assert all(row.changes for row in rows)


# --- the village's history -----------------------------------------------------------------


def test_village_history_anonymous_is_sent_to_login(client, place):
    response = client.get(village_url(place))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_village_history_of_another_township_is_404(client, place):
    client.force_login(place["staff"])
    assert client.get(village_url(place, theirs=True)).status_code == 404


def test_village_history_lists_every_change_newest_first(client, place):
    client.force_login(place["staff"])
    response = client.get(village_url(place))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.entry.action for row in rows] == [
        "removal.revoke", "removal.record", "signboard.create", "signboard.create",
    ]  # fmt: skip
    html = response.content.decode()
    for text in ("变更记录", "撤销了摘除", "登记了摘除", "录入了牌子", "李明", "撤销原因",
                 "牌子还在墙上", "廉洁工作站", "党员活动室"):  # fmt: skip
        assert text in html, text
    assert "志愿者服务站" not in html  # another township's sign
    revoke = html.split('data-action="removal.revoke"')[1].split("</li>")[0]
    assert "撤销原因" in revoke and "—" in revoke and "牌子还在墙上" in revoke
    assert reverse("signboard_history", args=[place["sign"].pk]) in html


def test_village_history_includes_changes_to_the_village_itself(client, place):
    village = place["village"]
    before = snapshot(village)
    village.name = "城东社区"
    village.save()
    audit_write(actor=place["reviewer"], action="village.update", obj=village,
                town=village.town, before=before, after=snapshot(village))  # fmt: skip
    client.force_login(place["staff"])
    rows = client.get(village_url(place)).context["rows"]
    assert rows[0].action == "修改了村(社区)"
    assert [(c.label, c.old, c.new) for c in rows[0].changes] == [("名称", "城东村", "城东社区")]


def test_reviewer_reads_any_village_history(client, place):
    client.force_login(place["reviewer"])
    assert client.get(village_url(place)).status_code == 200
    html = client.get(village_url(place, theirs=True)).content.decode()
    assert "志愿者服务站" in html and "廉洁工作站" not in html


def test_village_page_links_to_its_history(client, place):
    client.force_login(place["staff"])
    html = client.get(reverse("village", args=[place["village"].code])).content.decode()
    assert village_url(place) in html


def test_sign_history_shows_before_and_after(client, place):
    client.force_login(place["staff"])
    html = client.get(reverse("signboard_history", args=[place["sign"].pk])).content.decode()
    assert "撤销原因" in html and "牌子还在墙上" in html
    assert str(RemovalReason.NO_BUSINESS.label) in html


def test_village_history_pages_by_50(client, place):
    grow(place["village"], place["staff"], 28)  # 4 + 56 entries
    client.force_login(place["staff"])
    first = client.get(village_url(place))
    assert len(first.context["rows"]) == 50
    second = client.get(village_url(place) + "?page=2")
    assert len(second.context["rows"]) == 10
    assert "?page=2" in first.content.decode()


def test_village_history_queries_do_not_grow_with_entries(
    client, place, django_assert_max_num_queries
):
    client.force_login(place["staff"])
    grow(place["village"], place["staff"], 1)  # 6 entries
    few = query_count(client, village_url(place))
    grow(place["village"], place["staff"], 19)  # 44 entries
    with django_assert_max_num_queries(12):
        response = client.get(village_url(place))
    assert len(response.context["rows"]) == 44
    assert query_count(client, village_url(place)) == few


# --- the township's activity log -----------------------------------------------------------


def test_activity_log_anonymous_is_sent_to_login(client, place):
    response = client.get(activity_url(place))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["staff", "other_staff"])
def test_activity_log_is_404_for_township_staff_even_their_own(client, place, who):
    client.force_login(place[who])
    assert client.get(activity_url(place)).status_code == 404
    assert client.get(activity_url(place, theirs=True)).status_code == 404


def test_township_page_links_to_the_log_for_reviewers_only(client, place):
    town_url = reverse("town", args=[place["village"].town.code])
    client.force_login(place["reviewer"])
    assert activity_url(place) in client.get(town_url).content.decode()
    client.force_login(place["staff"])
    assert activity_url(place) not in client.get(town_url).content.decode()


def test_reviewer_sees_the_townships_entries_only(client, place):
    client.force_login(place["reviewer"])
    response = client.get(activity_url(place))
    assert response.status_code == 200
    records = [row.record for row in response.context["table"].paginated_rows]
    assert len(records) == 4
    assert {r.town_id for r in records} == {place["village"].town_id}
    html = response.content.decode()
    for text in ("操作日志", "操作人", "时间", "操作", "对象", "变更内容", "起始日期", "截止日期",
                 "李明", "撤销原因", "牌子还在墙上"):  # fmt: skip
        assert text in html, text
    assert "志愿者服务站" not in html
    # The actor list offers those who did something here, not the other township's staff.
    actors = list(response.context["filter"].form.fields["actor"].queryset)
    assert actors == [place["staff"]]


def test_activity_log_filters_by_user_and_action(client, place):
    services.signboard_create(
        village=place["village"], user=place["reviewer"], kind="other", title="宣传栏",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    client.force_login(place["reviewer"])
    url = activity_url(place)
    by_staff = client.get(url, {"actor": place["staff"].pk}).context["table"]
    assert {row.record.actor_id for row in by_staff.paginated_rows} == {place["staff"].pk}
    assert len(by_staff.paginated_rows) == 4
    by_reviewer = client.get(url, {"actor": place["reviewer"].pk}).context["table"]
    assert [row.record.object_repr for row in by_reviewer.paginated_rows] == ["宣传栏"]
    revokes = client.get(url, {"action": "removal.revoke"}).context["table"]
    assert [row.record.action for row in revokes.paginated_rows] == ["removal.revoke"]
    other_staff = client.get(url, {"actor": place["other_staff"].pk})
    assert len(other_staff.context["table"].paginated_rows) == 0  # not a choice here


def test_activity_log_dates_are_local_days_inclusive(client, place):
    def add_at(local: dt.datetime, title: str):
        with mock.patch("django.utils.timezone.now", return_value=local.astimezone(dt.UTC)):
            services.signboard_create(
                village=place["village"], user=place["staff"], kind="other", title=title,
                inventoried_on=dt.date(2024, 1, 2),
            )  # fmt: skip

    add_at(dt.datetime(2024, 5, 1, 23, 30, tzinfo=SHANGHAI), "五一深夜")
    add_at(dt.datetime(2024, 5, 2, 0, 30, tzinfo=SHANGHAI), "五二凌晨")  # 2024-05-01 16:30 UTC
    add_at(dt.datetime(2024, 5, 3, 23, 59, tzinfo=SHANGHAI), "五三深夜")
    client.force_login(place["reviewer"])

    def titles(**params):
        table = client.get(activity_url(place), params).context["table"]
        return [row.record.object_repr for row in table.paginated_rows]

    assert titles(date_from="2024-05-02", date_to="2024-05-02") == ["五二凌晨"]
    assert titles(date_to="2024-05-01") == ["五一深夜"]
    assert titles(date_from="2024-05-02", date_to="2024-05-03") == ["五三深夜", "五二凌晨"]
    html = client.get(activity_url(place), {"date_from": "2024-05-02"}).content.decode()
    assert 'value="2024-05-02"' in html  # the date input keeps the ISO value


def test_activity_log_queries_do_not_grow_with_entries(
    client, place, django_assert_max_num_queries
):
    client.force_login(place["reviewer"])
    grow(place["village"], place["staff"], 1)  # 6 entries
    few = query_count(client, activity_url(place))
    grow(place["village"], place["staff"], 19)  # 44 entries
    with django_assert_max_num_queries(14):
        response = client.get(activity_url(place))
    assert len(response.context["table"].paginated_rows) == 44
    assert query_count(client, activity_url(place)) == few
    assert query_count(client, activity_url(place) + f"?actor={place['staff'].pk}") <= few + 1


def test_activity_log_pages_by_50(client, place):
    grow(place["village"], place["staff"], 28)  # 4 + 56 entries
    client.force_login(place["reviewer"])
    first = client.get(activity_url(place)).context["table"]
    assert len(first.paginated_rows) == 50
    second = client.get(activity_url(place), {"page": 2}).context["table"]
    assert len(second.paginated_rows) == 10
    assert Removal.objects.count() > 0 and Signboard.objects.count() > 0


def test_user_text_is_escaped_on_both_pages(client, place):
    evil = '<script>alert("x")</script>'
    sign = services.signboard_create(
        village=place["village"], user=place["staff"], kind="other", title=evil,
        location=evil, inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    removal = services.removal_record(
        signboard=sign, user=place["staff"], removed_on=dt.date(2024, 3, 1), reason="other",
        note=evil,
    )  # fmt: skip
    services.removal_revoke(removal=removal, user=place["staff"], reason=evil)
    client.force_login(place["reviewer"])
    for url in (village_url(place), activity_url(place)):
        html = client.get(url).content.decode()
        assert evil not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
