"""Relocating an LLM's quote to a verbatim sentence span of the report (or dropping it)."""

from __future__ import annotations

from huiyi.cite.locate import contains, locate_quote, normalize

TEXT = ("全会指出,县委常委会始终牢记政治责任。上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;"
        "完成地方收入6.08亿元,税收收入完成4.21亿元。\n会议要求,全力冲刺全年目标。")
ALL = [(0, len(TEXT))]


def span_text(quote: str, windows=ALL, **kw) -> str | None:
    found = locate_quote(TEXT, quote, windows, **kw)
    return TEXT[found[0]:found[1]] if found else None


def test_exact_quote_is_widened_to_its_sentence():
    assert span_text("全县GDP增长5.9 %") == "上半年,全县GDP增长5.9 %;"


def test_whitespace_punctuation_and_width_differences_still_match():
    assert span_text("上半年，全县ＧＤＰ增长5.9%") == "上半年,全县GDP增长5.9 %;"


def test_decimal_points_are_kept_so_59_is_not_5_9():
    assert normalize("增长5.9 %")[0] == "增长5.9%"
    assert span_text("全县GDP增长59%", fuzzy=False) is None


def test_near_miss_maps_to_the_best_sentence_and_keeps_the_real_number():
    # a paraphrase with a wrong figure points at the real sentence; grounding then sees 5.9, not 6.2
    assert span_text("上半年全县GDP增长6.2%") == "上半年,全县GDP增长5.9 %;"


def test_unrelated_quote_is_dropped():
    assert span_text("全县粮食总产量创历史新高,农民收入大幅增加") is None
    assert span_text("") is None and span_text("“”") is None


def test_quote_outside_the_windows_is_not_found_unless_anywhere():
    window = [(0, TEXT.index("上半年"))]
    assert span_text("全县GDP增长5.9 %", window) is None
    assert span_text("全县GDP增长5.9 %", window, anywhere=True) == "上半年,全县GDP增长5.9 %;"


def test_a_quote_spanning_sentences_covers_all_of_them():
    got = span_text("增长7.3%;完成地方收入6.08亿元")
    assert got.startswith("规模工业增加值") and got.endswith("4.21亿元。")


def test_contains_ignores_spacing_and_punctuation():
    assert contains("上半年,全县GDP增长5.9 %;", "GDP增长5.9%")
    assert not contains("上半年,全县GDP增长5.9 %;", "GDP增长6.2%")
