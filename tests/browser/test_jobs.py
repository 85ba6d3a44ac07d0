"""我的任务/下载 in the browser: the reviewer starts the full 台账, a real RQ worker runs it, the
page's progress bar reaches 100 % by itself and the file downloads."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from signs.models import Removal, Signboard
from signs.tallies import rebuild_all_tallies
from tests.browser.conftest import sign_in
from utilities.models import Job, JobState
from villages import roles
from villages.models import Town, Village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(fixtures_loaded, make_user):
    town = Town.objects.get(code="450181100")
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    for n in range(3):
        sign = Signboard.objects.create(village=village, title=f"牌子{n}", kind="rule",
                                        inventoried_on=dt.date(2024, 1, 1))  # fmt: skip
        Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1 + n),
                               reason="no_business")  # fmt: skip
    rebuild_all_tallies()
    make_user("reviewer", role=roles.REVIEWER)


def test_the_ledger_reaches_100_percent_and_downloads(
    page, live_server, data, worker, screenshot, tmp_path
):
    sign_in(page, live_server, "reviewer")
    page.goto(live_server.url + "/dashboard/?as_of=2024-06-30")
    page.get_by_test_id("export-ledger").click()
    expect(page.get_by_test_id("job-state")).to_have_text("排队中")
    expect(page.get_by_test_id("job-percent")).to_have_text("0%")
    screenshot("job-queued")
    job = Job.objects.get()
    assert job.state == JobState.QUEUED

    worker.start()  # burst: takes the job, runs it, stops
    expect(page.get_by_test_id("job-percent")).to_have_text("100%", timeout=60_000)
    expect(page.get_by_test_id("job-state")).to_have_text("已完成")
    assert page.get_by_test_id("job-progress").evaluate("el => el.value") == 100
    download_button = page.get_by_test_id("job-download")
    expect(download_button).to_be_visible()
    screenshot("job-done")
    with page.expect_download() as download:
        download_button.click()
    assert (
        download.value.suggested_filename
        == "横州市村级组织牌子清理规范工作台账_截至2024-06-30.xlsx"
    )
    path = tmp_path / "ledger.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames[:4] == ["汇总", "村级明细", "摘牌记录", "牌子台账"]
    assert workbook["摘牌记录"]["D4"].value == "牌子0"

    page.goto(live_server.url + "/jobs/")
    expect(page.get_by_test_id("job-list")).to_contain_text("完整台账（截至 2024-06-30）")
    screenshot("jobs")
