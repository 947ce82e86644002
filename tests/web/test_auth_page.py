"""The page against a server that requires API keys: it asks for one, uses it, and uploads as a job."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from huiyi.config import Settings
from tests.web.conftest import CHROMIUM_ARGS, DESKTOP  # noqa: F401 - shared browser settings

pytestmark = pytest.mark.browser
READ_KEY, WRITE_KEY = "read-key-for-the-page-test", "write-key-for-the-page-test"


@pytest.fixture(scope="module")
def keyed_server(seeded_store, tmp_path_factory):
    from huiyi.server.app import create_app
    from tests.support.live import live_server as serve

    data = tmp_path_factory.mktemp("web-auth") / "data"
    shutil.copytree(seeded_store, data)
    settings = Settings(data_dir=data, ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None,
                        llm_model=None, api_keys=f"read:{READ_KEY},write:{WRITE_KEY}")
    with serve(create_app(settings)) as base:
        yield base + "/"


def _open(browser, base):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(base)
    return context, page


def test_the_page_asks_for_a_key_then_works(browser, keyed_server, tmp_path):
    context, page = _open(browser, keyed_server)
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    page.fill("#key-input", "wrong key")
    page.click("#key-ok")
    expect(dialog).to_be_visible()  # a wrong key is asked for again
    expect(dialog).to_contain_text("密钥无效")
    page.fill("#key-input", WRITE_KEY)
    page.click("#key-ok")
    expect(page.locator("#doc-list .doc")).to_have_count(5)

    path = tmp_path / "松江镇会议.txt"
    path.write_text("松江镇召开经济工作会议。会议指出,上半年全镇工业产值增长8.1%。会议要求,狠抓项目建设。", encoding="utf-8")
    page.set_input_files("#file-input", str(path))
    row = page.locator("#upload-list .upload", has_text=path.name)
    expect(row).to_have_class(re.compile(r"\bok\b"))
    expect(row.locator(".upload-state")).to_contain_text("已收录")
    expect(page.locator("#doc-list .doc")).to_have_count(6)
    context.close()


def test_a_read_key_cannot_upload(browser, keyed_server, tmp_path):
    context, page = _open(browser, keyed_server)
    page.fill("#key-input", READ_KEY)
    page.click("#key-ok")
    expect(page.locator("#doc-list .doc").first).to_be_attached()
    path = tmp_path / "只读.txt"
    path.write_text("只读密钥不能上传。会议要求,抓好落实。", encoding="utf-8")
    page.set_input_files("#file-input", str(path))
    row = page.locator("#upload-list .upload", has_text=path.name)
    expect(row).to_have_class(re.compile(r"\bfailed\b"))
    expect(row.locator(".upload-state")).to_contain_text("权限")
    context.close()
