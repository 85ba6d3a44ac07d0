"""The Excel 台账 and the table exports, opened back with openpyxl."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from signs import selectors
from signs.models import Signboard
from supervision.selectors import review as review_selectors
from tests.helpers import ledger_download
from tests.signs.test_selectors import world  # noqa: F401  (the hand-built data set)
from villages import roles
from villages.models import Village

D = dt.date


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(User.objects.get(username="reviewer_a"))
    return client


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def data_rows(ws):
    """Rows under the header (row 3) up to the blank line before the footer."""
    rows = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(row)
    return rows


def ledger(client, as_of="2024-03-01"):
    return workbook(ledger_download(client, {"as_of": as_of}))


def test_anonymous_is_sent_to_login(client):
    assert client.post(reverse("ledger_export")).status_code == 302


def test_sheets_layout_and_file_name(as_reviewer, world):  # noqa: F811
    response = ledger_download(as_reviewer, {"as_of": "2024-03-01"})
    name = "横州市村级组织牌子清理规范工作台账_截至2024-03-01.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in response["Content-Disposition"]
    wb = workbook(response)
    assert wb.sheetnames == ["汇总", "村级明细", "摘牌记录", "牌子台账", "保留清单", "按部门"]
    for ws in wb.worksheets:
        assert ws["A1"].value and "A1:" in str(ws.merged_cells.ranges)
        assert ws["A1"].font.b
        assert ws["A2"].value.startswith("填报单位：")
        assert any(str(c.value or "").startswith("统计截止日期：2024年03月01日") for c in ws[2])
        assert ws["A3"].value == "序号" and ws["B3"].font.b
        assert ws.freeze_panes == "B4"
        assert ws.auto_filter.ref.startswith("A3:")
        assert ws.print_title_rows == "$3:$3"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        footer = [c.value for row in ws.iter_rows(min_row=ws.max_row) for c in row]
        assert "填报人：" in footer and "审核人：" in footer and "（盖章）" in footer
        assert ws.column_dimensions["C"].width >= 8
        assert ws["B4"].font.name == "宋体" and not ws["B4"].font.b
        if ws.title in ("村级明细", "摘牌记录", "牌子台账"):
            # Sheets that grow to 600k rows: plain body cells (宋体 is the workbook's default
            # font) and print gridlines, as a border per cell doubled the time to write them.
            assert ws.print_options.gridLines and not ws["B4"].border.left.style
        else:
            assert not ws.print_options.gridLines and ws["B4"].border.left.style == "thin"


def test_summary_totals_equal_the_dashboard(as_reviewer, world):  # noqa: F811
    ws = ledger(as_reviewer)["汇总"]
    rows = data_rows(ws)
    towns = [r for r in rows if isinstance(r[0], int)]
    assert len(towns) == 17 and [r[0] for r in towns] == list(range(1, 18))
    total = rows[-1]
    city = selectors.city_progress(as_of=D(2024, 3, 1))
    assert total[0] == "合计"
    assert total[2:11] == (
        city.villages, city.villages_meeting, float(city.villages_meeting_percent),
        city.removed_rule, city.removed_guidance, city.removed, city.still_to_remove,
        float(city.progress), dt.datetime(2024, 3, 1),
    )  # fmt: skip
    # Nothing reviewed yet: every reported removal waits; no village is 销号 with one waiting.
    closed = review_selectors.closed_villages(as_of=D(2024, 3, 1)).count()
    assert total[11:] == (0, city.removed, 0, closed)
    mine = next(r for r in towns if r[1] == "横州镇")
    assert mine[2:9] == (2, 1, 50.0, 1, 1, 2, 1)
    assert ws["D4"].data_type == "n"


def test_village_sheet(as_reviewer, world):  # noqa: F811
    rows = data_rows(ledger(as_reviewer)["村级明细"])
    a = next(r for r in rows if r[2] == "城东村")
    assert a[1:] == ("横州镇", "城东村", "村", 1, 0, 1, 1, 1, "否", None, None)
    b = next(r for r in rows if r[2] == "城西村")
    assert b[9:] == ("是", "是", 4.0)
    subtotals = [r for r in rows if r[0] == "小计"]
    assert [r[1] for r in subtotals] == ["横州镇", "百合镇"]
    assert rows[-1][0] == "合计" and rows[-1][11] == 4.0


def test_removal_records_follow_the_date(as_reviewer, world):  # noqa: F811
    all_rows = data_rows(ledger(as_reviewer)["摘牌记录"])
    rows = [r for r in all_rows if isinstance(r[0], int)]
    assert [r[:4] for r in all_rows if not isinstance(r[0], int)] == [
        ("小计", "横州镇", None, "2 条"), ("小计", "百合镇", None, "1 条"),
        ("合计", None, None, "3 条"),
    ]  # fmt: skip
    assert [(r[3], r[7]) for r in rows] == [
        ("脱贫攻坚领导小组", dt.datetime(2024, 2, 1)),
        ("廉洁工作站", dt.datetime(2024, 3, 1)),
        ("科普宣传室", dt.datetime(2024, 2, 1)),
    ]
    assert rows[0][6] == "无实质性业务"
    later = data_rows(ledger(as_reviewer, "2024-04-10")["摘牌记录"])
    assert "脱贫攻坚领导小组" not in [r[3] for r in later]  # revoked on 10 April


def test_sign_ledger_one_row_per_sign_with_subtotals(as_reviewer, world):  # noqa: F811
    rows = data_rows(ledger(as_reviewer)["牌子台账"])
    signs = [r for r in rows if isinstance(r[0], int)]
    assert len(signs) == Signboard.objects.filter(inventoried_on__lte=D(2024, 3, 1)).count()
    status = {r[3]: r[6] for r in signs}
    assert status == {
        "村规民约": "保留", "村规民约（旧）": "重复", "廉洁工作站": "已摘除",
        "脱贫攻坚领导小组": "已摘除", "党员活动室": "保留", "科普宣传室": "已摘除",
    }  # fmt: skip
    taken = next(r for r in signs if r[3] == "廉洁工作站")
    assert taken[8:10] == (dt.datetime(2024, 3, 1), "无实质性业务")
    assert next(r for r in signs if r[3] == "村规民约")[7] == "村规民约"
    subtotals = [r for r in rows if r[0] == "小计"]
    assert subtotals[0][1:4] == ("横州镇", None, "保留 2，已摘除 2，待摘除 1")


def test_standard_sheet(as_reviewer, world):  # noqa: F811
    rows = data_rows(ledger(as_reviewer)["保留清单"])
    counts = selectors.standard_counts()
    assert len(rows) == sum(counts.values())
    assert rows[0][1:4] == ("上墙制度", 1, "四议两公开工作法")


def test_formula_looking_text_stays_text(as_reviewer, world):  # noqa: F811
    Signboard.objects.create(
        village=world["a"], title='=HYPERLINK("http://x","y")', kind="other",
        inventoried_on=D(2024, 1, 1), location="+外墙\x07",
    )  # fmt: skip
    ws = ledger(as_reviewer)["牌子台账"]
    cell = next(c for row in ws.iter_rows(min_row=4) for c in row
                if c.value == '=HYPERLINK("http://x","y")')  # fmt: skip
    assert cell.data_type == "s"
    location = ws.cell(row=cell.row, column=cell.column + 2)
    assert (location.value, location.data_type) == ("+外墙", "s")


def test_staff_get_their_township_only(client, world, make_user):  # noqa: F811
    make_user("staff_b", role=roles.TOWN_STAFF, town=world["other"])
    client.force_login(User.objects.get(username="staff_b"))
    wb = ledger(client)
    assert [r[1] for r in data_rows(wb["汇总"]) if isinstance(r[0], int)] == ["百合镇"]
    assert {r[1] for r in data_rows(wb["牌子台账"]) if isinstance(r[0], int)} == {"百合镇"}


def test_town_table_export_is_the_filtered_view(client, world, make_user):  # noqa: F811
    make_user("staff_a2", role=roles.TOWN_STAFF, town=world["town"])
    Village.objects.create(town=world["town"], code="450181100203", name="城南村")
    client.force_login(User.objects.get(username="staff_a2"))
    url = reverse("town", args=[world["town"].code])
    params = {"as_of": "2024-03-01", "meets_standard": "true", "sort": "-name"}
    on_screen = [v.name for v in client.get(url, params).context["table"].data]
    wb = workbook(client.get(url, {**params, "_export": "xlsx"}))
    rows = data_rows(wb.worksheets[0])
    assert [r[1] for r in rows] == on_screen == ["城西村", "城南村"]
    assert rows[0][2:5] == ("村", 1, 0)
    assert rows[0][-1] == "是"


def test_dashboard_table_export_follows_the_sort(as_reviewer, world):  # noqa: F811
    params = {"as_of": "2024-03-01", "sort": "-still_to_remove", "_export": "xlsx"}
    rows = data_rows(workbook(as_reviewer.get(reverse("dashboard"), params)).worksheets[0])
    assert len(rows) == 17 and rows[0][1] == "横州镇"
    assert rows[0][7] == 66.7


def test_export_then_import_changes_nothing(client, world, make_user, tmp_path, settings):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from signs.models import Removal
    from villages.models import AuditEntry

    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    make_user("staff_a3", role=roles.TOWN_STAFF, town=world["town"])
    client.force_login(User.objects.get(username="staff_a3"))
    exported = ledger_download(client)  # as of today
    content = b"".join(exported.streaming_content)
    before = (Signboard.objects.count(), Removal.objects.count(), AuditEntry.objects.count())
    url = reverse("sign_import", args=[world["town"].code])
    response = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response.url)
    summary = preview.context["summary"]
    assert summary["signs"] == 0 and summary["removals"] == 0
    assert summary["skipped"] == summary["rows"] == Signboard.objects.filter(
        village__town=world["town"]).count()  # fmt: skip
    client.post(response.url)
    after = (Signboard.objects.count(), Removal.objects.count(), AuditEntry.objects.count())
    assert after[:2] == before[:2]
