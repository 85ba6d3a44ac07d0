"""The import's mapping step: a ledger in a township's own layout is mapped once (columns,
then unknown words), saved for the township, and its next file goes straight to the preview."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from signs.models import LedgerLayout, LedgerWord, Removal, Signboard
from tests.signs import test_imports
from tests.signs.test_imports import counts, import_url, login, upload, xlsx
from villages.models import AuditEntry

pytestmark = pytest.mark.django_db

place = test_imports.place
upload_dir = test_imports.upload_dir

# A cadre's own words for every header: none is one the importer knows.
ODD_HEADERS = ["编号", "所在村", "上面写的字", "属于哪类", "挂在哪", "拆了没", "哪天拆的", "为啥拆"]


def odd_ledger(rows, headers=ODD_HEADERS) -> bytes:
    def titled(ws):
        ws.insert_rows(1)
        ws["A1"] = "横州镇牌子清理登记"

    return xlsx(rows, headers, sheet="Sheet1", edit=titled)


def odd_rows(prefix="牌子", kind="制度牌", reason="无实质性业务"):
    return [
        [1, "城东村", f"{prefix}甲", kind, "一楼", "是", dt.date(2024, 3, 5), reason],
        [2, "城东村", f"{prefix}乙", "功能室牌子", "二楼", "否", None, None],
        [3, "城东村委会", f"{prefix}丙", "指引牌", "外墙", "是", "2024.3.6", reason],
    ]


def mapping_page(client, response):
    assert response.status_code == 302
    assert re.search(r"/import/[0-9a-f-]+/columns/$", response.url), response.url
    return response.url, client.get(response.url)


def columns_post(page, **chosen) -> dict:
    """The form's pre-filled choices, with `chosen` ({letter: key}) changed."""
    data = {}
    for column, field in page.context["form"].rows():
        data[field.html_name] = chosen.get(column.letter, field.value() or "")
    return data


def test_an_unknown_layout_is_mapped_once_then_remembered(client, place):
    login(client, place["staff"])
    before = counts()
    url, page = mapping_page(client, upload(client, import_url(), odd_ledger(odd_rows())))
    assert page.context["step"] == "columns"
    assert page.context["layout"].header_row == 2  # under the title row
    guesses = {c.letter: c.guess for c in page.context["layout"].columns}
    # Guessed from the values: the village names, 是/否, the dates, the kinds, the reasons.
    assert guesses == {"A": "", "B": "village_name", "C": "", "D": "kind", "E": "",
                       "F": "status", "G": "removed_on", "H": "reason"}  # fmt: skip
    html = page.content.decode()
    assert "上面写的字" in html and "牌子甲、牌子乙、牌子丙" in html  # header and first values
    assert counts() == before  # nothing written until the preview is confirmed

    # The title left unmapped: said plainly, nothing saved.
    refused = client.post(url, columns_post(page))
    assert "请选择“牌子名称”所在的列" in refused.content.decode()
    # Two columns for one field: said plainly too.
    twice = client.post(url, columns_post(page, C="title", E="title"))
    assert "“牌子名称”选了 2 列（C、E）" in twice.content.decode()
    assert not LedgerLayout.objects.exists()

    saved = client.post(url, columns_post(page, C="title", E="location"))
    assert saved.status_code == 302 and saved.url == url
    preview = client.get(url, follow=True)
    assert preview.context["summary"] == {"rows": 3, "signs": 3, "removals": 2, "skipped": 0}
    layout = LedgerLayout.objects.get()
    assert layout.columns == {"village_name": 2, "title": 3, "kind": 4, "location": 5,
                              "status": 6, "removed_on": 7, "reason": 8}  # fmt: skip
    assert AuditEntry.objects.filter(action="ledger.layout", actor=place["staff"]).count() == 1
    client.post(preview.request["PATH_INFO"])
    assert Signboard.objects.count() == 3 and Removal.objects.count() == 2
    assert Signboard.objects.get(title="牌子丙").location == "外墙"

    # The next file of the same layout goes straight to the preview.
    again = upload(client, import_url(), odd_ledger(odd_rows(prefix="新牌")))
    assert "/columns/" not in again.url
    assert client.get(again.url).context["summary"]["signs"] == 3


def test_known_headers_need_no_mapping(client, place):
    login(client, place["staff"])
    response = upload(client, import_url(), xlsx([test_imports.row()]))
    assert "/columns/" not in response.url
    assert not LedgerLayout.objects.exists()


