"""Excel import: every bad file refused with its own message and nothing written; a good file
previewed, confirmed once and idempotent; who may import what; the template."""

import datetime as dt
import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from signs import imports
from signs.choices import RemovalReason, SignKind
from signs.models import ApprovedItem, Removal, Signboard, Standard
from utilities.excel import XLSX_CONTENT_TYPE
from villages import roles
from villages.models import AuditEntry, Town, Village

HEADERS = ["乡镇代码", "村(社区)代码", "村(社区)名称", "牌子名称", "类别", "位置", "保留项目",
           "清点日期", "摘除日期", "摘除原因", "备注", "挂牌要求部门"]  # fmt: skip
KEYS = ["town", "code", "name", "title", "kind", "location", "item", "inventoried", "removed",
        "reason", "note", "department"]  # fmt: skip
VILLAGE_HEADERS = ["乡镇代码", "乡镇名称", "村(社区)代码", "村(社区)名称", "类别"]


def row(**values):
    base = {"code": "450181100201", "name": "城东村", "title": "廉洁工作站",
            "kind": "功能性指引牌子", "location": "外墙", "inventoried": "2024-01-02"}  # fmt: skip
    base.update(values)
    return [base.get(key) for key in KEYS]


def xlsx(rows, headers=HEADERS, *, sheet="牌子清单", edit=None) -> bytes:
    """A workbook built as a user's would be: text typed as text, dates as real dates."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(number, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # what Excel stores for '=... typed as text
    if edit:
        edit(ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace=None, add=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """Rebuild an xlsx with parts rewritten (replace: name -> function) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if replace and info.filename in replace:
                content = replace[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def with_dtd(dtd: bytes, reference: bytes):
    """Put a DTD in front of the sheet XML and an entity reference in the first data cell."""

    def change(xml: bytes) -> bytes:
        return dtd + xml.replace("廉洁工作站".encode(), reference, 1)

    return change


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "haha">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([c]), (b"&%s;" % bytes([c - 1])) * 10)
        for c in range(ord("b"), ord("k"))
    )
    + b"]>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def bomb(size: int, *, name: str = SHEET) -> bytes:
    return rezip(xlsx([row()]), replace={name: lambda _xml: b" " * size})


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def lying_dimension(ws):
    ws.cell(1048576, 1, "x")


def too_many_rows(monkeypatch):
    monkeypatch.setattr(imports.base, "MAX_ROWS", 3)
    return xlsx([row(location=f"房间{n}") for n in range(4)])


