"""Stage 4 of ingest: the facts the answerer needs of a whole document, computed once and stored with it.

Sentence spans, the places the document is about, the years it reports on and the plenums it names:
the ask path reads these instead of tagging whole reports per question.
"""

from __future__ import annotations

from collections import Counter

from huiyi.genre.entities import entities
from huiyi.genre.meetings import find_ordinal_meetings, find_plenums
from huiyi.genre.outline import headings
from huiyi.genre.periods import find_years, reported_years
from huiyi.genre.places import find_regions, region_stem
from huiyi.genre.sentences import split_sentences
from huiyi.index.records import DocFacts, Document, DocumentMeta

HEAD_CHARS = 300  # a plenum named in the opening is the document's own


def document_facts(text: str, meta: DocumentMeta) -> DocFacts:
    """Facts of a cleaned text with its metadata (title, region, date, placeholders)."""
    counts = Counter(region_stem(r) for r, _, _ in find_regions(text))
    top = max(counts.values(), default=0)
    regions = {r for r, c in counts.items() if c >= 2 and c >= top / 3}  # named often, not in passing
    regions |= {region_stem(r) for r, _, _ in find_regions(meta.title)}
    if meta.region:
        regions.add(region_stem(meta.region))
    years = set(find_years(meta.title)) | reported_years(text)
    if meta.date_iso:
        years.add(meta.date_iso.year)
        if meta.date_iso.month <= 3:  # an early-year meeting reviews the year before
            years.add(meta.date_iso.year - 1)
    head = meta.title + text[:HEAD_CHARS]
    plenums = {(a, b) for a, b, _, _ in [*find_plenums(head), *find_ordinal_meetings(head)]}
    heads = [(h.offset, h.level, h.title) for h in headings(text)]
    sentences = split_sentences(text)
    return DocFacts(sentences=sentences, regions=sorted(regions), years=sorted(years), plenums=sorted(plenums),
                    headings=heads, entities=sentence_entities(text, sentences))


def sentence_entities(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Persons, places, organisations and times (Baidu LAC), sentence by sentence, as document offsets."""
    out: list[tuple[int, int, str]] = []
    for s, e in sentences:
        out.extend((s + span.start, s + span.end, span.kind) for span in entities(text[s:e]))
    return out


def with_facts(doc: Document) -> Document:
    """`doc` with current facts: stored ones when up to date, else computed now (older stores)."""
    from huiyi.index.records import FACTS_VERSION

    if doc.facts is not None and doc.facts.version == FACTS_VERSION:
        return doc
    return doc.model_copy(update={"facts": document_facts(doc.text, doc.meta)})


def plain_document(doc_id: str, title: str, text: str) -> Document:
    """A Document that never went through the store (a passage in a benchmark, a text in a test)."""
    from huiyi.index.ids import sha256_hex
    from huiyi.index.meta import extract_meta

    meta = extract_meta(text, title).model_copy(update={"title": title})
    return Document(id=doc_id, source=title, content_hash=sha256_hex(text), raw_hash=sha256_hex(text), text=text,
                    meta=meta, facts=document_facts(text, meta))