def test_unknown_words_are_asked_once_each_with_a_guess(client, place):
    login(client, place["staff"])
    rows = [
        [n, "城东村", f"牌子{n}", "宣传牌" if n % 2 else "制度牌", f"{n}楼", "是",
         "2024-03-05", "不再需要" if n < 4 else "无依据"]
        for n in range(1, 7)
    ]  # fmt: skip
    headers = [
        "序号",
        "村(社区)名称",
        "牌子名称",
        "类别",
        "位置",
        "是否摘除",
        "摘除日期",
        "摘除原因",
    ]
    url, page = mapping_page(client, upload(client, import_url(), xlsx(rows, headers)))
    assert page.context["step"] == "words"
    words = {(w.field, w.word): w for w, _field in page.context["form"].rows()}
    assert set(words) == {("kind", "宣传牌"), ("reason", "不再需要")}  # once each, not per row
    assert words[("kind", "宣传牌")].count == 3 and words[("reason", "不再需要")].count == 3
    assert words[("kind", "宣传牌")].where == "第2行 第D列（类别）"
    data = {field.html_name: field.value() for _w, field in page.context["form"].rows()}
    assert set(data.values()) <= {"", "guidance", "other", "honour", "plaque", "rule",
                                  "organization", "low_demand", "no_business", "no_basis",
                                  "duplicate", "internal_rule", "merged", "damaged"}  # fmt: skip
    names = {w.word: f.html_name for w, f in page.context["form"].rows()}
    data[names["宣传牌"]] = "guidance"
    data[names["不再需要"]] = "low_demand"
    assert client.post(url, data).status_code == 302
    preview = client.get(url, follow=True)
    assert preview.context["summary"]["signs"] == 6
    assert dict(LedgerWord.objects.values_list("word", "value")) == {
        "宣传牌": "guidance", "不再需要": "low_demand"}  # fmt: skip
    client.post(preview.request["PATH_INFO"])
    assert Signboard.objects.filter(kind="guidance").count() == 3
    assert Removal.objects.filter(reason="low_demand").count() == 3
    # Another township's staff do not inherit 横州镇's words.
    assert not LedgerWord.objects.exclude(town=place["village"].town).exists()


def test_the_mapping_page_is_scoped_like_the_import(client, place, make_user):
    login(client, place["staff"])
    url, _page = mapping_page(client, upload(client, import_url(), odd_ledger(odd_rows())))
    client.logout()
    assert client.get(url).url.startswith(reverse("login"))
    login(client, place["other_staff"])
    assert client.get(url).status_code == 404
    other = url.replace("/t/450181100/", "/t/450181101/")
    assert client.get(other).status_code in (302, 404)  # not their pending file either


def test_a_workbook_of_several_sheets_imports_the_ticked_ones(client, place, make_user):
    from tests.signs.ledgers import corpus

    town = place["village"].town
    for code, name in corpus.VILLAGES:
        if not town.villages.filter(name=name).exists():
            town.villages.create(code=code, name=name)
    case = next(c for c in corpus.cases() if "分村" in c.name)
    login(client, place["staff"])
    preview_url = upload(client, import_url(), case.data, name=case.name).url
    preview = client.get(preview_url)
    sheets = preview.context["plan"].sheets
    assert sheets == [("竹塘村", True), ("石井村", True), ("那莲村", True), ("中华社区", True)]
    assert preview.context["summary"]["signs"] == len(case.truth)

    nothing = client.get(preview_url, {"sheets": "1"})  # every box unticked: all, and told
    assert nothing.context["summary"]["signs"] == len(case.truth)
    assert "请至少勾选一个工作表" in nothing.content.decode()

    ticked = {"sheets": "1", "sheet": ["竹塘村", "中华社区"]}
    only = client.get(preview_url, ticked)
    wanted = [r for r in case.truth if r["village"] in ("竹塘村", "中华社区")]
    assert only.context["summary"]["signs"] == len(wanted)
    assert only.context["plan"].sheets[1] == ("石井村", False)
    assert 'name="sheet" value="竹塘村"' in only.content.decode()  # carried to the confirm
    client.post(preview_url, ticked)  # confirms what the ticked preview showed
    assert set(Signboard.objects.values_list("village__name", flat=True)) == {"竹塘村", "中华社区"}
    assert Signboard.objects.count() == len(wanted)
