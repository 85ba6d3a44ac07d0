"""一村一本's print page and the dashboard's department table, at 375 px and desktop width:
what a person sees, checked by the accessibility watch (axe, 44 px targets, no sideways scroll)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from signs.models import ApprovedItem, BookCopy, Department, Removal, Signboard
from signs.tallies import rebuild_all_tallies
from villages import roles
from villages.models import Town, Village

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(fixtures_loaded, make_user):
    town = Town.objects.get(code="450181100")
    village = Village.objects.create(town=town, code="450181100201", name="城东村")
    bare = Village.objects.create(town=town, code="450181100202", name="城西村")
    item = ApprovedItem.objects.get(standard__is_current=True, kind="plaque", number=3)
    Signboard.objects.create(
        village=village, title=item.title, kind="plaque", approved_item=item, location="二楼",
        inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    civil = Department.objects.get(name="市民政局")
    sign = Signboard.objects.create(
        village=village, title="社会组织服务站", kind="guidance", location="外墙",
        requested_by=civil, inventoried_on=dt.date(2024, 1, 2),
    )  # fmt: skip
    Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business")
    BookCopy.objects.create(
        standard=item.standard, number=7, village=village, handed_over_on=dt.date(2024, 5, 1),
        received_by="李书记",
    )  # fmt: skip
    rebuild_all_tallies()  # the rows above bypass the services, which keep the figures by day
    make_user("reviewer", role=roles.REVIEWER)
    return {"village": village, "bare": bare, "item": item}


def test_a_village_book_reads_and_prints(page, live_server, data, screenshot):
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/v/450181100201/book/")
    book = page.get_by_test_id("book-450181100201")
    expect(book.get_by_test_id("book-cover")).to_contain_text("城东村")
    expect(book.get_by_test_id("book-cover")).to_contain_text("第 7 册")
    expect(book).to_contain_text("二楼")  # the room of this village that holds the plaque
    toolbar = page.get_by_test_id("book-toolbar")
    expect(toolbar.get_by_test_id("book-pdf")).to_have_attribute(
        "href", "/v/450181100201/book.pdf?size=a5"
    )
    box = page.get_by_test_id("print-button").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    font = (
        book.get_by_test_id("book-cover")
        .locator("h2")
        .evaluate("el => getComputedStyle(el).fontFamily")
    )
    assert "Noto" in font or "Song" in font or "serif" in font
    page.a11y.wait(page)
    screenshot("village-book")

    page.emulate_media(media="print")  # no toolbar on paper
    expect(toolbar).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="A4 版").click()
    expect(page).to_have_url(f"{live_server.url}/v/450181100201/book/?size=a4")
    expect(page.get_by_test_id("book-pdf")).to_have_attribute(
        "href", "/v/450181100201/book.pdf?size=a4"
    )


def test_a_township_books_one_after_another(page, live_server, data, screenshot):
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/t/450181100/books/")
    expect(page.get_by_test_id("book-cover")).to_have_count(2)
    bare = page.get_by_test_id("book-450181100202")
    expect(bare.get_by_test_id("book-cover")).to_contain_text("第 ____ 册")  # no copy recorded
    page.a11y.wait(page)
    screenshot("town-books")


def test_the_dashboard_department_table(page, live_server, data, screenshot):
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/dashboard/?as_of=2024-06-30&year=2024")
    heading = page.locator("#departments")
    expect(heading).to_have_text("按部门")
    table = page.get_by_test_id("department-table")
    row = table.locator("tbody tr", has_text="市民政局")
    expect(row).to_be_visible()
    # The total sits under its column, at either width (a hidden column hides its footer).
    header = table.locator("thead th:visible")
    titles = ["".join(h.inner_text().split()) for h in header.all()]
    removed = titles.index("其要求挂的牌子已摘除")
    footer = table.locator("tfoot td:visible")
    assert footer.count() == header.count()
    assert footer.nth(removed).inner_text() == row.locator("td:visible").nth(removed).inner_text()
    assert footer.nth(removed).inner_text() == "1"
    page.a11y.wait(page)
    heading.scroll_into_view_if_needed()
    screenshot("dashboard-departments")
