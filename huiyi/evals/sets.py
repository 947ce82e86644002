"""The gold sets `huiyi eval` knows: which corpus each part runs over, in which store, with which gold files.

A set has a development part (tune on it) and a frozen test part. Parts over the same corpus share one
store under the eval data dir (gov dev and test: all 27 reports; seeds dev and test: the five seeds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

from huiyi.config import REPO_DIR
from huiyi.errors import BadInput

EVALS_DIR = Path(__file__).resolve().parent
GOLD_DIR = EVALS_DIR / "gold"
CORPORA_DIR = EVALS_DIR / "corpora"
SET_NAMES = ("seeds", "gov", "meetings", "cmrc")
SPLITS = ("dev", "test")
CORPUS_SUFFIXES = (".txt",)  # a corpus folder's README.md describes it; it is not part of it


@dataclass(frozen=True)
class EvalPart:
    """One part of one gold set: its questions, its gold summaries, and the corpus they are asked over."""

    set: str
    split: str
    qa: Path | None  # JSON Lines of gold Q&A cases (None for cmrc, which reads its own file)
    summaries: Path | None  # gold meeting summaries keyed by document name, or None
    corpus: Path | None  # folder of the reports the questions are asked over
    store: str  # directory name under the eval data dir; parts with one corpus share it

    @property
    def key(self) -> str:
        return f"{self.set}/{self.split}"

    def corpus_files(self) -> list[Path]:
        if self.corpus is None:
            return []
        return sorted(p for p in self.corpus.iterdir() if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES)


def _seeds_dir() -> Path:
    return REPO_DIR / "seeds"


def all_parts() -> list[EvalPart]:
    gold = GOLD_DIR
    meetings = CORPORA_DIR / "meetings"
    return [
        # The seeds' summaries are one development file (the summariser was built on them).
        EvalPart("seeds", "dev", gold / "seeds" / "qa.dev.jsonl", gold / "seeds" / "summaries.json", _seeds_dir(), "seeds"),
        EvalPart("seeds", "test", gold / "seeds" / "qa.test.jsonl", None, _seeds_dir(), "seeds"),
        EvalPart("gov", "dev", gold / "gov" / "qa.dev.jsonl", gold / "gov" / "summaries.dev.json", CORPORA_DIR / "gov", "gov"),
        EvalPart("gov", "test", gold / "gov" / "qa.test.jsonl", gold / "gov" / "summaries.test.json", CORPORA_DIR / "gov", "gov"),
        EvalPart("meetings", "dev", gold / "meetings" / "qa.dev.jsonl", gold / "meetings" / "summaries.dev.json", meetings / "dev", "meetings-dev"),
        EvalPart("meetings", "test", gold / "meetings" / "qa.test.jsonl", gold / "meetings" / "summaries.test.json", meetings / "test", "meetings-test"),
        EvalPart("cmrc", "dev", None, None, None, ""),
        EvalPart("cmrc", "test", None, None, None, ""),
    ]


def select_parts(sets: str | Sequence[str] = "all", splits: str | Sequence[str] = "all",
                 parts: Iterable[EvalPart] | None = None) -> list[EvalPart]:
    """The parts named by `--set` and `--split` ("all", one name, or a list of names), in a stable order."""
    wanted_sets = _names(sets, SET_NAMES, "set")
    wanted_splits = _names(splits, SPLITS, "split")
    return [p for p in (all_parts() if parts is None else parts) if p.set in wanted_sets and p.split in wanted_splits]


def _names(value: str | Sequence[str], known: Sequence[str], what: str) -> set[str]:
    names = [value] if isinstance(value, str) else list(value)
    if "all" in names:
        return set(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BadInput(f"unknown eval {what} {', '.join(unknown)}: choose from {', '.join(known)} or all.", code="bad_eval_set")
    return set(names)


def document_name(source: str) -> str:
    """The name gold files use for a document: its corpus file's stem (`2026_gansu` for `…/2026_gansu.txt`)."""
    return PurePath(source.replace("\\", "/")).stem


class StoredRecord(Protocol):
    id: str
    source: str


def stored_ids(records: Iterable[StoredRecord]) -> dict[str, str]:
    """Gold document name → the id the store gave it, through each record's `source` (the file name).

    Gold files name documents by corpus file stem; the store may name them otherwise (ids derived from
    content, say), so every gold → store lookup goes through here and nowhere assumes id == stem.
    """
    return {document_name(r.source): r.id for r in records}


def resolve(names: Iterable[str], ids: dict[str, str], *, where: str) -> list[str]:
    """Stored ids of gold document names; a name the store does not hold is a broken eval, not a miss."""
    names = list(names)
    missing = [n for n in names if n not in ids]
    if missing:
        raise BadInput(f"{where}: gold names documents the eval store does not hold: {', '.join(missing)}.", code="eval_corpus")
    return [ids[n] for n in names]
