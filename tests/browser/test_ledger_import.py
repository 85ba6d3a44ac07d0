"""A township's own messy ledger walked through the import in the browser, at 375 px and at
desktop width: upload → the mapping step → the preview → confirm (the accessibility watch of
conftest checks each page)."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from signs.models import LedgerLayout, Removal, Signboard
from tests.signs.ledgers import corpus
from villages import roles
from villages.choices import VillageKind
from villages.models import Town, Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def messy_ledger() -> corpus.Case:
    """The corpus's one-village ledger with its 牌子内容 header renamed to words we do not
    know, so that the importer has to ask about that column."""
    case = next(c for c in corpus.cases() if c.name == "横州镇竹塘村摘牌台账.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(case.data))
    ws = workbook.worksheets[0]
    for cell in ws[1]:
        if cell.value == "牌子内容":
            cell.value = "上面写的字"
    out = io.BytesIO()
    workbook.save(out)
    case.data = out.getvalue()
    return case


@pytest.fixture
def township(fixtures_loaded, make_user):
    town = Town.objects.get(code=corpus.TOWN_CODE)
    for code, name in corpus.VILLAGES:
        kind = VillageKind.COMMUNITY if name.endswith("社区") else VillageKind.VILLAGE
        Village.objects.create(town=town, code=code, name=name, kind=kind)
    make_user("staff_ledger", role=roles.TOWN_STAFF, town=town)
    return town


def test_a_messy_ledger_is_mapped_previewed_and_imported(page, live_server, township, screenshot):
    case = messy_ledger()
    sign_in(page, live_server, "staff_ledger")
    page.goto(f"{live_server.url}/t/{corpus.TOWN_CODE}/import/")
    page.get_by_test_id("import-file").set_input_files(
        {"name": case.name, "mimeType": "application/octet-stream", "buffer": case.data}
    )
    page.get_by_role("button", name="检查文件").click()

    expect(page.get_by_test_id("mapping-form")).to_be_visible()
    columns = page.get_by_test_id("mapping-column")
    title = columns.filter(has_text="上面写的字")
    expect(title).to_contain_text("前几个值")
    title.locator("select").select_option("title")
    page.a11y.wait(page)
    screenshot("import-mapping")
    page.get_by_test_id("mapping-save").click()

    expect(page.get_by_test_id("import-summary")).to_be_visible()
    truth = case.truth
    removed = sum(1 for row in truth if row["removed_on"])
    expect(page.get_by_test_id("count-signs")).to_have_text(str(len(truth)))
    expect(page.get_by_test_id("count-removals")).to_have_text(str(removed))
    page.a11y.wait(page)
    screenshot("import-preview")
    page.get_by_test_id("confirm-import").click()

    expect(page.locator(".alert-success")).to_contain_text("导入完成")
    assert Signboard.objects.count() == len(truth)
    assert Removal.objects.count() == removed
    assert LedgerLayout.objects.filter(town=township).count() == 1


def test_a_workbook_of_village_sheets_imports_the_ticked_ones(
    page, live_server, township, screenshot
):
    case = next(c for c in corpus.cases() if "分村" in c.name)
    sign_in(page, live_server, "staff_ledger")
    page.goto(f"{live_server.url}/t/{corpus.TOWN_CODE}/import/")
    page.get_by_test_id("import-file").set_input_files(
        {"name": case.name, "mimeType": "application/octet-stream", "buffer": case.data}
    )
    page.get_by_role("button", name="检查文件").click()
    choice = page.get_by_test_id("sheet-choice")
    expect(choice).to_be_visible()
    choice.get_by_label("石井村").uncheck()
    choice.get_by_role("button", name="只看勾选的工作表").click()
    expect(page.get_by_test_id("sheet-choice").get_by_label("石井村")).not_to_be_checked()
    wanted = [r for r in case.truth if r["village"] != "石井村"]
    expect(page.get_by_test_id("count-signs")).to_have_text(str(len(wanted)))
    page.a11y.wait(page)
    screenshot("import-sheets")
    page.get_by_test_id("confirm-import").click()
    expect(page.locator(".alert-success")).to_contain_text("导入完成")
    assert not Signboard.objects.filter(village__name="石井村").exists()
    assert Signboard.objects.count() == len(wanted)
