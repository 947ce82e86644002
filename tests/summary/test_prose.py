"""纪要 prose: each sentence is fixed connecting phrases plus verbatim or trimmed spans of the cleaned text,
with no number the report does not state and no placeholder stated as a value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huiyi.cite.grounding import check_grounding
from huiyi.cite.models import Citation
from huiyi.evals.summary_score import seed_documents
from huiyi.genre.numbers import extract_numbers
from huiyi.summary.extractive import summarize_offline
from huiyi.summary.prose import FIXED_PHRASES
from tests.summary.samples import NOTICE, RELEASE

DEV = Path(__file__).resolve().parents[2] / "huiyi" / "evals" / "corpora" / "meetings" / "dev"
GOV_DEV = Path(__file__).resolve().parents[2] / "huiyi" / "evals" / "corpora" / "gov"


@pytest.fixture(scope="module")
def documents(seed_docs, make_doc):
    docs = dict(seed_docs)
    for d in seed_documents(DEV):  # the development meeting texts (never the frozen test part)
        docs[d.id] = d
    for stem in ("2026_gansu", "2026_guangxi", "2026_yunnan"):  # development provincial reports
        (d,) = [x for x in seed_documents_from(GOV_DEV, stem)]
        docs[d.id] = d
    docs["notice"] = make_doc(NOTICE, "notice")
    docs["release"] = make_doc(RELEASE, "release")
    return docs


def seed_documents_from(folder: Path, stem: str):
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(folder / f"{stem}.txt", Path(tmp) / f"{stem}.txt")
        return seed_documents(Path(tmp))


def _check(doc) -> int:
    summary = summarize_offline(doc)
    assert summary.minutes, f"{doc.id}: no 纪要 prose"
    held = [(p.start, p.end) for p in doc.meta.placeholders]
    sentences = 0
    for section in summary.minutes:
        for s in section.sentences:
            sentences += 1
            assert s.text == "".join(p.text for p in s.parts)
            quotes = []
            for part in s.parts:
                if part.quoted:
                    assert doc.text[part.start : part.end] == part.text, (doc.id, part)
                    assert not any(a < part.end and part.start < b for a, b in held), f"placeholder quoted: {part.text}"
                    assert not re.search(r"(?<![A-Za-z])X(?![A-Za-z])", part.text)
                    quotes.append(Citation(doc_id=doc.id, title="", quote=part.text, start=part.start, end=part.end, chunk_id=""))
                else:
                    assert part.text in FIXED_PHRASES, (doc.id, part.text)
                    assert not extract_numbers(part.text), part.text  # connecting phrases state nothing
            verdict = check_grounding(s.text, quotes, lambda _id: doc.text, lambda _id: doc.meta)
            assert verdict.failed == [], (doc.id, s.text, verdict.failed)
    return sentences


def test_every_prose_sentence_is_the_reports_own_words(documents):
    total = sum(_check(doc) for doc in documents.values())
    assert total >= 3 * len(documents)


def test_release_prose_reads_as_minutes(documents):
    s = summarize_offline(documents["release"])
    keys = [sec.key for sec in s.minutes]
    assert keys[:1] == ["opening"] and {"heard", "considered", "required", "decided"} <= set(keys)
    text = "\n".join(x.text for sec in s.minutes for x in sec.sentences)
    assert "会议听取了全县上半年财政收支情况汇报。" in text
    assert "会议决定,今年新建公共停车位1200个。" in text
    assert "会议审议并原则通过了《云岭县农村供水保障办法》。" in text
    assert "X" not in text and "其他事项" not in text  # the withheld rate is cut, "其他事项" says nothing
    assert "4.2亿元" in text
    assert "融媒" not in text and "记者" not in text and "编辑" not in text  # dateline and bylines are no content


def test_notice_prose_lists_agenda_and_arrangements(documents):
    s = summarize_offline(documents["notice"])
    keys = [sec.key for sec in s.minutes]
    assert keys == ["opening", "agenda", "arrangements"]
    assert "县林业局通报今年以来全县森林防火工作情况" in s.minutes[1].sentences[0].text
    assert s.minutes[0].sentences[0].text.startswith("经县人民政府研究，定于近期召开")
