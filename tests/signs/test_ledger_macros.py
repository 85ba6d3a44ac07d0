"""Ledgers saved with macros, as offices' Excel files often are: a legacy .xls whose compound
file holds Excel's VBA storage, and an .xlsm holding xl/vbaProject.bin. The cells are imported
as from any workbook, the macros are never run, and the preview says so. Both files are built
here by script; the builders are checked to make what they claim, so a failure is the
importer's."""

import io
import os
import struct
import zipfile

import openpyxl
import pytest
import xlrd
from xlrd.compdoc import CompDoc

from tests.signs import test_imports
from tests.signs.test_imports import HEADERS, counts, import_url, login, rezip, row, upload, xlsx
from tests.signs.test_ledger_bad_input import xls

pytestmark = pytest.mark.django_db

MACROS_NOTE = "文件含宏（VBA），宏不会运行，只读取了单元格中的值。"

place = test_imports.place  # the fixture: a township, its village 城东村 and their staff


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


# --- a small OLE2 (compound file) reader and writer ---------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
MINI_CUTOFF = 4096
END, FREE, FAT_SECTOR, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1


def _chain(fat: list[int], start: int) -> list[int]:
    sectors = []
    while start not in (END, FREE):
        assert start not in sectors and len(sectors) <= len(fat), "a looping sector chain"
        sectors.append(start)
        start = fat[start]
    return sectors


def read_stream(data: bytes, wanted: str) -> bytes:
    """The stream `wanted` of a v3 compound file (512-byte sectors, no DIFAT sectors), read
    from its header, FAT and directory; the stream must live outside the mini stream."""
    assert data[:8] == OLE_MAGIC
    assert struct.unpack_from("<H", data, 30)[0] == 9  # 512-byte sectors
    fat_count, first_dir = struct.unpack_from("<II", data, 44)
    assert struct.unpack_from("<I", data, 72)[0] == 0  # no DIFAT sectors
    assert struct.unpack_from("<I", data, 56)[0] == MINI_CUTOFF

    def sector(number: int) -> bytes:
        return data[SECTOR * (number + 1) : SECTOR * (number + 2)]

    fat_sectors = struct.unpack_from(f"<{fat_count}I", data, 76)
    fat = [n for s in fat_sectors for n in struct.unpack("<128I", sector(s))]
    directory = b"".join(sector(s) for s in _chain(fat, first_dir))
    for offset in range(0, len(directory), 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le")
        start, size = struct.unpack_from("<IQ", entry, 116)
        if name == wanted and entry[66] == STREAM:
            assert size >= MINI_CUTOFF, "a stream in the mini stream: not read here"
            return b"".join(sector(s) for s in _chain(fat, start))[:size]
    raise AssertionError(f"no stream {wanted!r}")


def _name_key(name: str):
    """How a compound file orders siblings: shorter names first, then by upper-case text."""
    return len(name), name.upper()


class Node:
    def __init__(self, name: str, kind: int, content: bytes = b"", children=()):
        self.name, self.kind, self.content, self.children = name, kind, content, list(children)
        self.left = self.right = self.child = NONE
        self.start, self.size = END, 0


def _flatten(node: Node, out: list[Node]) -> int:
    """Number the nodes depth first and link each storage's children into a balanced binary
    search tree (in the compound file's order); returns the node's number."""
    number = len(out)
    out.append(node)
    numbers = {id(child): _flatten(child, out) for child in node.children}
    ordered = sorted(node.children, key=lambda child: _name_key(child.name))

    def balance(nodes: list[Node]) -> int:
        if not nodes:
            return NONE
        middle = len(nodes) // 2
        top = nodes[middle]
        top.left, top.right = balance(nodes[:middle]), balance(nodes[middle + 1 :])
        return numbers[id(top)]

    node.child = balance(ordered)
    return number


def compound_file(root_children: list[Node]) -> bytes:
    """A v3 compound file: 512-byte sectors, the FAT first, then the directory, then every
    stream (each at least 4096 bytes, so no mini stream is needed); all nodes black."""
    nodes: list[Node] = []
    _flatten(Node("Root Entry", ROOT, children=root_children), nodes)
    streams = [n for n in nodes if n.kind == STREAM]
    assert all(len(n.content) >= MINI_CUTOFF for n in streams), "pad streams to 4096 bytes"

    def sectors_for(size: int) -> int:
        return -(-size // SECTOR)

    dir_sectors = sectors_for(128 * len(nodes))
    data_sectors = dir_sectors + sum(sectors_for(len(n.content)) for n in streams)
    fat_sectors = 1
    while 128 * fat_sectors < fat_sectors + data_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109

    fat = [FAT_SECTOR] * fat_sectors
    runs = [dir_sectors] + [sectors_for(len(n.content)) for n in streams]
    starts = []
    for run in runs:
        starts.append(len(fat))
        fat += [*range(len(fat) + 1, len(fat) + run), END]
    first_dir = starts[0]
    for node, start in zip(streams, starts[1:], strict=True):
        node.start, node.size = start, len(node.content)
    fat += [FREE] * (128 * fat_sectors - len(fat))

    def entry(node: Node) -> bytes:
        encoded = (node.name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), node.kind, BLACK, node.left,
            node.right, node.child, b"", 0, 0, 0, node.start, node.size,
        )  # fmt: skip

    directory = b"".join(entry(n) for n in nodes)
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NONE, NONE, NONE, b"", 0, 0, 0, 0, 0)
    directory += unused * (4 * dir_sectors - len(nodes))

    header = (
        OLE_MAGIC
        + bytes(16)
        + struct.pack(
            "<HHHHH6xIIIIIIIII",
            0x3E,
            3,
            0xFFFE,
            9,
            6,
            0,
            fat_sectors,
            first_dir,
            0,
            MINI_CUTOFF,
            END,
            0,
            END,
            0,
        )  # fmt: skip
        + struct.pack("<109I", *range(fat_sectors), *[FREE] * (109 - fat_sectors))
    )
    assert len(header) == SECTOR

    def padded(content: bytes) -> bytes:
        return content + bytes(-len(content) % SECTOR)

    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    body += b"".join(padded(n.content) for n in streams)
    assert len(body) == SECTOR * len(fat) - SECTOR * fat.count(FREE)
    return header + body


