"""一村一本: the book's contents on a hand-built village, the print page and the PDF."""

import datetime as dt
import logging
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import ImageFile

from signs import book_pdf, selectors
from signs import services as signs_services
from signs.models import ApprovedItem, BookCopy, Standard
from villages import roles
from villages.models import Village


@pytest.fixture
def book_village(village, staff):
    """城东村: 党员活动室 hung in 二楼 (retained) and again in 三楼 (a duplicate),
    警务室 taken down; copy No. 3 of the example edition."""
    item = {i.title: i for i in ApprovedItem.objects.filter(standard__is_current=True)}
    for title, location in (("党员活动室", "二楼"), ("党员活动室", "三楼"), ("警务室", "一楼")):
        signs_services.signboard_create(
            village=village, user=staff, kind="plaque", title=title, location=location,
            approved_item=item[title], inventoried_on=dt.date(2024, 1, 2),
        )  # fmt: skip
    police = village.signboards.get(title="警务室")
    signs_services.removal_record(
        signboard=police, user=staff, removed_on=dt.date(2024, 3, 1), reason="damaged"
    )
    BookCopy.objects.create(
        standard=Standard.objects.get(is_current=True), number=3, village=village,
        handed_over_on=dt.date(2024, 1, 8), received_by="王书记",
    )  # fmt: skip
    return village


def test_the_book_of_a_village(book_village):
    [book] = selectors.books([book_village])
    assert book.copy_number == 3
    assert len(book.rules) == 19 and len(book.plaques) == 21
    held = {entry.item.title: entry.rooms for entry in book.plaques if entry.held}
    assert held == {"党员活动室": ["二楼"]}  # the duplicate is not the plaque the book names
    lacking = [entry.item.title for entry in book.lacking]
    assert "警务室" in lacking and len(lacking) == 20


def test_a_village_without_inventory_lacks_every_plaque(village):
    [book] = selectors.books([village])
    assert book.copy_number is None and len(book.lacking) == 21


def test_print_page_shows_the_text_or_says_it_is_missing(client, staff, book_village):
    ApprovedItem.objects.filter(title="村规民约").update(body="")
    client.force_login(staff)
    page = client.get(reverse("village_book", args=[book_village.code])).content.decode()
    assert "城东村" in page and "第 3 册" in page and "四议两公开工作法" in page
    assert "【示例文本，非正式条文】" in page and "正文待补充" in page
    assert "本村所在：二楼" in page and "主管部门：市公安局" in page


def test_the_book_pages_answer_only_their_own_township(
    client, staff, other_town, make_user, book_village
):
    url = reverse("village_book", args=[book_village.code])
    assert client.get(url).status_code == 302  # anonymous: the login page
    other = make_user("staff_other", role=roles.TOWN_STAFF, town=other_town)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("town_books", args=[book_village.town.code])).status_code == 404


def test_township_page_queries_do_not_grow_with_villages(
    client, staff, town, book_village, django_assert_max_num_queries
):
    Village.objects.bulk_create(
        Village(town=town, code=f"4501811003{n:02d}", name=f"新村{n}") for n in range(30)
    )
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("town_books", args=[town.code]))
    assert page.content.decode().count('class="book-cover"') == 31


needs_pdf = pytest.mark.skipif(
    book_pdf.unavailable_reason() is not None or not shutil.which("pdftotext"),
    reason="WeasyPrint with Pango, and poppler-utils, are installed by .ci/run",
)


@needs_pdf
def test_township_pdf_has_one_cover_per_village_and_extractable_text(
    client, staff, town, book_village, tmp_path, caplog
):
    Village.objects.create(town=town, code="450181100202", name="竹塘村")
    client.force_login(staff)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    response = client.get(reverse("town_books_pdf", args=[town.code]))
    assert not caplog.records, [r.getMessage() for r in caplog.records]  # every rule understood
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    pdf = tmp_path / "books.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    text = text.decode().replace(" ", "")
    assert text.count("第3册") == 1 and text.count("第____册") == 1  # one cover per village
    for words in ("城东村", "竹塘村", "四议两公开工作法", "村规民约", "本村尚缺的功能室牌子"):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout
    lines = [line for line in fonts.decode().splitlines()[2:] if line.strip()]
    assert any("CJK" in line for line in lines)
    assert all(line.split()[-5] == "yes" for line in lines)  # every font embedded (emb)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # WeasyPrint's import did not loosen it


def test_without_pango_the_print_page_says_so_and_the_pdf_is_refused(
    client, staff, book_village, monkeypatch
):
    monkeypatch.setattr(book_pdf, "_weasyprint", lambda: "missing-pango")
    client.force_login(staff)
    page = client.get(reverse("village_book", args=[book_village.code]))
    assert "缺少系统的 Pango 排版库" in page.content.decode()
    assert 'data-testid="book-pdf"' not in page.content.decode()
    refused = client.get(reverse("village_book_pdf", args=[book_village.code]))
    assert refused.status_code == 503 and "Pango" in refused.content.decode()
