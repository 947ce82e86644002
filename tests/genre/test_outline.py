"""Outline headings: numbered markers, unnumbered heading lines, levels that nest and close."""

from huiyi.genre.outline import headings


def test_unnumbered_heading_lines_and_siblings_after_nested_items():
    body = "过去一年，全省上下砥砺奋进，经济运行稳中有进，各项事业取得新成效，人民生活持续改善。"
    text = (f"2026年某省政府工作报告\n各位代表：\n{body}\n2025年工作回顾\n{body}\n2026年重点工作\n{body}\n"
            f"（一）扩大内需\n1.提振消费。{body}\n2.扩大投资。{body}\n（二）发展产业\n{body}\n")
    found = [(h.level, h.title) for h in headings(text)]
    assert (0, "2025年工作回顾") in found and (0, "2026年重点工作") in found
    assert not any(t.startswith("2026年某省") for _, t in found)  # the title line is not a heading
    levels = dict((t, lv) for lv, t in found)
    assert levels["（一）扩大内需"] == levels["（二）发展产业"] == 1 and levels["1.提振消费"] == 2
