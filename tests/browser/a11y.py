"""Every page a browser test opens is checked for accessibility, not only the pages a test names.

axe-core (npm, the WCAG 2.1 A/AA rule set) is added to each context as an init script, so it is
present on every document before the page's own scripts and outside the Content Security Policy.
On each load the page checks itself and reports through a binding: serious or critical axe
violations, and at phone width the targets a finger uses that are under 44×44 CSS px (WCAG
2.5.5) and any sideways scroll. A page the test left before its check came back is opened again
at the end and checked then, so a fast test cannot skip a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# The rule set of docs/accessibility.md: WCAG 2.0 and 2.1, levels A and AA (GB/T 37668-2019).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
MIN_TARGET_PX = 44
PHONE_MAX_WIDTH = 575  # Bootstrap's `sm` breakpoint: the phone layout

CHECK_JS = Path(__file__).with_name("a11y_check.js")
CONFIG_JS = "window.__hzA11yConfig = " + json.dumps(
    {
        "TAGS": AXE_TAGS,
        "IMPACTS": list(FAILING_IMPACTS),
        "MIN": MIN_TARGET_PX,
        "PHONE": PHONE_MAX_WIDTH,
    }
)


@dataclass
class A11yWatch:
    """What the pages of one browser context reported, and the pages that loaded."""

    reports: dict[str, dict] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.add_init_script(path=str(AXE))
        context.add_init_script(script=CONFIG_JS)
        context.add_init_script(path=str(CHECK_JS))
        context.expose_binding("hzA11yReport", lambda _source, report: self._report(report))

    def _report(self, report: dict) -> None:
        self.reports[report["url"]] = report

    @staticmethod
    def wait(page) -> None:
        """Wait until the page in front has checked itself and reported (a crawler does, so
        that no page has to be opened again at the end)."""
        page.wait_for_function("() => window.__hzA11yDone === true")

    def watch(self, page) -> None:
        page.on("load", lambda p: self.loaded.append(p.url))

    def problems(self, context) -> list[str]:
        """Check the pages that loaded but did not report, then list every problem found."""
        unchecked = [u for u in dict.fromkeys(self.loaded) if u not in self.reports]
        unchecked = [u for u in unchecked if u.startswith("http") and not _is_file(u)]
        if unchecked:
            page = context.new_page()
            for url in unchecked:
                response = page.goto(url)
                if response and "text/html" in (response.headers.get("content-type") or ""):
                    self._report({**page.evaluate("window.__hzA11y()"), "url": url})
            page.close()
        found = []
        for url, report in self.reports.items():
            found += [f"{url}: {v}" for v in report["violations"]]
            found += [f"{url}: tap target under 44 px: {s}" for s in report["small"]]
            if report["overflow"]:
                found.append(f"{url}: scrolls sideways ({report['overflow']} px wide)")
        return found


def _is_file(url: str) -> bool:
    return url.split("?")[0].rsplit(".", 1)[-1].lower() in {"jpg", "jpeg", "png", "svg", "xlsx"}
