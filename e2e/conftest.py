"""Browser tests: Playwright driving Debian's Chromium, with axe-core on every page visited.

Every navigation a test causes must be checked with axe: use ``browse.visit(url)`` to open a
page and ``browse.submit(locator)`` / ``browse.click(locator)`` to follow a form or link; each
runs axe on the page it lands on and fails on any serious or critical violation. A navigation
made any other way fails the test at teardown, so no page escapes the check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Browse:
    page: Page
    base_url: str
    checked: set[str] = field(default_factory=set)
    navigated: list[str] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)

    def _check(self) -> None:
        self.page.wait_for_load_state("load")
        results = _axe.run(self.page)
        violations = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        self.reports.append({"url": self.page.url, "violations": len(violations)})
        self.checked.add(self.page.url)
        if violations:
            lines = [
                f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])} nodes: "
                + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
                + ")"
                for v in violations
            ]
            pytest.fail(f"axe found problems on {self.page.url}:\n" + "\n".join(lines))

    def visit(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self._check()
        return self.page

    def click(self, target: Locator | str) -> Page:
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            locator.click()
        self._check()
        return self.page

    submit = click

    def check_here(self) -> None:
        """Check a page reached some other way (for example a file download that stays put)."""
        self._check()


@pytest.fixture
def browse(browser: Browser, live_server: Any) -> Iterator[Browse]:
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    helper = Browse(page=page, base_url=live_server.url)
    page.on(
        "framenavigated",
        lambda frame: helper.navigated.append(frame.url) if frame == page.main_frame else None,
    )
    yield helper
    context.close()
    unchecked = [url for url in helper.navigated if url not in helper.checked]
    if unchecked:
        pytest.fail(f"pages visited without an axe check: {unchecked}")
