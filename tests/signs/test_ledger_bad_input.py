"""Ledger uploads that are not what they claim, or are broken in the ways real offices break
them: each is refused through the real view with ONE clear Chinese message, nothing written,
no 500. Every file is built here by script; a good GBK CSV is the positive control."""

import io
import random
import re
import struct
import zipfile

import openpyxl
import pytest
import xlrd
import xlwt
from PIL import Image

from signs import imports
from tests.signs import test_imports
from tests.signs.test_imports import HEADERS, SHEET, counts, import_url, login, row, upload, xlsx

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.com","点击")'
REFUSED = "文件未导入，未保存任何内容"
# The fixed advice the importer adds under a header error: advice, not a second error.
TEMPLATE_ADVICE = "请使用模板（可在本页下载），或在第1行填写这些表头："

place = test_imports.place  # the fixture: a township, its village 城东村 and their staff


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


# --- the file builders ------------------------------------------------------------------------


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def docx() -> bytes:
    """A Word document's parts: content types and word/document.xml, no workbook."""
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
        '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>摘牌情况报告</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


END, FREE, FAT_SECTOR, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, NONE, NONE, child,
        b"", 0, 0, 0, start, size,
    )  # fmt: skip


def word_doc() -> bytes:
    """A legacy Word .doc: a valid OLE2 compound file (v3, 512-byte sectors) holding one
    4096-byte "WordDocument" stream and no Workbook stream. Sector 0 is the FAT, sector 1 the
    directory, sectors 2–9 the stream."""
    header = (
        imports.OLE_MAGIC
        + bytes(16)
        + struct.pack(
            "<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, END, 0, END, 0
        )  # fmt: skip
        + struct.pack("<109I", 0, *[FREE] * 108)
    )
    fat = struct.pack("<128I", FAT_SECTOR, END, *range(3, 10), END, *[FREE] * 118)
    directory = (
        _dir_entry("Root Entry", 5, 1, END, 0)
        + _dir_entry("WordDocument", 2, NONE, 2, 4096)
        + _dir_entry("", 0, NONE, 0, 0) * 2
    )
    assert len(header) == len(fat) == len(directory) == 512
    return header + fat + directory + bytes(range(256)) * 16


