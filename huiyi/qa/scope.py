"""Which documents a question is about, from the places it names: "甘肃2025年GDP增长多少" reads 甘肃's report.

Among many similar reports (27 provincial work reports all say "全省地区生产总值增长…"), the sentence that
answers rarely repeats the place; the document does. A question that names a place some document is about
is searched in those documents (and in documents whose place is unknown); a place no document is about
narrows nothing, and the sentence checks then refuse what the reports do not say.
"""

from __future__ import annotations

from collections.abc import Mapping

from huiyi.genre.places import region_stem
from huiyi.index.records import DocumentRecord, SearchFilters
from huiyi.qa.analysis import QuestionAnalysis


def place_scope(analysis: QuestionAnalysis, records: Mapping[str, DocumentRecord]) -> list[str] | None:
    """Ids of the documents about the places the question names (plus those of unknown place), or None."""
    named: set[str] = {region_stem(r) for r in analysis.regions}
    by_stem: dict[str, list[str]] = {}
    unknown: list[str] = []
    for record in records.values():
        if record.region:
            by_stem.setdefault(region_stem(record.region), []).append(record.id)
        else:
            unknown.append(record.id)
    matched = sorted({doc_id for stem, ids in by_stem.items()
                      if len(stem) >= 2 and (stem in analysis.text or stem in named) for doc_id in ids})
    if not matched:
        return None
    return matched + unknown


def scoped(filters: SearchFilters | None, doc_ids: list[str] | None) -> SearchFilters | None:
    """`filters` narrowed to `doc_ids` (an explicit choice of documents by the user wins)."""
    if doc_ids is None:
        return filters
    if filters is None:
        return SearchFilters(doc_ids=doc_ids)
    if filters.doc_ids:
        return filters
    return filters.model_copy(update={"doc_ids": doc_ids})
