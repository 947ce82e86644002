"""Per /ask over HTTP: the follow-up rewrite and the question analysis run once; no document's facts are computed."""

from __future__ import annotations

import httpx
import pytest

from huiyi.index import facts
from huiyi.qa import analysis, history
from huiyi.server.app import create_app
from tests.support.live import live_server


class Spy:
    def __init__(self, monkeypatch, module, name: str):
        self.calls = 0
        real = getattr(module, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


@pytest.fixture
def base(seeded_settings):
    with live_server(create_app(seeded_settings)) as url:
        httpx.post(url + "/ask", json={"question": "衡东县上半年GDP增长多少?"}, timeout=60)  # warm the document cache
        yield url


@pytest.mark.parametrize("body", [
    {"question": "衡东县上半年和前三季度GDP分别增长多少?"},  # a multi-part question: its parts are analysed inside
    {"question": "那前三季度呢?", "history": [{"role": "user", "content": "衡东县上半年GDP增长多少?"},
                                          {"role": "assistant", "content": "上半年,全县GDP增长5.9 %。"}]},
])
@pytest.mark.parametrize("route", ["/ask", "/ask/stream"])
def test_one_rewrite_one_analysis_no_facts_recomputed(base, monkeypatch, body, route):
    rewrite = Spy(monkeypatch, history, "rewrite_question")
    analyse = Spy(monkeypatch, analysis, "analyze")
    computed = Spy(monkeypatch, facts, "document_facts")
    response = httpx.post(base + route, json=body, timeout=60)
    assert response.status_code == 200 and ("5.7" in response.text or "5.9" in response.text)
    assert (rewrite.calls, analyse.calls) == (1, 1)
    assert computed.calls == 0


def test_the_spies_see_calls(base, monkeypatch):
    """A fresh document (not cached, no stored facts) does compute facts: the spy is wired to the real path."""
    computed = Spy(monkeypatch, facts, "document_facts")
    doc = facts.plain_document("d1", "测试", "某县上半年GDP增长5.0%。")
    assert computed.calls == 1 and doc.facts is not None
