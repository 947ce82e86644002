"""The knowledge-base picker in a real browser: the list, questions and uploads follow the chosen knowledge base."""

from __future__ import annotations

import re

import pytest

from tests.server.conftest import kb_settings, kb_store  # noqa: F401  (kb_store is a fixture)
from tests.web.conftest import DESKTOP, open_page

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def kb_server(kb_store, tmp_path_factory):  # noqa: F811
    from huiyi.server.app import create_app
    from tests.support.live import live_server

    with live_server(create_app(kb_settings(kb_store, tmp_path_factory.mktemp("kbweb")))) as base:
        yield base + "/"


@pytest.fixture
def page(browser, kb_server):
    context, pg = open_page(browser, kb_server, DESKTOP)
    yield pg
    context.close()
    assert not pg.outside_requests and not [e for e in pg.js_errors if "status of 4" not in e]


def test_picking_a_kb_scopes_list_questions_and_uploads(page):
    select = page.locator("#kb-select")
    expect(select.locator("option")).to_have_count(4)  # 全部报告, 未分类, 衡东县, 雁峰区
    expect(page.locator("#doc-list .doc")).to_have_count(5)
    select.select_option("雁峰区")
    expect(page.locator("#doc-list .doc")).to_have_count(1)
    page.fill("#question", "衡东县上半年GDP增长多少?")
    with page.expect_request(re.compile(r"/ask/stream$")) as req:
        page.press("#question", "Enter")
    assert req.value.post_data_json["filters"] == {"kbs": ["雁峰区"]}
    bubble = page.locator(".turn-assistant").last
    expect(bubble.locator(".answer")).to_have_attribute("aria-busy", "false")
    expect(bubble.locator(".answer")).not_to_contain_text("5.9")
    page.set_input_files("#file-input", files=[{"name": "雁山县全会.txt", "mimeType": "text/plain",
                                               "buffer": "雁山县召开全会。会议审议通过了工作报告。".encode()}])
    expect(page.locator("#doc-list .doc")).to_have_count(2)
    expect(select.locator("option", has_text="雁峰区(2)")).to_have_count(1)
    page.reload()
    expect(page.locator("#kb-select")).to_have_value("雁峰区")  # the choice survives a reload
    expect(page.locator("#doc-list .doc")).to_have_count(2)
    page.locator("#kb-select").select_option("")
    expect(page.locator("#doc-list .doc")).to_have_count(6)