# name -> (builder(monkeypatch) -> bytes, expected message (Chinese, as shown))
BAD_FILES = {
    "xls_renamed": (
        lambda mp: imports.OLE_MAGIC + b"\0" * 2048,
        "这个文件像是旧版 .xls 工作簿，但无法读取：可能设置了密码",
    ),
    "photo_renamed": (
        lambda mp: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8,
        "这个文件既不是 Excel 工作簿（.xlsx、.xls），也不是 CSV 表格",
    ),
    "zip_not_workbook": (
        lambda mp: _plain_zip({"readme.txt": b"hello"}),
        "这不是 Excel .xlsx 工作簿",
    ),
    "truncated": (lambda mp: xlsx([row()])[:3000], "文件不完整或已损坏"),
    "empty": (lambda mp: b"", "文件是空的"),
    "entity_bomb": (
        lambda mp: rezip(xlsx([row()]), replace={SHEET: with_dtd(LAUGHS, b"&j;")}),
        "文件声明了 XML 实体",
    ),
    "external_entity": (
        lambda mp: rezip(xlsx([row()]), replace={SHEET: with_dtd(XXE, b"&xxe;")}),
        "文件引用了外部 XML 实体",
    ),
    "zip_bomb_size": (lambda mp: bomb(51 * 1024 * 1024), "文件解压后将达 51 MB，超过上限 50 MB"),
    "zip_bomb_ratio": (lambda mp: bomb(3 * 1024 * 1024), "压缩比高达"),
    "absurd_dimension": (
        lambda mp: xlsx([row()], edit=lambda ws: ws.cell(1048576, 16384, "x")),
        "工作表的范围延伸到单元格 XFD1048576",
    ),
    "absurd_row_dimension_hidden": (
        lambda mp: rezip(
            xlsx([row()], edit=lying_dimension),
            replace={SHEET: lambda xml: xml.replace(b'ref="A1:L1048576"', b'ref="A1:L2"')},
        ),
        "工作表的范围延伸到单元格 A1048576",
    ),
    "too_many_rows": (too_many_rows, "文件的数据超过 3 行"),
    "headers_only": (lambda mp: xlsx([]), "工作表只有表头，下面没有数据"),
    "unknown_township": (
        lambda mp: xlsx([row(town="450181199")]),
        "第2行 第A列（乡镇代码）：未知的乡镇代码 450181199",
    ),
    "other_township_code": (
        lambda mp: xlsx([row(town="450181101")]),
        "第2行 第A列（乡镇代码）：450181101 是百合镇，不是本页的乡镇横州镇（450181100）",
    ),
    "unknown_village": (
        lambda mp: xlsx([row(code="450181100999")]),
        "第2行 第B列（村(社区)代码）：横州镇没有代码为 450181100999 的村(社区)",
    ),
    "village_of_other_township": (
        lambda mp: xlsx([row(code="450181101201", name="")]),
        "第2行 第B列（村(社区)代码）：横州镇没有代码为 450181101201 的村(社区)",
    ),
    "village_name_mismatch": (
        lambda mp: xlsx([row(name="城西村")]),
        "第2行 第C列（村(社区)名称）：“城西村”与代码 450181100201 不符",
    ),
    "future_date": (
        lambda mp: xlsx([row(inventoried=tomorrow())]),
        f"第2行 第H列（清点日期）：{tomorrow().isoformat()} 晚于今天",
    ),
    "text_not_a_date": (
        lambda mp: xlsx([row(inventoried="2024-02-30")]),
        "第2行 第H列（清点日期）：“2024-02-30”不是日期",
    ),
    "same_sign_twice": (
        lambda mp: xlsx([row(), row(inventoried="2024-01-05")]),
        "第3行 第D列（牌子名称）：与第2行是同一块牌子",
    ),
    "control_character_escaped": (
        lambda mp: xlsx([row(title="廉洁_x0007_工作站")]),
        "第2行 第D列（牌子名称）：含有不可见的控制字符（_x0007_）",
    ),
    "control_character_c1": (
        lambda mp: xlsx([row(location="外\x85墙")]),
        "第2行 第F列（位置）：含有不可见的控制字符（U+0085）",
    ),
    "removal_before_inventory": (
        lambda mp: xlsx([row(inventoried="2024-03-01", removed="2024-02-01", reason="破损褪色")]),
        "第2行 第I列（摘除日期）：摘除日期 2024-02-01 早于清点日期 2024-03-01",
    ),
    "other_reason_without_note": (
        lambda mp: xlsx([row(removed="2024-03-01", reason="其他")]),
        "第2行 第K列（备注）：摘除原因为“其他”时，须在备注中说明",
    ),
    "item_not_in_standard": (
        lambda mp: xlsx([row(item="廉洁工作站")]),
        "第2行 第G列（保留项目）：“廉洁工作站”不是现行制度汇编",
    ),
    "removal_date_without_reason": (
        lambda mp: xlsx([row(removed="2024-03-01")]),
        "第2行 第J列（摘除原因）：填写了摘除日期，还需填写摘除原因",
    ),
}


def _plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def place(town, other_town, village, make_user):
    other_village = Village.objects.create(town=other_town, code="450181101201", name="百合村")
    return {
        "village": village,
        "other_village": other_village,
        "staff": make_user("staff_mine", role=roles.TOWN_STAFF, town=town),
        "other_staff": make_user("staff_theirs", role=roles.TOWN_STAFF, town=other_town),
        "reviewer": make_user("reviewer_x", role=roles.REVIEWER),
    }


def login(client, user):
    client.force_login(user)
    return client


