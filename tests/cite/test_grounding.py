from huiyi.cite.grounding import check_grounding
from huiyi.cite.models import Citation

DOC = "上半年,全县GDP增长5.9 %;完成地方收入6.08亿元,高于全市0.5个百分点。二季度增长X%,排全市第X。"
TEXTS = {"d": DOC}


def cite(quote: str, doc: str = DOC, doc_id: str = "d") -> Citation:
    start = doc.index(quote)
    return Citation(doc_id=doc_id, title="t", quote=quote, start=start, end=start + len(quote), chunk_id="d:0000")


def test_numbers_match_after_normalisation():
    c = cite("上半年,全县GDP增长5.9 %;完成地方收入6.08亿元,高于全市0.5个百分点。")
    g = check_grounding("GDP增长百分之五点九,地方收入60800万元,高0.5个百分点。", [c], TEXTS.get)
    assert g.ok and g.failed == [] and len(g.checked) == 3


def test_percent_is_not_percentage_points_and_missing_numbers_fail():
    c = cite("上半年,全县GDP增长5.9 %;完成地方收入6.08亿元,高于全市0.5个百分点。")
    g = check_grounding("高于全市0.5%,增长6.0%。", [c], TEXTS.get)
    assert not g.ok and g.failed == ["0.5%", "6.0%"] and g.note


def test_placeholder_never_a_value_but_the_symbol_may_be_named():
    c = cite("二季度增长X%,排全市第X。")
    assert not check_grounding("二季度增长X%。", [c], TEXTS.get).ok
    assert check_grounding("报告未披露具体数值(原文以“X”代替)。", [c], TEXTS.get).ok
    # a placeholder in the quote supports nothing
    assert not check_grounding("排全市第1。", [c], TEXTS.get).ok


def test_quote_must_be_the_text_at_its_offsets():
    good = cite("完成地方收入6.08亿元")
    moved = good.model_copy(update={"start": good.start + 1, "end": good.end + 1})
    g = check_grounding("6.08亿元", [moved], TEXTS.get)
    assert not g.ok and g.failed[0].startswith("quote d[")
    unknown = good.model_copy(update={"doc_id": "nope"})
    assert not check_grounding("6.08亿元", [unknown], TEXTS.__getitem__).ok


def test_template_placeholders_from_metadata_do_not_ground():
    from huiyi.index.records import DocumentMeta, Placeholder

    doc = "增幅仅为1%,较上半年回落1个百分点。"
    meta = DocumentMeta(title="t", placeholders=[Placeholder(text="1%", kind="template_repeat", start=4, end=6)])
    c = cite(doc, doc)
    assert check_grounding("增幅1%", [c], {"d": doc}.get).ok  # without metadata it looks like a value
    assert not check_grounding("增幅1%", [c], {"d": doc}.get, lambda _id: meta).ok