def encrypted(data: bytes) -> bytes:
    """The zip with bit 0 (encrypted) of every member's flags set, in its local headers and
    in the central directory."""
    out = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        assert out[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
        out[info.header_offset + 6] |= 0x1
    offset = archive.start_dir
    for _info in archive.infolist():
        assert out[offset : offset + 4] == b"PK\x01\x02"
        out[offset + 8] |= 0x1
        name, extra, comment = struct.unpack("<HHH", out[offset + 28 : offset + 34])
        offset += 46 + name + extra + comment
    return bytes(out)


def xls(headers, rows) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("牌子清单")
    for r, values in enumerate([headers, *rows]):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_line(values) -> str:
    return ",".join("" if v is None else str(v) for v in values) + "\r\n"


def mixed_encoding_csv() -> bytes:
    """Header and two rows in UTF-8, two rows in GBK: a file appended to by two programs."""
    utf8 = csv_line(HEADERS) + csv_line(row()) + csv_line(row(location="二楼"))
    gbk = csv_line(row(location="三楼会议室")) + csv_line(row(title="党员活动室", location="四楼"))
    return utf8.encode("utf-8") + gbk.encode("gbk")


def formula_at(ref: str, formula: str, number_format: str | None = None):
    def edit(ws):
        ws[ref] = formula
        if number_format:
            ws[ref].number_format = number_format

    return edit


def forge_cached(data: bytes, ref: str, value: str, *, text: bool) -> bytes:
    """The workbook with the formula cell `ref` given a cached value, as Excel would store it
    (openpyxl writes none): <c r="D2" t="str"><f>…</f><v>廉洁工作站</v></c>."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET:
                xml = content.decode()
                cell = re.search(rf'<c r="{ref}"([^>]*?)(?:/>|>(.*?)</c>)', xml)
                assert cell and "<f>" in (cell.group(2) or ""), cell
                formula = re.search(r"<f>(.*?)</f>", cell.group(2)).group(1)
                style = " ".join(re.findall(r'\bs="\d+"', cell.group(1)))
                kind = ' t="str"' if text else ""
                forged = f'<c r="{ref}" {style}{kind}><f>{formula}</f><v>{value}</v></c>'
                content = (xml[: cell.start()] + forged + xml[cell.end() :]).encode()
            target.writestr(info, content)
    return out.getvalue()


def duplicate_title_header() -> bytes:
    headers = [*HEADERS, "牌子名称"]
    return xlsx([[*row(), "廉洁工作站"]], headers=headers)


def five_rows(mp) -> bytes:
    mp.setattr(imports.base, "MAX_ROWS", 3)
    return xlsx([row(location=f"房间{n}") for n in range(5)])


def uncached_title() -> bytes:
    return xlsx([row()], edit=formula_at("D2", FORMULA))


def cached_title() -> bytes:
    return forge_cached(uncached_title(), "D2", "廉洁工作站", text=True)


def cached_today() -> bytes:
    data = xlsx([row(reason="破损褪色")], edit=formula_at("I2", "=TODAY()", "yyyy-mm-dd"))
    return forge_cached(data, "I2", "45352", text=False)  # 45352 is 2024-03-01


# name -> (builder(monkeypatch) -> bytes, upload name, wanted in the one message)
BAD_FILES = {
    "jpeg_renamed_xlsx": (
        lambda mp: jpeg(),
        "台账.xlsx",
        ["这个文件既不是 Excel 工作簿（.xlsx、.xls），也不是 CSV 表格"],
    ),
    "docx_renamed_xlsx": (lambda mp: docx(), "台账.xlsx", ["这不是 Excel .xlsx 工作簿"]),
    "word_doc_renamed_xls": (
        lambda mp: word_doc(),
        "台账.xls",
        ["这个文件像是旧版 .xls 工作簿，但无法读取"],
    ),
    "ole_header_only": (
        lambda mp: imports.OLE_MAGIC + bytes(504),
        "台账.xls",
        ["这个文件像是旧版 .xls 工作簿，但无法读取"],
    ),
    "encrypted_xlsx": (
        lambda mp: encrypted(xlsx([row()])),
        "台账.xlsx",
        ["工作簿设置了密码，请先取消密码再上传"],
    ),
    "cut_in_the_middle": (
        lambda mp: (lambda d: d[: len(d) // 2])(xlsx([row(), row(location="二楼")])),
        "台账.xlsx",
        ["文件不完整或已损坏"],
    ),
    "random_bytes_csv": (
        lambda mp: random.Random(1).randbytes(4000),
        "台账.csv",
        ["这个文件既不是 Excel 工作簿（.xlsx、.xls），也不是 CSV 表格"],
    ),
    "mixed_encoding_csv": (
        lambda mp: mixed_encoding_csv(),
        "台账.csv",
        ["这个 CSV 文件的文字无法按同一种编码读取"],
    ),
    "more_rows_than_the_limit": (five_rows, "台账.xlsx", ["文件的数据超过 3 行"]),
    "formula_title_uncached": (
        lambda mp: uncached_title(),
        "台账.xlsx",
        ["第2行 第D列（牌子名称）：", "是公式"],
    ),
    "formula_title_forged_cache": (
        lambda mp: cached_title(),
        "台账.xlsx",
        ["第2行 第D列（牌子名称）：", "是公式"],
    ),
    "today_removal_date_forged_cache": (
        lambda mp: cached_today(),
        "台账.xlsx",
        ["第2行 第I列（摘除日期）：", "是公式"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_upload_gets_one_chinese_message_and_nothing_written(
    client, place, upload_dir, monkeypatch, case
):
    build, name, wanted = BAD_FILES[case]
    data = build(monkeypatch)
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data, name=name)
    assert response.status_code == 200, response.get("Location")
    errors = response.context["errors"]
    assert all(isinstance(e, str) for e in errors)
    messages = [e for e in errors if not e.startswith(TEMPLATE_ADVICE)]
    assert len(messages) == 1, errors
    assert all(part in messages[0] for part in wanted), errors
    assert re.search(r"[\u4e00-\u9fff]", messages[0])
    assert "炸弹" not in messages[0]  # an honest file is never called a zip bomb
    assert REFUSED in response.content.decode()
    assert counts() == before
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


# Headers the importer does not know are not refused: they are asked on the mapping page,
# where a mapping without 牌子名称, or with two columns for it, is refused in Chinese.
MAPPING_CASES = {
    "xls_without_title_header": (
        lambda: xls([h for h in HEADERS if h != "牌子名称"], [row()[:3] + row()[4:]]),
        "台账.xls",
        {},
        "请选择“牌子名称”所在的列",
    ),
    "title_header_twice": (
        lambda: duplicate_title_header(),
        "台账.xlsx",
        {"title": 2},  # the guess took the first; the user picks the second one as well
        "“牌子名称”选了 2 列",
    ),
}


@pytest.mark.parametrize("case", list(MAPPING_CASES))
def test_a_bad_mapping_gets_one_chinese_message_and_nothing_written(client, place, case):
    build, name, extra, wanted = MAPPING_CASES[case]
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), build(), name=name)
    assert response.status_code == 302 and response.url.endswith("/columns/")
    page = client.get(response.url)
    data = {f.html_name: f.value() or "" for _c, f in page.context["form"].rows()}
    for key, times in extra.items():  # choose `key` for further columns that hold none yet
        spare = [f.html_name for c, f in page.context["form"].rows() if not data[f.html_name]]
        for html_name in spare[: times - 1]:
            data[html_name] = key
    refused = client.post(response.url, data)
    assert refused.status_code == 200
    errors = [str(e) for e in refused.context["form"].non_field_errors()]
    assert any(wanted in e for e in errors), errors
    assert counts() == before


def test_good_gbk_csv_is_previewed_with_one_new_sign(client, place):
    data = (csv_line(HEADERS) + csv_line(row())).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK, not UTF-8 by chance
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data, name="横州镇台账.csv")
    assert response.status_code == 302, response.context and response.context["errors"]
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert preview.context["summary"]["signs"] == 1
    assert counts() == before


# --- the builders make what they claim, so a failure above is the importer's -----------------


def test_builders_make_the_files_they_claim():
    assert Image.open(io.BytesIO(jpeg())).format == "JPEG"
    assert sorted(zipfile.ZipFile(io.BytesIO(docx())).namelist()) == [
        "[Content_Types].xml",
        "word/document.xml",
    ]
    with pytest.raises(xlrd.XLRDError, match="Can't find workbook in OLE2"):
        xlrd.open_workbook(file_contents=word_doc())

    locked = zipfile.ZipFile(io.BytesIO(encrypted(xlsx([row()]))))
    assert all(info.flag_bits & 0x1 for info in locked.infolist())
    with pytest.raises(RuntimeError, match="encrypted"):
        locked.read(SHEET)

    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(BAD_FILES["cut_in_the_middle"][0](None)))
    with pytest.raises(UnicodeDecodeError):
        mixed_encoding_csv().decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        mixed_encoding_csv().decode("gbk")

    sheet = xlrd.open_workbook(file_contents=MAPPING_CASES["xls_without_title_header"][0]())
    first = sheet.sheet_by_index(0)
    assert "牌子名称" not in first.row_values(0) and first.cell_value(1, 1) == "450181100201"

    assert openpyxl.load_workbook(io.BytesIO(duplicate_title_header())).active["M1"].value == (
        "牌子名称"
    )

    for data, ref, formula, cached in [
        (uncached_title(), "D2", FORMULA, None),
        (cached_title(), "D2", FORMULA, "廉洁工作站"),
        (cached_today(), "I2", "=TODAY()", 45352),
    ]:
        cell = openpyxl.load_workbook(io.BytesIO(data)).active[ref]
        assert (cell.data_type, cell.value) == ("f", formula)
        value = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active[ref].value
        if ref == "I2":
            value = value and (value - type(value)(1899, 12, 30)).days
        assert value == cached
