"""Browser tests: Playwright's sync API driving Debian's Chromium, with axe-core on every page.

How to write one (or use the ``browse`` fixture's visit/click/submit steps)::

    pytestmark = pytest.mark.django_db(transaction=True)

    def test_something(page, live_server):
        visit(page, "/cookies/")                       # opens the page and runs axe on it
        page.get_by_role("button", name="Send").click()  # a navigation: checked automatically
        assert page.locator("h1").inner_text() == "..."

``page`` is a checked page: every new document it loads (``goto``, a link followed, a form
sent, a redirect) is checked with axe before the test touches the page again, and at the end
of the test. A serious or critical axe violation, a Content-Security-Policy violation, a
JavaScript error or a failed request for one of our own files fails the test. There is no way
to visit a page that escapes the check; ``checked.raw`` is the bare Playwright page for the
rare call that must not trigger a check (a download, say).

One browser for the whole session; a fresh context (cookies, storage) per test.
``E2E_SCREENSHOTS=/tmp/shots pytest e2e`` saves a full-page screenshot of every page checked.
Chromium is Debian's (/usr/bin/chromium, ``apt-get install -y chromium``): Playwright never
downloads a browser here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Request, sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django refuses database access
# from a thread with a running loop unless told this is safe (it is: nothing is async here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# E2E_SCREENSHOTS=some/folder saves a full-page screenshot of every page checked.
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
_axe = Axe()


class PageProblem(AssertionError):
    """A page failed its checks (axe, CSP, a script error or a missing file)."""


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium` "
            "(or set CHROMIUM_PATH)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class CheckedPage:
    """A Playwright ``Page`` that checks every document it loads (see the module docstring).

    Everything not defined here is the Playwright page's own attribute; touching any of them
    first checks a document that has loaded since the last check.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.raw = page
        self.base_url = base_url
        self.loaded: list[str] = []  # every document loaded, in order
        self.checked: list[str] = []  # every document checked with axe
        self.axe_reports: list[dict[str, Any]] = []
        self._pending = False
        self._problems: list[str] = []
        page.on("load", self._on_load)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._problems.append(f"JavaScript error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    # -- events ---------------------------------------------------------------------------
    def _on_load(self, page: Page) -> None:
        self.loaded.append(page.url)
        self._pending = True

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self._problems.append(f"CSP violation on {self.raw.url}: {text}")

    def _on_request_failed(self, request: Request) -> None:
        if request.url.startswith(self.base_url):
            self._problems.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response: Any) -> None:
        request = response.request
        own = response.url.startswith(self.base_url)
        if own and request.resource_type != "document" and response.status >= 400:
            self._problems.append(f"{response.status} for {response.url} on {self.raw.url}")

    # -- checks ---------------------------------------------------------------------------
    def check(self) -> None:
        """Check the current document now: axe, CSP, script errors, failed requests."""
        self._pending = False
        page = self.raw
        page.wait_for_load_state("load")
        results = _axe.run(self.axe_target(), options=AXE_OPTIONS)
        violations = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        self.checked.append(page.url)
        if SCREENSHOTS:
            self._screenshot()
        self.axe_reports.append({"url": page.url, "violations": violations})
        problems, self._problems = self._problems, []
        for v in violations:
            targets = "; ".join(str(n["target"][0]) for n in v["nodes"][:3] if n["target"])
            problems.append(
                f"axe {v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])} nodes: {targets})"
            )
        if problems:
            raise PageProblem(f"problems on {page.url}:\n  " + "\n  ".join(problems))

    def axe_target(self) -> Page:
        return self.raw

    def _screenshot(self) -> None:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", self.raw.url.removeprefix(self.base_url).lower())
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0].split("::")[-1]
        stem = re.sub(r"[^a-z0-9]+", "-", f"{test}-{len(self.checked)}{name}".lower())
        self.raw.screenshot(path=folder / f"{stem.strip('-')}.png", full_page=True)

    def check_pending(self) -> None:
        if self._pending:
            self.check()

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not defined on CheckedPage: the Playwright page's.
        self.check_pending()
        return getattr(self.raw, name)


def visit(page: CheckedPage, path: str, *, status: int | None = 200) -> CheckedPage:
    """Open ``path`` (relative to the live server), assert its HTTP status, check it."""
    response = page.raw.goto(page.base_url + path)
    assert response is not None, f"no response for {path}"
    if status is not None:
        assert response.status == status, f"{path} answered {response.status}, not {status}"
    page.check()
    return page


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[CheckedPage]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    checked = CheckedPage(context.new_page(), live_server.url)
    yield checked
    try:
        checked.check_pending()
    finally:
        context.close()
    unchecked = [url for url in checked.loaded if url not in checked.checked]
    if unchecked:
        pytest.fail(f"pages loaded but never checked with axe: {unchecked}")


class NoScriptCheckedPage(CheckedPage):
    """A checked page with JavaScript off. axe needs JavaScript, so each document is checked
    as a copy: its HTML, as this browser sees it, loaded (scripts blocked) into a helper page
    of a JavaScript-enabled context."""

    def __init__(self, page: Page, base_url: str, helper: Page) -> None:
        super().__init__(page, base_url)
        self.helper = helper

    def axe_target(self) -> Page:
        html = self.raw.content().replace("<head>", f'<head><base href="{self.raw.url}">', 1)
        self.helper.set_content(html, wait_until="load")
        return self.helper


class Browse:
    """The step-by-step style: ``browse.visit(path)``, ``browse.submit(locator)``,
    ``browse.click(locator)``; each waits for the new page and checks it, and returns the
    (checked) page."""

    def __init__(self, page: CheckedPage) -> None:
        self.page = page
        self.base_url = page.base_url

    def visit(self, path: str, *, status: int | None = None) -> CheckedPage:
        return visit(self.page, path, status=status)

    def click(self, target: Locator | str) -> CheckedPage:
        raw = self.page.raw
        locator = raw.locator(target) if isinstance(target, str) else target
        with raw.expect_navigation():
            locator.click()
        self.page.check()
        return self.page

    submit = click

    def check_here(self) -> None:
        """Check the current page now (say, after a download that stays on the page)."""
        self.page.check()


@pytest.fixture
def browse(page: CheckedPage) -> Browse:
    return Browse(page)


@pytest.fixture
def no_js_page(browser: Browser, live_server: Any) -> Iterator[CheckedPage]:
    """The same as ``page`` with JavaScript turned off: every page must work without it."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    helper_context = browser.new_context(base_url=live_server.url)
    helper_context.route("**/*.js", lambda route: route.abort())
    checked = NoScriptCheckedPage(context.new_page(), live_server.url, helper_context.new_page())
    yield checked
    try:
        checked.check_pending()
    finally:
        context.close()
        helper_context.close()
    unchecked = [url for url in checked.loaded if url not in checked.checked]
    if unchecked:
        pytest.fail(f"pages loaded but never checked with axe: {unchecked}")


@pytest.fixture
def wagtail_root(transactional_db: Any) -> Any:
    """Wagtail's locale and root page. They come from data migrations, which a transactional
    test's flush wipes, so a test that builds CMS pages asks for them again."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    return root


def sign_in(page: CheckedPage, user: Any) -> None:
    """Give the browser a signed-in session for ``user`` (no sign-in form, no two factors)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.raw.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": page.base_url}]
    )