def counts():
    return {
        "signs": Signboard.objects.count(),
        "removals": Removal.objects.count(),
        "villages": Village.objects.count(),
        "towns": Town.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def upload(client, url, data: bytes, name="横州镇台账.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def import_url(code="450181100"):
    return reverse("sign_import", args=[code])


# --- bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_its_message_and_nothing_written(
    client, place, upload_dir, monkeypatch, case
):
    build, expected = BAD_FILES[case]
    data = build(monkeypatch)
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert any(expected in e for e in errors), errors
    assert "文件未导入，未保存任何内容" in response.content.decode()
    assert counts() == before
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


KINDS = "上墙制度牌、功能室牌子、功能性指引牌、机构(机制)牌子、荣誉牌、其他"


def test_every_error_of_every_row_is_listed(client, place):
    data = xlsx(
        [
            row(town="450181199"),
            row(title="", location="二楼"),
            row(code="", name="", location="三楼"),
            row(inventoried="三月一日", location="四楼"),
            row(removed="2024-03-01", reason="其他", location="五楼"),
        ]
    )
    login(client, place["staff"])
    errors = upload(client, import_url(), data).context["errors"]
    assert errors == [
        "第2行 第A列（乡镇代码）：未知的乡镇代码 450181199。",
        "第3行 第D列（牌子名称）：此项必填。",
        "第4行 第B列（村(社区)代码）：请填写村(社区)代码或名称。",
        "第5行 第H列（清点日期）：“三月一日”不是日期；"
        "请写成 2024-03-01、2024/3/1 或 2024年3月1日。",
        "第6行 第K列（备注）：摘除原因为“其他”时，须在备注中说明。",
    ]


@pytest.mark.parametrize(
    "data, step",
    [
        (lambda: xlsx([row()[:4]], headers=HEADERS[:4]), "columns"),  # no 类别 column
        (
            lambda: "乡镇代码,村(社区)代码,牌子名称\n450181100,450181100201,廉洁工作站\n".encode(),
            "columns",
        ),
        (lambda: xlsx([row(kind="牌匾")]), "words"),
        (lambda: xlsx([row(removed="2024-03-01", reason="不想要")]), "words"),
    ],
    ids=["missing_header", "csv_without_kind", "unknown_kind", "unknown_reason"],
)
def test_unknown_headers_and_words_go_to_the_mapping_step(client, place, data, step):
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data())
    assert response.status_code == 302 and response.url.endswith("/columns/")
    assert client.get(response.url).context["step"] == step
    assert counts() == before


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    ("dtd", "reference", "expected"),
    [(LAUGHS, b"&j;", "文件声明了 XML 实体"), (XXE, b"&xxe;", "文件引用了外部 XML 实体")],
)
def test_defusedxml_alone_refuses_entities_in_sheets(monkeypatch, dtd, reference, expected):
    """Without the DTD scan, openpyxl's own (defused) parser still refuses the file."""
    monkeypatch.setattr(imports.files, "_check_no_dtd", lambda archive: None)
    data = rezip(xlsx([row()]), replace={SHEET: with_dtd(dtd, reference)})
    with pytest.raises(imports.ImportFileError) as refused:
        imports.read_sign_sheet(data)
    assert expected in refused.value.messages[0]


def test_headers_are_matched_by_name_and_unknown_columns_named(client, place):
    """A ledger's own layout comes in: 序号 first, full-width brackets, an extra column."""
    headers = ["序号", *HEADERS, "经办人"]
    headers[2] = "村（社区）代码"
    data = xlsx([[1, *row(), "张三"]], headers=headers)
    login(client, place["staff"])
    preview = client.get(upload(client, import_url(), data).url)
    assert preview.context["summary"]["signs"] == 1
    assert "以下列不会导入： 第N列（“经办人”）" in preview.content.decode()


# --- the good file --------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def good_rows():
    return [
        row(title="廉洁工作站", location="外墙"),
        row(code="４５０１８１１００２０１", location="二楼"),  # full-width digits; another place
        row(title="党员活动室", kind="功能室牌子", location="二楼", item="党员活动室"),
        row(code="", title="益农信息社", removed="2024-03-01", reason="社区需求度不高"),
        row(title=FORMULA, inventoried=dt.datetime(2024, 1, 3),  # noqa: DTZ001 (Excel has no zones)
            removed=dt.date(2024, 3, 2),
            reason="其他", note="与功能室重复\n已合并"),
        row(town="450181100", title="科普宣传室", inventoried="2024/3/1",
            removed="2024年3月5日", reason="无实质性业务"),
    ]  # fmt: skip


