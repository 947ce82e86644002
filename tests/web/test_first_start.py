"""The page on a server's first start: it loads at once and says the reports are being indexed, then lists them."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from huiyi.config import Settings
from huiyi.core import Huiyi
from huiyi.index.embed import HashEmbedder
from huiyi.index.pipeline import Index
from huiyi.server.app import create_app
from tests.support.live import live_server
from tests.web.conftest import DESKTOP

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


class SlowEmbedder(HashEmbedder):
    def embed_passages(self, texts):
        time.sleep(0.3)
        return super().embed_passages(texts)


def test_first_start_shows_indexing_progress_then_the_documents(browser, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds, embed_batch=4, openai_api_key=None,
                        openai_base_url=None, llm_model=None)
    service = Huiyi(settings, Index.open(settings, SlowEmbedder(64)))
    with live_server(create_app(settings, service, background_start=True), lifespan="on") as base:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()
        page.goto(base + "/")
        banner = page.locator("#indexing")
        banner.wait_for(state="visible", timeout=20_000)
        assert "正在建立索引" in banner.inner_text() and "份报告" in banner.inner_text()
        banner.wait_for(state="hidden", timeout=180_000)
        page.wait_for_function("document.querySelectorAll('#doc-list .doc').length === 5", timeout=20_000)
        context.close()
