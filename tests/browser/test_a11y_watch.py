"""The accessibility watch every browser test runs under finds what it is meant to find."""

import pytest

from .conftest import DESKTOP, PHONE, open_page

pytestmark = pytest.mark.browser

BAD_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><title>坏页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="background:#fff">
<main><p style="color:#bbb">浅灰色的字，对比度不够</p>
<a href="/next" style="font-size:12px">小</a>
<img src="/x.png">
<div style="width:900px">太宽</div></main></body></html>"""

GOOD_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><title>好页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>标题</h1>
<a href="/next" style="display:inline-block;min-width:44px;min-height:44px">下一页</a>
</main></body></html>"""


def _serve(context, html):
    context.route(
        "http://a11y.test/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )


@pytest.mark.parametrize(
    "viewport, expected",
    [
        (PHONE, ["color-contrast", "image-alt", "tap target under 44 px", "scrolls sideways"]),
        (DESKTOP, ["color-contrast", "image-alt"]),
    ],
    ids=["phone", "desktop"],
)
def test_a_bad_page_is_reported(browser, viewport, expected):
    page = open_page(browser, "test", viewport=viewport)
    _serve(page.context, BAD_PAGE)
    page.goto("http://a11y.test/bad")
    problems = page.a11y.problems(page.context)
    page.context.close()
    text = "\n".join(problems)
    for problem in expected:
        assert problem in text, text
    if viewport is DESKTOP:
        assert "tap target" not in text and "sideways" not in text


def test_a_page_left_before_its_check_is_checked_at_the_end(browser):
    page = open_page(browser, "phone", viewport=PHONE)
    _serve(page.context, BAD_PAGE)
    page.goto("http://a11y.test/first")
    page.a11y.reports.clear()  # as if the test had moved on before the report came back
    problems = page.a11y.problems(page.context)
    page.context.close()
    assert any(p.startswith("http://a11y.test/first: serious color-contrast") for p in problems)


def test_a_good_page_passes(browser):
    page = open_page(browser, "phone", viewport=PHONE)
    _serve(page.context, GOOD_PAGE)
    page.goto("http://a11y.test/good")
    assert page.a11y.problems(page.context) == []
    page.context.close()