def test_good_file_preview_confirm_then_reimport_creates_nothing(client, place, upload_dir):
    login(client, place["staff"])
    data = xlsx(good_rows())
    before = counts()
    response = upload(client, import_url(), data)
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert preview.context["summary"] == {"rows": 6, "signs": 6, "removals": 3, "skipped": 0}
    html = preview.content.decode()
    assert "6 行数据" in html and "益农信息社" in html and "科普宣传室" in html
    assert "HYPERLINK" in html and "按文字保存" in html
    assert counts() == before  # the preview writes nothing
    assert len(list(upload_dir.iterdir())) == 1

    confirmed = client.post(response.url)
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("town", args=["450181100"])
    after = counts()
    assert after["signs"] == before["signs"] + 6
    assert after["removals"] == before["removals"] + 3
    assert after["audit"] == before["audit"] + 6 + 3 + 1
    assert not any(upload_dir.iterdir())

    village = place["village"]
    formula = Signboard.objects.get(village=village, title=FORMULA)
    assert formula.title == FORMULA  # as typed, never evaluated
    removal = formula.removals.get()
    assert (removal.removed_on, removal.reason) == (dt.date(2024, 3, 2), RemovalReason.OTHER)
    assert removal.note == "与功能室重复\n已合并"
    assert removal.recorded_by == place["staff"]
    kept = Signboard.objects.get(title="党员活动室")
    assert kept.approved_item == ApprovedItem.objects.get(
        standard__is_current=True, title="党员活动室"
    )
    assert kept.created_by == place["staff"]
    assert Signboard.objects.filter(title="廉洁工作站").count() == 2
    assert Signboard.objects.get(title="科普宣传室").inventoried_on == dt.date(2024, 3, 1)
    # No inventory date given: the removal date is the earliest the sign is known to hang.
    assert Signboard.objects.get(title="益农信息社").inventoried_on == dt.date(2024, 1, 2)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("signboard.create") == 6 and actions.count("removal.record") == 3
    summary = AuditEntry.objects.get(action="signboard.import")
    assert summary.after["signs"] == 6 and summary.actor == place["staff"]

    again = client.get(upload(client, import_url(), data).url)
    assert again.context["summary"] == {"rows": 6, "signs": 0, "removals": 0, "skipped": 6}
    assert "已在台账中" in again.content.decode()
    client.post(again.request["PATH_INFO"])
    assert counts() == after


def test_removal_date_defaults_inventory_date(client, place):
    login(client, place["staff"])
    data = xlsx([row(inventoried=None, removed="2024-04-01", reason="破损褪色")])
    client.post(upload(client, import_url(), data).url)
    assert Signboard.objects.get().inventoried_on == dt.date(2024, 4, 1)


def test_reimport_adds_the_removal_to_a_sign_never_removed(client, place):
    login(client, place["staff"])
    client.post(upload(client, import_url(), xlsx([row()])).url)
    sign = Signboard.objects.get()
    later = xlsx([row(removed="2024-05-01", reason="无实质性业务")])
    preview = client.get(upload(client, import_url(), later).url)
    assert preview.context["summary"] == {"rows": 1, "signs": 0, "removals": 1, "skipped": 0}
    client.post(preview.request["PATH_INFO"])
    assert Signboard.objects.count() == 1
    assert sign.removals.get().removed_on == dt.date(2024, 5, 1)
    # A removal once recorded (or revoked on purpose) is never re-added by a file.
    again = client.get(upload(client, import_url(), later).url)
    assert again.context["summary"]["skipped"] == 1


def test_confirm_plans_again_and_refuses_what_changed(client, place):
    login(client, place["staff"])
    data = xlsx([row(title="党员活动室", kind="功能室牌子", item="党员活动室")])
    preview_url = upload(client, import_url(), data).url
    Standard.objects.update(is_current=False)  # the standard changes before the confirm
    before = counts()
    response = client.post(preview_url)
    assert response.status_code == 200
    assert any("目前没有现行制度汇编" in e for e in response.context["errors"])
    assert counts() == before


def test_confirm_shows_new_figures_when_the_inventory_changed(client, place):
    login(client, place["staff"])
    preview_url = upload(client, import_url(), xlsx([row(), row(location="二楼")])).url
    Signboard.objects.create(village=place["village"], title="廉洁工作站", location="外墙",
                             kind="guidance", inventoried_on=dt.date(2024, 1, 2))  # fmt: skip
    before = counts()
    response = client.post(preview_url)
    assert response.status_code == 200
    assert 'data-testid="plan-changed"' in response.content.decode()
    assert response.context["summary"]["signs"] == 1
    assert counts() == before
    client.post(preview_url)
    assert counts()["signs"] == before["signs"] + 1


