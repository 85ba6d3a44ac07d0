"""The field pages: who may open and post to each, and what each does."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from signs import services
from signs.models import ApprovedItem, Department, Removal, Signboard
from tests.helpers import with_token
from villages import roles
from villages.models import AuditEntry, Village


@pytest.fixture
def place(town, other_town, village, make_user):
    """Two townships, a village each, a few signs, a staffer each and a reviewer."""
    other_village = Village.objects.create(town=other_town, code="450181101201", name="百合村")
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)

    def sign(v, title, **kw):
        return Signboard.objects.create(
            village=v, title=title, kind=kw.pop("kind", "guidance"),
            inventoried_on=dt.date(2024, 1, 2), location=kw.pop("location", "外墙"), **kw,
        )  # fmt: skip

    mine = {
        "kept": sign(village, "党员活动室", kind="plaque", approved_item=item, location="二楼"),
        "dup": sign(village, "党员活动室（旧）", kind="plaque", approved_item=item),
        "todo": sign(village, "廉洁工作站"),
        "todo2": sign(village, "益农信息社"),
        "gone": sign(village, "科普宣传室"),
    }
    removal = Removal.objects.create(
        signboard=mine["gone"], removed_on=dt.date(2024, 3, 1), reason="low_demand"
    )
    theirs = sign(other_village, "志愿者服务站")
    their_removal = Removal.objects.create(
        signboard=sign(other_village, "基层立法联系点"), removed_on=dt.date(2024, 3, 1),
        reason="no_business",
    )  # fmt: skip
    return {
        "village": village,
        "other_village": other_village,
        "sign": mine,
        "removal": removal,
        "their_sign": theirs,
        "their_removal": their_removal,
        "staff": make_user("staff_mine", role=roles.TOWN_STAFF, town=village.town),
        "other_staff": make_user("staff_theirs", role=roles.TOWN_STAFF, town=other_town),
        "reviewer": make_user("reviewer_x", role=roles.REVIEWER),
    }


def login(client, user):
    client.force_login(user)
    return client


def urls(place, *, theirs=False):
    v = place["other_village"] if theirs else place["village"]
    s = place["their_sign"] if theirs else place["sign"]["todo"]
    r = place["their_removal"] if theirs else place["removal"]
    return {
        "town": reverse("town", args=[v.town.code]),
        "village": reverse("village", args=[v.code]),
        "signboard_create": reverse("signboard_create", args=[v.code]),
        "removal_create": reverse("removal_create", args=[s.pk]),
        "removal_revoke": reverse("removal_revoke", args=[r.pk]),
        "signboard_history": reverse("signboard_history", args=[s.pk]),
        "village_qr": reverse("village_qr", args=[v.code]),
        "village_qr_svg": reverse("village_qr_svg", args=[v.code]),
    }


VIEWS = ["town", "village", "signboard_create", "removal_create", "removal_revoke",
         "signboard_history", "village_qr", "village_qr_svg"]  # fmt: skip
WRITE_VIEWS = ["signboard_create", "removal_create", "removal_revoke"]


@pytest.mark.parametrize("view", VIEWS + ["removal_bulk"])
def test_anonymous_is_sent_to_login(client, place, view):
    url = (
        reverse("removal_bulk", args=["450181100201"])
        if view == "removal_bulk"
        else urls(place)[view]
    )
    response = client.post(url) if view == "removal_bulk" else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("view", VIEWS)
def test_other_township_is_404(client, place, view):
    login(client, place["staff"])
    assert client.get(urls(place, theirs=True)[view]).status_code == 404


@pytest.mark.parametrize("view", WRITE_VIEWS + ["removal_bulk"])
def test_post_to_other_township_is_404_and_writes_nothing(client, place, view):
    login(client, place["staff"])
    before = (Signboard.objects.count(), Removal.objects.count(), AuditEntry.objects.count())
    revoked = Removal.objects.filter(revoked_at__isnull=False).count()
    data = {
        "title": "新牌子", "kind": "other", "inventoried_on": "2024-01-02",
        "removed_on": "2024-03-02", "reason": "no_business", "reason_text": "x",
        "signboards": [place["their_sign"].pk],
    }  # fmt: skip
    if view == "removal_bulk":
        url = reverse("removal_bulk", args=[place["other_village"].code])
    else:
        url = urls(place, theirs=True)[view]
    if view == "removal_revoke":
        data["reason"] = "想撤销"
    assert client.post(url, with_token(data)).status_code == 404
    after = (Signboard.objects.count(), Removal.objects.count(), AuditEntry.objects.count())
    assert after == before
    assert Removal.objects.filter(revoked_at__isnull=False).count() == revoked


@pytest.mark.parametrize("view", ["town", "village", "signboard_history", "village_qr"])
def test_reviewer_reads_every_township(client, place, view):
    login(client, place["reviewer"])
    response = client.get(urls(place, theirs=True)[view])
    assert response.status_code == 200
    assert "百合" in response.content.decode()


@pytest.mark.parametrize("view", WRITE_VIEWS)
def test_reviewer_cannot_write(client, place, view):
    login(client, place["reviewer"])
    assert client.get(urls(place)[view]).status_code == 404


def test_staff_land_on_their_township(client, place):
    login(client, place["staff"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("town", args=["450181100"])


def test_town_page_lists_villages_with_figures(client, place):
    Village.objects.create(town=place["village"].town, code="450181100202", name="城西村")
    login(client, place["staff"])
    response = client.get(urls(place)["town"])
    html = response.content.decode()
    assert "城东村" in html and "城西村" in html and "百合村" not in html
    rows = {v.name: v for v in response.context["table"].data}
    assert (rows["城东村"].still_to_remove, rows["城东村"].removed) == (3, 1)
    assert rows["城西村"].meets_standard is True
    assert reverse("village", args=["450181100201"]) in html


def test_town_page_filters_and_searches(client, place):
    Village.objects.create(town=place["village"].town, code="450181100202", name="城西村")
    login(client, place["staff"])
    behind = client.get(urls(place)["town"], {"meets_standard": "false"})
    assert [v.name for v in behind.context["table"].data] == ["城东村"]
    meets = client.get(urls(place)["town"], {"meets_standard": "true"})
    assert [v.name for v in meets.context["table"].data] == ["城西村"]
    found = client.get(urls(place)["town"], {"q": "西"})
    assert [v.name for v in found.context["table"].data] == ["城西村"]


def test_town_page_sorts(client, place):
    Village.objects.create(town=place["village"].town, code="450181100202", name="城西村")
    login(client, place["staff"])
    response = client.get(urls(place)["town"], {"sort": "still_to_remove"})
    assert [v.name for v in response.context["table"].data] == ["城西村", "城东村"]


def test_village_page_shows_states_and_checklist(client, place):
    login(client, place["staff"])
    response = client.get(urls(place)["village"])
    html = response.content.decode()
    status = {s.title: s.status for s in response.context["signs"]}
    assert status == {
        "党员活动室": "retained", "党员活动室（旧）": "duplicate", "廉洁工作站": "to_remove",
        "益农信息社": "to_remove", "科普宣传室": "removed",
    }  # fmt: skip
    assert "3 块待摘除" in html
    assert "2024-03-01" in html and "社区需求度不高" in html
    present = [i.title for i in response.context["checklist"] if i.present]
    assert present == ["党员活动室"]
    assert reverse("removal_create", args=[place["sign"]["todo"].pk]) in html


def test_village_page_query_count_with_60_signs(client, place, django_assert_max_num_queries):
    village = place["village"]
    Signboard.objects.bulk_create(
        Signboard(village=village, title=f"牌子{n}", kind="rule", location=f"房间{n % 6}",
                  inventoried_on=dt.date(2024, 1, 2))
        for n in range(55)
    )  # fmt: skip
    for sign in Signboard.objects.filter(village=village, title__in=["牌子1", "牌子2"]):
        Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="damaged")
    assert Signboard.objects.filter(village=village).count() == 60
    login(client, place["staff"])
    with django_assert_max_num_queries(12):
        response = client.get(urls(place)["village"])
    assert len(response.context["signs"]) == 60


def test_record_a_removal_from_the_prefilled_form(client, place):
    login(client, place["staff"])
    url = urls(place)["removal_create"]
    form = client.get(url).context["form"]
    assert form["removed_on"].value() == timezone.localdate()
    assert form["reason"].value() == "no_business"
    html = client.get(url).content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    response = client.post(
        url, with_token(removed_on=timezone.localdate().isoformat(), reason="no_business")
    )
    assert response.status_code == 302 and response.url == urls(place)["village"]
    removal = Removal.objects.get(signboard=place["sign"]["todo"])
    assert removal.recorded_by == place["staff"]
    page = client.get(response.url).content.decode()
    assert "已登记“廉洁工作站”的摘除" in page


def test_double_submit_records_once_with_a_clear_message(client, place):
    login(client, place["staff"])
    url = urls(place)["removal_create"]
    data = with_token(removed_on="2024-03-02", reason="no_business")
    client.post(url, data)
    second = client.post(url, data, follow=True)
    assert Removal.objects.filter(signboard=place["sign"]["todo"]).count() == 1
    # The first tap's answer again: saved once, on the village page it sent the user to.
    assert "该表单已保存过，没有重复保存" in second.content.decode()
    assert second.redirect_chain == [(urls(place)["village"], 302)]


def test_removal_form_rejects_bad_input_and_saves_nothing(client, place):
    login(client, place["staff"])
    url = urls(place)["removal_create"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url, with_token(removed_on=tomorrow, reason="other", note=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "摘除日期不能晚于今天" in html
    assert not Removal.objects.filter(signboard=place["sign"]["todo"]).exists()


def test_bulk_removal_records_all_ticked(client, place):
    login(client, place["staff"])
    ticked = [place["sign"]["todo"].pk, place["sign"]["todo2"].pk, place["sign"]["dup"].pk]
    response = client.post(
        reverse("removal_bulk", args=[place["village"].code]),
        with_token(signboards=ticked, removed_on="2024-04-01", reason="duplicate"),
        follow=True,
    )
    assert set(Removal.objects.filter(removed_on=dt.date(2024, 4, 1)).values_list(
        "signboard_id", flat=True)) == set(ticked)  # fmt: skip
    assert "已登记 3 块牌子的摘除" in response.content.decode()


def test_bulk_removal_is_all_or_nothing(client, place):
    login(client, place["staff"])
    ticked = [place["sign"]["todo"].pk, place["sign"]["todo2"].pk]
    # 廉洁工作站 was inventoried on 2024-01-02: a date before that fails for every sign.
    services.removal_record(
        signboard=place["sign"]["todo2"], user=place["staff"],
        removed_on=dt.date(2024, 3, 1), reason="no_business",
    )  # fmt: skip
    before = Removal.objects.count()
    response = client.post(
        reverse("removal_bulk", args=[place["village"].code]),
        with_token(signboards=ticked, removed_on="2024-04-01", reason="no_business"),
        follow=True,
    )
    assert Removal.objects.count() == before
    assert "未保存任何记录" in response.content.decode()


def test_bulk_removal_without_ticks_says_so(client, place):
    login(client, place["staff"])
    response = client.post(
        reverse("removal_bulk", args=[place["village"].code]),
        with_token(removed_on="2024-04-01", reason="no_business"),
        follow=True,
    )
    assert "请至少勾选一块牌子" in response.content.decode()


def test_add_a_sign_with_suggestions(client, place):
    login(client, place["staff"])
    url = urls(place)["signboard_create"]
    html = client.get(url).content.decode()
    assert '<option value="村规民约">' in html  # the standard's titles as suggestions
    assert '<option value="二楼">' in html  # the village's rooms
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    response = client.post(url, with_token({
        "title": "党员活动室", "kind": "plaque", "location": "三楼",
        "approved_item": item.pk, "inventoried_on": "2024-05-01",
    }))  # fmt: skip
    assert response.status_code == 302
    village = client.get(urls(place)["village"])
    status = {s.location: s.status for s in village.context["signs"] if s.title == "党员活动室"}
    assert status == {"二楼": "retained", "三楼": "duplicate"}


def test_revoke_needs_a_reason_then_puts_the_sign_back(client, place):
    login(client, place["staff"])
    url = urls(place)["removal_revoke"]
    assert "这个字段是必填项" in client.post(url, with_token(reason="")).content.decode()
    response = client.post(url, with_token(reason="牌子还在墙上"))
    assert response.status_code == 302
    removal = place["removal"]
    removal.refresh_from_db()
    assert removal.revoked_by == place["staff"]
    history = client.get(urls(place)["signboard_history"].replace(
        str(place["sign"]["todo"].pk), str(place["sign"]["gone"].pk)))  # fmt: skip
    html = history.content.decode()
    assert "牌子还在墙上" in html
    again = client.get(url, follow=True)  # already revoked: back to the village, told why
    assert again.redirect_chain[-1][0] == urls(place)["village"]
    assert "该摘除记录已被撤销" in again.content.decode()


def test_history_lists_who_did_what(client, place):
    login(client, place["staff"])
    sign = services.signboard_create(
        village=place["village"], user=place["staff"], kind="other", title="宣传栏",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    removal = services.removal_record(
        signboard=sign, user=place["staff"], removed_on=dt.date(2024, 2, 1), reason="damaged"
    )
    services.removal_revoke(removal=removal, user=place["staff"], reason="误录")
    html = client.get(reverse("signboard_history", args=[sign.pk])).content.decode()
    for text in ("录入了牌子", "登记了摘除", "撤销了摘除", "staff_mine"):
        assert text in html


def test_qr_code_opens_the_village_by_code(client, place, settings):
    settings.SITE_BASE_URL = "https://zhaipai.example.gov.cn/"
    login(client, place["staff"])
    html = client.get(urls(place)["village_qr"]).content.decode()
    assert "https://zhaipai.example.gov.cn/v/450181100201/" in html
    assert "<svg" in html
    svg = client.get(urls(place)["village_qr_svg"])
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content


def test_photos_are_served_to_signed_in_users_only(client, place, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "removals").mkdir()
    (tmp_path / "removals" / "x.jpg").write_bytes(b"\xff\xd8photo")
    assert client.get("/media/removals/x.jpg").status_code == 302
    login(client, place["staff"])
    response = client.get("/media/removals/x.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8photo"


def jpeg_bytes(size=(800, 600)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_removal_with_photos_stores_them_downscaled_with_thumbnails(client, place, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    login(client, place["staff"])
    response = client.post(urls(place)["removal_create"], with_token({
        "removed_on": "2024-03-02", "reason": "no_business",
        "photo": SimpleUploadedFile("after.heic.jpg", jpeg_bytes((3200, 2400))),
        "photo_before": SimpleUploadedFile("before.jpg", jpeg_bytes()),
    }))  # fmt: skip
    assert response.status_code == 302
    removal = Removal.objects.get(signboard=place["sign"]["todo"])
    with Image.open(removal.photo.path) as image:
        assert max(image.size) == 1600
    with Image.open(removal.photo_thumb.path) as thumb:
        assert max(thumb.size) <= 320
    assert removal.photo_before and removal.photo_before_thumb
    village = client.get(urls(place)["village"]).content.decode()
    assert removal.photo_thumb.url in village


@pytest.mark.parametrize(
    ("field", "content", "name", "message"),
    [
        ("photo", b"not a picture at all", "photo.jpg", "该文件不是照片"),
        ("photo", b"GIF89a" + b"\x00" * 100, "photo.gif", "该文件不是照片"),
        ("photo_before", jpeg_bytes()[:-300], "before.jpg", "照片已损坏或不完整"),
    ],
    ids=["not-an-image", "wrong-type", "truncated"],
)
def test_bad_photo_is_refused_and_nothing_saved(client, place, settings, tmp_path, field,
                                                content, name, message):  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    login(client, place["staff"])
    data = with_token(removed_on="2024-03-02", reason="no_business",
                      photo=SimpleUploadedFile("ok.jpg", jpeg_bytes()))  # fmt: skip
    data[field] = SimpleUploadedFile(name, content)
    response = client.post(urls(place)["removal_create"], data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Removal.objects.filter(signboard=place["sign"]["todo"]).exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_too_large_photo_is_refused(client, place, settings, tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from signs import photos

    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 1000)
    settings.MEDIA_ROOT = tmp_path
    login(client, place["staff"])
    response = client.post(urls(place)["removal_create"], with_token({
        "removed_on": "2024-03-02", "reason": "no_business",
        "photo": SimpleUploadedFile("big.jpg", jpeg_bytes()),
    }))  # fmt: skip
    assert "照片超过" in response.content.decode()
    assert not Removal.objects.exists() or not Removal.objects.filter(
        signboard=place["sign"]["todo"]).exists()  # fmt: skip
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("villages", [5, 40])
def test_town_page_queries_do_not_grow(client, place, villages, django_assert_max_num_queries):
    town = place["village"].town
    Village.objects.bulk_create(
        Village(town=town, code=f"450181100{300 + n}", name=f"新村{n}") for n in range(villages)
    )
    login(client, place["staff"])
    with django_assert_max_num_queries(12):
        response = client.get(urls(place)["town"])
    assert len(response.context["table"].page.object_list) == min(villages + 1, 30)


def test_the_department_that_asked_is_chosen_on_the_add_and_removal_forms(client, place):
    civil, police = Department.objects.get(name="市民政局"), Department.objects.get(name="市公安局")
    login(client, place["staff"])
    add = urls(place)["signboard_create"]
    html = client.get(add).content.decode()
    assert f'<option value="{civil.pk}">市民政局</option>' in html
    client.post(add, with_token({
        "title": "社会组织服务站", "kind": "guidance", "location": "一楼",
        "requested_by": civil.pk, "inventoried_on": "2024-05-01",
    }))  # fmt: skip
    sign = Signboard.objects.get(title="社会组织服务站")
    assert sign.requested_by == civil

    remove = reverse("removal_create", args=[sign.pk])
    form = client.get(remove).context["form"]
    assert form["requested_by"].value() == civil.pk  # what the inventory says, to confirm
    client.post(remove, with_token(removed_on="2024-05-02", reason="no_business",
                                   requested_by=police.pk))  # fmt: skip
    sign.refresh_from_db()
    assert sign.requested_by == police and sign.removals.count() == 1
    entry = AuditEntry.objects.get(action="signboard.requested_by", object_id=str(sign.pk))
    assert entry.before["requested_by_id"] == civil.pk and entry.actor == place["staff"]

    todo = place["sign"]["todo"]  # no department given: the sign keeps naming none
    client.post(urls(place)["removal_create"], with_token(removed_on="2024-05-02",
                                                          reason="no_business"))  # fmt: skip
    todo.refresh_from_db()
    assert todo.requested_by is None and todo.removals.count() == 1
    assert not AuditEntry.objects.filter(action="signboard.requested_by", object_id=str(todo.pk))


@pytest.mark.parametrize(
    ("sent", "stamped"),
    [
        ("2024-03-02T02:15:00.000Z", dt.datetime(2024, 3, 2, 2, 15, tzinfo=dt.UTC)),
        ("2999-01-01T00:00:00Z", None),  # a phone's clock gone wrong: the server's time
        ("not a time", None),
    ],
    ids=["the-phone's-time", "future", "garbage"],
)
def test_a_photo_made_small_on_the_phone_keeps_the_time_it_was_taken(
    client, place, monkeypatch, settings, tmp_path, sent, stamped
):
    """The browser's copy has no EXIF; the stamp takes the time the phone read before."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from signs import photos

    settings.MEDIA_ROOT = tmp_path
    times = []
    real = photos.stamp_text
    monkeypatch.setattr(
        photos, "stamp_text", lambda **kw: times.append(kw["taken_at"]) or real(**kw)
    )
    login(client, place["staff"])
    response = client.post(urls(place)["removal_create"], with_token({
        "removed_on": "2024-03-02", "reason": "no_business", "photo_taken_at": sent,
        "photo": SimpleUploadedFile("small.jpg", jpeg_bytes((1200, 1600))),
    }))  # fmt: skip
    assert response.status_code == 302
    removal = Removal.objects.get(signboard=place["sign"]["todo"])
    assert times == [stamped or removal.recorded_at]
