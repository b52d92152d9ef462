"""Browser fixtures: the hostile fixture site built once, served on 127.0.0.1, and headless
Debian chromium driven by Playwright's sync API.

Set KB_BROWSER_SITE to a built site to run the tests against it instead of the fixture.

`playwright install` cannot work offline, so the system browser is launched by path. Every
page fixture records console errors, dialogs and requests; requests to any host other than the
local server are aborted and reported, and a screenshot of each test's last page is kept in
test-artifacts/browser/.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kb.site import search
from kb.site.build import build_site
from tests.conftest import REPO

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
SITE_KB = REPO / "tests" / "fixtures" / "site"
ARTIFACTS = REPO / "test-artifacts" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site, or the built site named by KB_BROWSER_SITE (the benchmarks run
    tests/browser/test_weight.py against a site of 100,000 synthetic papers)."""
    given = os.environ.get("KB_BROWSER_SITE")
    if given:
        return Path(given)
    base = tmp_path_factory.mktemp("browser-site")
    # NOTE: one paper a search bundle, so that every search test goes through the merging of
    # bundles that a knowledge base of more than PAGES_PER_BUNDLE papers needs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAGES_PER_BUNDLE", 1)
        outcome = build_site(SITE_KB, base / "site", base / "docs")
    assert not isinstance(outcome, list), [p.render() for p in outcome]
    return outcome.output


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (bash scripts/test installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that a test may not want: errors, dialogs, requests elsewhere."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(
    browser: Any, base_url: str, watch: Watch, request: pytest.FixtureRequest
) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))

    def route(handled: Any) -> None:
        if handled.request.url.startswith(base_url):
            handled.continue_()
        else:
            watch.foreign.append(handled.request.url)
            handled.abort()

    context.route("**/*", route)
    opened = context.new_page()
    opened.on(
        "console",
        lambda message: watch.errors.append(message.text) if message.type == "error" else None,
    )
    opened.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))

    def dialog(shown: Any) -> None:
        watch.dialogs.append(shown.message)
        shown.dismiss()

    opened.on("dialog", dialog)
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    try:
        opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert watch.errors == [], "console errors"
    assert watch.dialogs == [], "a dialog opened: a script from the records ran"
    assert watch.foreign == [], "requests left localhost"