def test_confirm_does_not_trust_the_browser(client, place, upload_dir, make_user):
    login(client, place["staff"])
    preview_url = upload(client, import_url(), xlsx([row()])).url
    before = counts()
    # Another user of the same township cannot confirm someone else's upload.
    colleague = make_user("staff_colleague", role=roles.TOWN_STAFF, town=place["village"].town)
    other = login(client.__class__(), colleague)
    assert other.post(preview_url).status_code == 302
    # A file changed on disk after the preview is not imported.
    (stored,) = upload_dir.iterdir()
    stored.write_bytes(xlsx([row(), row(location="别处")]))
    response = client.post(preview_url, follow=True)
    assert "该上传已过期或已导入" in response.content.decode()
    assert counts() == before
    # An upload for one township cannot be confirmed on another township's page.
    login(client, place["reviewer"])
    preview_url = upload(client, import_url(), xlsx([row()])).url
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(reverse("sign_import_preview", args=["450181101", token])).status_code == 302
    assert counts() == before
    assert client.post(preview_url).status_code == 302
    assert counts()["signs"] == before["signs"] + 1


def test_a_large_file_imports_in_a_few_queries(client, place, django_assert_max_num_queries):
    login(client, place["staff"])
    rows = [row(title=f"牌子{n}", removed="2024-03-01" if n % 2 else None,
                reason="破损褪色" if n % 2 else None) for n in range(600)]  # fmt: skip
    preview_url = upload(client, import_url(), xlsx(rows)).url
    # incl. 4 to refresh the tallies, 2 the departments, 1 the township's ledger layouts,
    # 1 its ledger words and 1 the import batch: none grows with the rows; the figures by
    # day: 4, and 1 per distinct date of the file (2 here), never per row; SQLite's bound on
    # a statement's parameters splits the removals' insert in batches (6 here)
    with django_assert_max_num_queries(56):
        client.post(preview_url)
    assert Signboard.objects.count() == 600 and Removal.objects.count() == 300


# --- who may import -------------------------------------------------------------------------

TOKEN = "01234567-89ab-cdef-0123-456789abcdef"


def sign_urls(code):
    return [
        reverse("sign_import", args=[code]),
        reverse("sign_import_template", args=[code]),
        reverse("sign_import_preview", args=[code, TOKEN]),
    ]


VILLAGE_URLS = ["village_import", "village_import_template"]


@pytest.mark.parametrize("index", range(3))
def test_anonymous_is_sent_to_login(client, place, index):
    for url in (sign_urls("450181100")[index], *(reverse(n) for n in VILLAGE_URLS),
                reverse("village_import_preview", args=[TOKEN])):  # fmt: skip
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("index", range(3))
def test_other_township_staff_get_404_and_nothing_written(client, place, index):
    login(client, place["other_staff"])
    url = sign_urls("450181100")[index]
    before = counts()
    assert client.get(url).status_code == 404
    data = xlsx([row()])
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}).status_code == 404
    assert counts() == before


def test_staff_import_their_own_township(client, place):
    login(client, place["staff"])
    page = client.get(import_url())
    assert page.status_code == 200
    assert reverse("sign_import_template", args=["450181100"]) in page.content.decode()
    client.post(upload(client, import_url(), xlsx([row()])).url)
    assert Signboard.objects.get().created_by == place["staff"]


def test_reviewer_imports_any_township(client, place):
    login(client, place["reviewer"])
    data = xlsx([row(code="450181101201", name="百合村")])
    response = upload(client, import_url("450181101"), data)
    assert response.status_code == 302
    client.post(response.url)
    sign = Signboard.objects.get()
    assert (sign.village, sign.created_by) == (place["other_village"], place["reviewer"])


def test_town_and_village_pages_link_to_import(client, place):
    login(client, place["staff"])
    url = import_url()
    assert url in client.get(reverse("town", args=["450181100"])).content.decode()
    assert url in client.get(reverse("village", args=["450181100201"])).content.decode()


