"""Access control over HTTP: the auth matrix (every route × no/wrong/read/write/admin key), key storage,
loopback-only without keys, cross-site writes and CORS."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from huiyi.server.app import create_app
from huiyi.server.auth import KeyRing, hash_key
from tests.support.live import live_server

KEYS = {"read": "r-" + "1" * 30, "write": "w-" + "2" * 30, "admin": "a-" + "3" * 30}
SEED = "000_4803b7c4fa62c0f1"
TEXT = {"text": "某镇召开会议。会议要求,抓好落实。", "title": "某镇会议"}

CHAT = {"model": "huiyi", "messages": [{"role": "user", "content": "衡东县上半年GDP增长多少?"}]}
DIFY = {"knowledge_id": "huiyi", "query": "GDP增长", "retrieval_setting": {"top_k": 3, "score_threshold": 0.0}}
MCP_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "matrix", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
# (method, path template as in the OpenAPI, scope, request kwargs); "{doc}" is a stored document, "{job}" a job id.
ROUTES = [
    ("GET", "/documents", "read", {}),
    ("GET", "/documents/{doc}", "read", {}),
    ("GET", "/documents/{doc}/text", "read", {}),
    ("GET", "/documents/{doc}/summary", "read", {}),
    ("GET", "/search", "read", {"params": {"q": "经济"}}),
    ("GET", "/indicators", "read", {"params": {"name": "GDP"}}),
    ("POST", "/ask", "read", {"json": {"question": "衡东县上半年GDP增长多少?"}}),
    ("POST", "/ask/stream", "read", {"json": {"question": "衡东县上半年GDP增长多少?"}}),
    ("GET", "/jobs/{job}", "read", {}),
    ("GET", "/kbs", "read", {}),
    ("GET", "/v1/models", "read", {}),
    ("GET", "/v1/models/huiyi", "read", {}),
    ("POST", "/v1/chat/completions", "read", {"json": CHAT}),
    ("POST", "/retrieval", "read", {"json": DIFY}),
    ("POST", "/mcp", "read", {"json": MCP_INIT, "headers": MCP_HEADERS}),
    ("POST", "/documents", "write", {"json": TEXT}),
    ("PUT", "/documents/{doc}", "write", {"json": TEXT}),
    ("DELETE", "/documents/d_0000000000000000", "write", {}),
    ("PUT", "/kbs/矩阵库/documents/{doc}", "write", {}),
    ("DELETE", "/kbs/矩阵库/documents/{doc}", "write", {}),
    ("GET", "/keys", "admin", {}),
    ("POST", "/keys", "admin", {"json": {"scope": "read", "name": "matrix"}}),
    ("DELETE", "/keys/000000000000", "admin", {}),
]
TEMPLATES = {"/documents/d_0000000000000000": "/documents/{doc_id}", "/kbs/矩阵库/documents/{doc}": "/kbs/{kb}/documents/{doc_id}",
             "/keys/000000000000": "/keys/{key_id}", "/v1/models/huiyi": "/v1/models/{model}", "/jobs/{job}": "/jobs/{job_id}"}
PUBLIC = [("GET", "/healthz"), ("GET", "/openapi.json"), ("GET", "/")]
RANK = {"read": 0, "write": 1, "admin": 2}


@pytest.fixture(scope="module")
def keyed(seeded_store, tmp_path_factory):
    import shutil

    from huiyi.config import Settings

    root = tmp_path_factory.mktemp("keyed")
    shutil.copytree(seeded_store, root / "data")
    key_file = root / "keys.txt"
    settings = Settings(data_dir=root / "data", ingest_seeds_on_start=False, openai_api_key=None, openai_base_url=None,
                        llm_model=None, api_keys=f"read:{KEYS['read']},write:{KEYS['write']}", api_key_file=key_file)
    KeyRing(settings)  # nothing to load yet
    ring = KeyRing(settings)
    admin_secret, _ = ring.add("admin", "ops")
    KEYS["admin"] = admin_secret
    app = create_app(settings)
    with live_server(app, lifespan="on") as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            docs = client.get("/documents", headers=_auth("read")).json()["documents"]
            doc = next(d["id"] for d in docs if d["source"] == SEED + ".txt")
            job = client.post("/documents", json=TEXT, headers=_auth("write")).json()["id"]
            yield client, {"doc": doc, "job": job}, app, key_file


def _auth(who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    if who == "wrong":
        return {"Authorization": "Bearer not-a-key"}
    return {"Authorization": f"Bearer {KEYS[who]}"}


def test_the_matrix_covers_every_route(keyed):
    _, _, app, _ = keyed
    listed = {(m, p) for m, p, _, _ in ROUTES} | set(PUBLIC)
    templates = {(m, TEMPLATES.get(p, p).replace("{doc}", "{doc_id}")) for m, p in listed}
    for path, ops in app.openapi()["paths"].items():
        for method in ops:
            assert (method.upper(), path) in templates, f"add {method.upper()} {path} to the auth matrix"


@pytest.mark.parametrize(("method", "path", "scope", "kwargs"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
@pytest.mark.parametrize("who", [None, "wrong", "read", "write", "admin"])
def test_auth_matrix(keyed, method, path, scope, kwargs, who):
    client, ids, _, _ = keyed
    url = path.format(**ids)
    kwargs = dict(kwargs)
    headers = {**kwargs.pop("headers", {}), **_auth(who)}
    r = client.request(method, url, headers=headers, **kwargs)
    if who in (None, "wrong"):
        assert KEYS["read"] not in r.text and "not-a-key" not in r.text
        if path == "/retrieval":  # Dify's protocol: 403 with 1001 (no Bearer header) or 1002 (refused)
            assert r.status_code == 403 and r.json()["error_code"] == (1001 if who is None else 1002), r.text
            return
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        other = {**headers, **_auth("wrong")} if who is None else {k: v for k, v in headers.items() if k != "Authorization"}
        assert r.json() == client.request(method, url, headers=other, **kwargs).json()  # one body for missing and wrong
        if path.startswith("/v1"):
            assert r.json()["error"]["code"] == "invalid_api_key"  # OpenAI's shape, so SDKs raise AuthenticationError
    elif RANK[who] < RANK[scope]:
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "insufficient_scope" and scope in r.headers["www-authenticate"]
    else:
        assert r.status_code not in (401, 403) and r.status_code < 500, (r.status_code, r.text)


def test_public_routes_need_no_key(keyed):
    client, _, _, _ = keyed
    for method, path in PUBLIC:
        assert client.request(method, path).status_code == 200, path
    assert client.get("/healthz").json()["auth"] == "api_key"


def test_keys_are_hashed_at_rest_and_managed_by_admins(keyed):
    client, _, _, key_file = keyed
    stored = key_file.read_text(encoding="utf-8")
    assert KEYS["admin"] not in stored and hash_key(KEYS["admin"]) in stored
    created = client.post("/keys", json={"scope": "write", "name": "ci"}, headers=_auth("admin"))
    assert created.status_code == 201
    secret = created.json()["key"]
    assert secret not in key_file.read_text(encoding="utf-8")
    assert hashlib.sha256(secret.encode()).hexdigest() in key_file.read_text(encoding="utf-8")
    listed = client.get("/keys", headers=_auth("admin")).json()["keys"]
    assert {k["scope"] for k in listed} >= {"read", "write", "admin"}
    assert all(len(k["id"]) == 12 and "key" not in k for k in listed)
    headers = {"X-API-Key": secret}
    assert client.post("/documents", json={"text": "新密钥上传。会议要求,抓好落实。"}, headers=headers).status_code == 202
    assert client.delete(f"/keys/{created.json()['id']}", headers=_auth("admin")).status_code == 204
    assert client.get("/documents", headers=headers).status_code == 401  # revoked at once, no restart


def test_without_keys_only_loopback_clients_are_served(seeded_settings):
    import asyncio

    default_app = create_app(seeded_settings)

    async def call(client_addr, app=default_app):
        transport = httpx.ASGITransport(app=app, client=(client_addr, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get("/documents")

    far = asyncio.run(call("203.0.113.7"))
    assert far.status_code == 403 and far.json()["code"] == "loopback_only"
    assert asyncio.run(call("127.0.0.1")).status_code == 200
    seeded_settings.allow_open_bind = True
    assert asyncio.run(call("203.0.113.7", create_app(seeded_settings))).status_code == 200


def test_serve_refuses_a_public_bind_without_keys(seeded_settings, monkeypatch):
    from typer.testing import CliRunner

    from huiyi.cli import app as cli

    monkeypatch.setenv("HUIYI_DATA_DIR", str(seeded_settings.data_dir))
    monkeypatch.delenv("HUIYI_API_KEYS", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code != 0
    assert "HUIYI_API_KEYS" in result.output and "HUIYI_ALLOW_OPEN_BIND" in result.output


@pytest.fixture
def open_api(seeded_settings):
    seeded_settings.cors_origins = ["https://intranet.example"]
    with live_server(create_app(seeded_settings)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client, base


def test_cross_site_writes_are_refused(open_api):
    client, base = open_api
    files = {"file": ("伪造.txt", "跨站上传的内容。会议要求,抓好落实。".encode(), "text/plain")}
    before = client.get("/documents").json()
    evil = client.post("/documents", files=files, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["code"] == "cross_site_forbidden"
    assert client.post("/documents", files=files, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/documents", files=files, headers={"Origin": "null"}).status_code == 403
    doc = before["documents"][0]["id"]
    assert client.delete(f"/documents/{doc}", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/ask", json={"question": "GDP?"}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.get("/documents").json() == before  # nothing changed
    # Our own page, an allowed origin, and non-browser clients (no Origin) may write.
    assert client.post("/documents", files=files, headers={"Origin": base}).status_code == 202
    assert client.post("/documents", json=TEXT, headers={"Origin": "https://intranet.example"}).status_code == 202
    assert client.post("/documents", json={"text": "无来源头的客户端。会议要求,抓好落实。"}).status_code == 202


def test_cors_allow_list(open_api, seeded_settings):
    client, _ = open_api
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    ok = client.options("/ask", headers={"Origin": "https://intranet.example", **pre})
    assert ok.headers.get("access-control-allow-origin") == "https://intranet.example"
    bad = client.options("/ask", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers
    plain = client.get("/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_no_cors_by_default(api_default):
    r = api_default.get("/documents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


@pytest.fixture
def api_default(seeded_settings):
    with live_server(create_app(seeded_settings)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client


def test_a_key_limited_to_a_knowledge_base_stays_inside_it(keyed):
    client, ids, _, key_file = keyed
    admin = _auth("admin")
    assert client.put(f"/kbs/限定库/documents/{ids['doc']}", headers=admin).status_code == 200
    created = client.post("/keys", json={"scope": "write", "name": "kb", "kbs": ["限定库"]}, headers=admin).json()
    assert created["kbs"] == ["限定库"] and "kbs=限定库" in key_file.read_text(encoding="utf-8")
    limited = {"Authorization": f"Bearer {created['key']}"}
    docs = client.get("/documents", headers=limited).json()["documents"]
    assert [d["id"] for d in docs] == [ids["doc"]]
    other = next(d["id"] for d in client.get("/documents", headers=admin).json()["documents"] if d["id"] != ids["doc"])
    assert client.get(f"/documents/{other}/text", headers=limited).status_code in (403, 404)
    assert client.delete(f"/documents/{other}", headers=limited).status_code in (403, 404)
    up = client.post("/documents", params={"wait": 60}, json={"text": "限定库的新报告。会议要求抓好落实。"}, headers=limited)
    assert up.status_code == 201 and up.json()["result"]["document"]["kbs"] == ["限定库"]
    assert client.post("/documents", json={"text": "别的库。会议要求抓好落实。", "kb": "别的库"}, headers=limited).status_code == 403