# --- the ledgers with macros ---------------------------------------------------------------------


def xls_with_macros() -> bytes:
    """xlwt's workbook stream moved into a compound file that also holds Excel's macro
    storage: _VBA_PROJECT_CUR / VBA / dir, as Excel saves a workbook with macros."""
    workbook = read_stream(xls(HEADERS, [row()]), "Workbook")
    workbook += bytes(max(0, MINI_CUTOFF - len(workbook)))  # after the BIFF EOF: never read
    vba_dir = b'Attribute VB_Name = "ThisWorkbook"\r\nSub Auto_Open()\r\n  Shell "calc"\r\n'
    vba_dir += bytes(MINI_CUTOFF - len(vba_dir))
    macros = Node(
        "_VBA_PROJECT_CUR",
        STORAGE,
        children=[Node("VBA", STORAGE, children=[Node("dir", STREAM, vba_dir)])],
    )
    return compound_file([Node("Workbook", STREAM, workbook), macros])


MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_PROJECT = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not a real VBA project, never run" + bytes(64)


def xlsm_with_macros() -> bytes:
    """openpyxl's workbook made an .xlsm: xl/vbaProject.bin added, with its relationship and
    the macro-enabled content type, as Excel saves it."""

    def content_types(xml: bytes) -> bytes:
        text = xml.decode()
        main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        assert main in text
        text = text.replace(main, MACRO_CONTENT_TYPE).replace(
            "</Types>",
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        )
        return text.encode()

    def relationships(xml: bytes) -> bytes:
        vba = (
            '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'
        )
        return xml.decode().replace("</Relationships>", vba).encode()

    return rezip(
        xlsx([row()]),
        replace={"[Content_Types].xml": content_types, "xl/_rels/workbook.xml.rels": relationships},
        add={"xl/vbaProject.bin": VBA_PROJECT},
    )


# --- the builders make what they claim, so a failure below is the importer's -------------------


def test_the_xls_builder_makes_a_workbook_with_excels_macro_storage():
    data = xls_with_macros()
    sheet = xlrd.open_workbook(file_contents=data).sheet_by_index(0)
    assert sheet.row_values(0) == HEADERS
    assert sheet.cell_value(1, 1) == "450181100201" and sheet.cell_value(1, 3) == "廉洁工作站"
    with open(os.devnull, "w") as quiet:
        entries = CompDoc(data, logfile=quiet).dirlist
    names = [e.name for e in entries]
    assert {"Root Entry", "Workbook", "_VBA_PROJECT_CUR", "VBA", "dir"} <= set(names)
    # xlrd walked the red-black trees: each storage has the children it was given
    by_name = {e.name: e for e in entries}
    family = {e.name: sorted(names[c] for c in e.children) for e in entries if e.etype in (1, 5)}
    assert family == {
        "Root Entry": ["Workbook", "_VBA_PROJECT_CUR"],
        "_VBA_PROJECT_CUR": ["VBA"],
        "VBA": ["dir"],
    }
    assert all(e.colour == BLACK for e in entries if e.name)
    assert by_name["dir"].tot_size == 4096 and read_stream(data, "dir").startswith(b"Attribute")


def test_the_xlsm_builder_makes_a_workbook_with_a_vba_project():
    data = xlsm_with_macros()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("xl/vbaProject.bin") == VBA_PROJECT
    assert MACRO_CONTENT_TYPE.encode() in archive.read("[Content_Types].xml")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADERS and sheet["D2"].value == "廉洁工作站"


# --- the importer reads the cells, runs nothing, and says so --------------------------------------


def _imports_one_sign_with_the_note(client, place, data: bytes, name: str):
    login(client, place["staff"])
    before = counts()
    response = upload(client, import_url(), data, name=name)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not response.url.endswith("/columns/"), response.url  # the headers are all known
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert preview.context["summary"]["signs"] == 1
    assert counts() == before  # nothing is written before confirming
    assert MACROS_NOTE in preview.content.decode()


def test_an_xls_with_macros_imports_its_cells_and_runs_nothing(client, place):
    _imports_one_sign_with_the_note(client, place, xls_with_macros(), "台账.xls")


def test_an_xlsm_with_macros_imports_its_cells_and_runs_nothing(client, place):
    _imports_one_sign_with_the_note(client, place, xlsm_with_macros(), "台账.xlsm")
