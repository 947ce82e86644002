"""A stand-in service for working on the page before the index exists (dev only, not used by tests).

Serves the real routers and static folder through `create_app(service=...)`, with a toy service:
    .venv/bin/python -m tests.web.dev_stub  → http://127.0.0.1:8765/
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

from huiyi.config import Settings
from huiyi.errors import NotFound, UnsupportedFormat
from huiyi.index.records import Document, DocumentMeta, DocumentRecord

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


class _Result:
    def __init__(self, status, record):
        self.status, self.record = status, record


class StubService:
    def __init__(self):
        self.settings = Settings(data_dir=Path("/tmp/huiyi-stub"))
        self.docs: dict[str, Document] = {}
        for p in sorted(SEEDS.glob("*.txt")):
            self._add(p.read_text("utf-8"), p.stem)

    def _add(self, text: str, stem: str) -> _Result:
        title = next((ln for ln in text.splitlines() if ln.strip()), stem)[:40]
        status = "unchanged" if stem in self.docs else "added"
        meta = DocumentMeta(title=title, date_text="7月28日", date_iso=dt.date(2023, 7, 28), region="衡东县")
        self.docs[stem] = Document(id=stem, source=stem, content_hash="x", raw_hash="x", text=text, meta=meta)
        return _Result(status, self.record(stem))

    def record(self, doc_id):
        d = self.document(doc_id)
        return DocumentRecord(id=d.id, title=d.meta.title, source=d.source, date=d.meta.date_iso, date_text=d.meta.date_text,
                              region=d.meta.region, chunks=len(d.text) // 300 + 1, chars=len(d.text),
                              placeholders=d.text.count("X"), content_hash="x", ingested_at="2024-01-01T00:00:00")

    def documents(self):
        return [self.record(k) for k in self.docs]

    def document(self, doc_id):
        if doc_id not in self.docs:
            raise NotFound(f"未找到文档 {doc_id}")
        return self.docs[doc_id]

    def ingest_bytes(self, data: bytes, name: str):
        if not name.endswith((".txt", ".md")):
            raise UnsupportedFormat(f"不支持的文件格式:{name}。请上传 .txt、.md、.html、.docx 或 .pdf。")
        return self._add(data.decode("utf-8"), Path(name).stem)

    def delete(self, doc_id):
        self.document(doc_id)
        del self.docs[doc_id]

    def ask_stream(self, request):
        q = request.question
        grams = {q[i:i + 2] for i in range(len(q) - 1)}
        best = (0, None, 0, 0)
        for d in self.docs.values():
            for m in re.finditer(r"[^。\n]+[。]?", d.text):
                score = sum(g in m.group() for g in grams)
                if score > best[0]:
                    best = (score, d, m.start(), m.end())
        score, d, s, e = best
        if score < 3:
            resp = {"answer": "资料中未提及。", "status": "not_found", "citations": []}
        else:
            cit = {"doc_id": d.id, "title": d.meta.title, "quote": d.text[s:e], "start": s, "end": e, "chunk_id": f"{d.id}:0000"}
            resp = {"answer": f"{d.text[s:e][:60]}[1]", "status": "answered", "citations": [cit]}
        resp.update(mode="extractive", grounding={"checked": [], "failed": [], "ok": True}, timing={"total_ms": 12.5}, model=None, fallback=None)
        for piece in re.split(r"(?<=[,,。])", resp["answer"]):
            yield "delta", {"text": piece}
        yield "citations", {"citations": resp["citations"]}
        yield "done", resp

    def summary_export(self, doc_id, fmt):
        d = self.document(doc_id)
        cit = {"doc_id": d.id, "title": d.meta.title, "quote": d.text[:20], "start": 0, "end": 20, "chunk_id": "c"}
        s = {"doc_id": d.id, "title": d.meta.title, "date": {"text": "7月28日", "iso": "2023-07-28", "citations": [cit]},
             "speakers": [{"name": "某某", "role": "县委书记", "citations": [cit]}],
             "indicators": [{"name": "GDP", "period": "上半年", "value": "5.9", "unit": "%", "citations": [cit]}],
             "tasks": [{"text": "要盯指标", "citations": [cit]}], "placeholders": []}
        if fmt == "json":
            return json.dumps(s, ensure_ascii=False).encode(), "application/json", "s.json"
        if fmt == "md":
            return b"# summary", "text/markdown", "s.md"
        import docx

        buf = io.BytesIO()
        docx.Document().save(buf)
        return buf.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "s.docx"

    def health(self):
        return {"status": "ok", "documents": len(self.docs), "mode": "offline", "model": None, "embedder": "stub"}


if __name__ == "__main__":
    import uvicorn

    from huiyi.service.app import create_app

    svc = StubService()
    uvicorn.run(create_app(svc.settings, service=svc), host="127.0.0.1", port=8765)
