"""A SYNTHETIC scale corpus: documents recombined from the real reports (seeds/ and the 27 provincial reports).

Every document is labelled SYNTHETIC in its first line and its file name. Each one takes a run of consecutive
sentences from one real report (its "primary", so places, periods and figures stay plausible together) and
splices in a shorter run from a second report. Lengths follow a log-normal around a median of MEDIAN_CHARS
(a typical county release or speech excerpt), clipped to [MIN_CHARS, MAX_CHARS]. Deterministic per seed.

Usage: python benchmarks/synthetic.py OUT_DIR --docs 20000   (writes OUT_DIR/synthetic-00000.txt …)
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huiyi.genre.sentences import split_sentences  # noqa: E402

GOV = ROOT / "huiyi" / "evals" / "corpora" / "gov"
SEEDS = ROOT / "seeds"
MEDIAN_CHARS = 1200
MIN_CHARS, MAX_CHARS = 300, 12000
SIGMA = 0.8  # log-normal spread: about 1 in 10 documents is over 3,300 characters
LABEL = "(SYNTHETIC:由真实报告句子重组的合成文本,仅供规模测试)"


def source_texts() -> list[tuple[str, str]]:
    """(name, text) of every real report, page chrome lines (short lines before the first long one) dropped."""
    out = []
    for path in sorted(GOV.glob("*.txt")) + sorted(SEEDS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        first = next((i for i, line in enumerate(lines) if len(line) > 30), 0)
        out.append((path.stem, "\n".join(lines[first:])))
    return out


def _paragraphs(text: str) -> list[list[str]]:
    """Sentences grouped by paragraph (line)."""
    paras = []
    for line in text.split("\n"):
        sents = [line[s:e] for s, e in split_sentences(line)]
        if sents:
            sents[-1] += "\n"  # the paragraph break travels with its last sentence
            paras.append(sents)
    return paras


class Recombiner:
    def __init__(self, seed: int = 20000):
        self.sources = [(name, [s for p in _paragraphs(t) for s in p]) for name, t in source_texts()]
        self.rng = random.Random(seed)

    def _run(self, sentences: list[str], chars: int) -> str:
        start = self.rng.randrange(max(1, len(sentences) - 3))
        out, n = [], 0
        for s in sentences[start:]:
            if n >= chars:
                break
            out.append(s)
            n += len(s)
        return "".join(out)

    def document(self, i: int) -> str:
        target = int(min(MAX_CHARS, max(MIN_CHARS, math.exp(self.rng.gauss(math.log(MEDIAN_CHARS), SIGMA)))))
        (name, primary), (_, other) = self.rng.sample(self.sources, 2)
        head = self._run(primary, int(target * 0.7))
        spliced = self._run(other, target - len(head))
        tail = self._run(primary, max(0, target - len(head) - len(spliced)))
        title = f"合成报告{i:05d} {LABEL}"
        body = "\n".join(p.strip("\n") for p in (head, spliced, tail) if p.strip())
        return f"{title}\n{body}\n"


def documents(n: int, seed: int = 20000) -> Iterator[tuple[str, str]]:
    """(file name, text) of n synthetic documents."""
    rec = Recombiner(seed)
    for i in range(n):
        yield f"synthetic-{i:05d}.txt", rec.document(i)


def write_corpus(out: Path, n: int, seed: int = 20000) -> Path:
    """Write n documents under `out` (reused when a complete corpus of that size is already there)."""
    done = out / f".done-{n}-{seed}"
    if done.exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, text in documents(n, seed):
        (out / name).write_text(text, encoding="utf-8")
    done.write_text("ok")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20000)
    args = parser.parse_args(argv)
    write_corpus(args.out, args.docs, args.seed)
    sizes = [len(p.read_text(encoding="utf-8")) for p in sorted(args.out.glob("synthetic-*.txt"))[: args.docs]]
    sizes.sort()
    print(f"{len(sizes)} SYNTHETIC documents in {args.out}: median {sizes[len(sizes) // 2]} chars, "
          f"mean {sum(sizes) / len(sizes):.0f}, p90 {sizes[int(len(sizes) * 0.9)]}, total {sum(sizes):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