@pytest.mark.parametrize("name", ["village_import", "village_import_template", "preview"])
def test_village_list_import_is_404_for_staff(client, place, name):
    login(client, place["staff"])
    url = reverse("village_import_preview", args=[TOKEN]) if name == "preview" else reverse(name)
    before = counts()
    assert client.get(url).status_code == 404
    data = xlsx([["450181100", "横州镇", "450181100299", "新村", "村"]], VILLAGE_HEADERS)
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", data)}).status_code == 404
    assert counts() == before


# --- the village list -----------------------------------------------------------------------


def village_file(rows):
    return xlsx(rows, VILLAGE_HEADERS, sheet="村社区名单")


def test_village_list_import_creates_and_updates_by_code(client, place):
    login(client, place["reviewer"])
    data = village_file(
        [
            ["450181999", "测试镇", "450181999001", "甲村", "村"],
            ["450181999", "测试镇", "450181999002", "乙社区", "社区"],
            ["450181100", "横州镇", "450181100201", "城东社区", "社区"],  # renamed, now 社区
            ["450181101", "百合镇", "450181101201", "百合村", None],  # unchanged
        ]
    )
    before = counts()
    response = upload(client, reverse("village_import"), data, name="村名单.xlsx")
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.context["summary"] == {
        "rows": 4, "towns_created": 1, "towns_updated": 0, "villages_created": 2,
        "villages_updated": 1, "unchanged": 1,
    }  # fmt: skip
    html = preview.content.decode()
    assert "名称 城东村 → 城东社区" in html and "类别 村 → 社区" in html
    assert counts() == before
    assert client.post(response.url).status_code == 302
    after = counts()
    assert (after["towns"], after["villages"]) == (before["towns"] + 1, before["villages"] + 2)
    new_town = Town.objects.get(code="450181999")
    assert (new_town.name, new_town.kind) == ("测试镇", "town")
    village = Village.objects.get(code="450181100201")
    assert (village.name, village.kind) == ("城东社区", "community")
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["town.create", "village.create", "village.create", "village.update"]
    update = AuditEntry.objects.get(action="village.update")
    assert (update.before["name"], update.after["name"]) == ("城东村", "城东社区")

    again = client.get(upload(client, reverse("village_import"), data).url)
    assert again.context["summary"]["unchanged"] == 4
    client.post(again.request["PATH_INFO"])
    assert counts() == after


VILLAGE_BAD = {
    "code_outside_township": (
        [["450181100", "横州镇", "450181101299", "错村", "村"]],
        "第2行 第C列（村(社区)代码）：450181101299 没有以所属乡镇代码 450181100 开头",
    ),
    "two_names_in_a_township": (
        [["450181100", "横州镇", "450181100298", "城东村", "村"]],
        "第2行 第D列（村(社区)名称）：导入后450181100201也将叫“城东村”",
    ),
    "township_name_taken": (
        [["450181998", "百合镇", "450181998001", "甲村", "村"]],
        "第2行 第B列（乡镇名称）：百合镇已是乡镇 450181101 的名称",
    ),
    "new_township_kind_unknown": (
        [["450181997", "测试区", "450181997001", "甲村", "村"]],
        "第2行 第B列（乡镇名称）：新乡镇的名称须以“镇”“乡”或“街道”结尾",
    ),
    "unknown_village_kind": (
        [["450181100", "横州镇", "450181100297", "新村", "屯"]],
        "第2行 第E列（类别）：未知的值“屯”",
    ),
    "same_code_twice": (
        [
            ["450181100", "横州镇", "450181100297", "新村", "村"],
            ["450181100", "横州镇", "450181100297", "新村二", "村"],
        ],
        "第3行 第C列（村(社区)代码）：代码 450181100297 已在第2行出现",
    ),  # fmt: skip
}


@pytest.mark.parametrize("case", list(VILLAGE_BAD))
def test_bad_village_list_is_refused_and_nothing_written(client, place, case):
    rows, expected = VILLAGE_BAD[case]
    login(client, place["reviewer"])
    before = counts()
    response = upload(client, reverse("village_import"), village_file(rows))
    assert response.status_code == 200
    assert any(expected in e for e in response.context["errors"]), response.context["errors"]
    assert counts() == before


# --- the templates --------------------------------------------------------------------------


