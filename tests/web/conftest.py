"""Browser-test fixtures: the real app (create_app over the seeded store) under uvicorn on a loopback
port, and Debian chromium driven by Playwright. Never `playwright install`: scripts/install_browser.sh."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from huiyi.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def live_server(seeded_store, tmp_path_factory) -> Iterator[str]:
    """Base URL of the real app serving a private copy of the five seeds, offline mode."""
    from huiyi.server.app import create_app
    from tests.support.live import live_server as serve

    data = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(seeded_store, data)
    settings = Settings(
        data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None, llm_model=None
    )
    with serve(create_app(settings)) as base:
        yield base + "/"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium: run `make browser` (scripts/install_browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, base_url: str, viewport: dict):
    """A new browser context on the page, recording JS errors and any request that leaves the server."""
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)  # offline answers are fast; a cold summary can take seconds
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base_url, "data:", "blob:")) else None)
    page.js_errors, page.outside_requests = errors, outside
    page.goto(base_url)
    page.wait_for_selector("#doc-list .doc", state="attached")
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop-width tab on the page; fails the test on JS errors or any off-host request."""
    context, pg = open_page(browser, live_server, DESKTOP)
    yield pg
    context.close()
    assert not pg.outside_requests, f"the page reached outside the server: {pg.outside_requests}"
    assert not [e for e in pg.js_errors if "status of 4" not in e], f"JavaScript errors: {pg.js_errors}"


@pytest.fixture
def phone_page(browser, live_server):
    context, pg = open_page(browser, live_server, PHONE)
    yield pg
    context.close()