def test_sign_template_has_help_sheet_and_drop_downs(client, place):
    login(client, place["staff"])
    response = client.get(reverse("sign_import_template", args=["450181100"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert (
        f"filename*=UTF-8''{quote('横州镇牌子台账导入模板.xlsx')}"
        in response["Content-Disposition"]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["牌子清单", "说明", "选项"]
    data = workbook["牌子清单"]
    assert [c.value for c in data[1]] == HEADERS
    help_sheet = workbook["说明"]
    explained = [help_sheet.cell(r, 1).value for r in range(2, 2 + len(HEADERS))]
    assert explained == HEADERS
    lists = workbook["选项"]
    kinds = [c.value for c in lists["A"][1:] if c.value]
    reasons = [c.value for c in lists["B"][1:] if c.value]
    assert kinds == imports.zh_labels(SignKind) and "功能性指引牌" in kinds
    assert reasons == imports.zh_labels(RemovalReason) and "无实质性业务" in reasons
    assert "城东村" in [c.value for c in lists["D"]]
    validations = {str(v.sqref).split(":")[0]: v for v in data.data_validations.dataValidation}
    assert validations["E2"].formula1 == "'选项'!$A$2:$A$7"
    assert validations["J2"].formula1 == "'选项'!$B$2:$B$9"
    assert validations["G2"].type == "list" and validations["C2"].type == "list"


def test_filled_in_template_imports(client, place):
    login(client, place["staff"])
    response = client.get(reverse("sign_import_template", args=["450181100"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    workbook["牌子清单"].append(row(kind="功能性指引牌子", inventoried=dt.date(2024, 2, 1)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.post(upload(client, import_url(), buffer.getvalue()).url)
    assert Signboard.objects.get().inventoried_on == dt.date(2024, 2, 1)


def test_village_template_is_for_city_level(client, place):
    login(client, place["reviewer"])
    response = client.get(reverse("village_import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["村社区名单", "说明", "选项"]
    assert [c.value for c in workbook["村社区名单"][1]] == VILLAGE_HEADERS
    (validation,) = workbook["村社区名单"].data_validations.dataValidation
    assert validation.formula1 == "'选项'!$A$2:$A$3"


# --- 挂牌要求部门 -----------------------------------------------------------------------------


def test_the_department_column_takes_a_department_under_the_names_ledgers_give_it(client, place):
    data = xlsx(
        [
            row(title="调解室", department="市司法局", location="一楼"),
            row(title="综治中心", department="横州市委政法委", location="二楼"),
            row(title="农家书屋", department="文化广电体育和旅游局", location="三楼"),
            row(title="警务室", department=" 横州公安局 ", location="四楼"),
            row(title="卫生室", department="", location="五楼"),
        ]
    )
    login(client, place["staff"])
    client.post(upload(client, import_url(), data).url)
    asked = dict(Signboard.objects.values_list("title", "requested_by__name"))
    assert asked == {
        "调解室": "市司法局",
        "综治中心": "市委政法委",
        "农家书屋": "市文化广电体育和旅游局",
        "警务室": "市公安局",
        "卫生室": None,  # optional: a blank cell names nobody
    }
    sign = Signboard.objects.get(title="调解室")
    entry = AuditEntry.objects.get(action="signboard.create", object_id=str(sign.pk))
    assert entry.after["requested_by_id"] == sign.requested_by_id  # audited with the sign


def test_an_unknown_department_is_a_located_error_and_nothing_is_written(client, place):
    unknown = row(title="综治中心", department="市综治办", location="二楼")
    data = xlsx([row(title="调解室"), unknown])
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data)
    [error] = response.context["errors"]
    assert error.startswith("第3行 第L列（挂牌要求部门）：“市综治办”不在市直单位名单中（如：")
    assert "市民政局" in error  # names a few that are
    assert counts() == before


def test_tabs_and_line_breaks_in_a_title_become_spaces_and_the_preview_says_where(client, place):
    login(client, place["staff"])
    data = xlsx([row(title="廉洁\t工作站"), row(title="党员\n活动室", location="二楼")])
    preview = client.get(upload(client, import_url(), data).url)
    assert preview.context["plan"].breaks_replaced == ["第2行 第D列", "第3行 第D列"]
    assert "2 个单元格中的制表符或换行已替换为空格： 第2行 第D列、第3行 第D列" in (
        preview.content.decode()
    )
    client.post(preview.request["PATH_INFO"])
    assert set(Signboard.objects.values_list("title", flat=True)) == {"廉洁 工作站", "党员 活动室"}
