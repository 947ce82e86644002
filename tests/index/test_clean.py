"""clean_text: portal noise goes, content stays verbatim, every removal maps into the raw text."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiyi.index.clean import clean_text, to_raw_offset
from huiyi.index.load import load_path
from huiyi.index.records import CleanedText

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
NOISE = ["扫一扫", "还剩", "继续阅读", "文本内容", "相关阅读", "http", "首页 >"]


def raw_of(path: Path) -> str:
    return load_path(path, max_bytes=1_000_000).text


def rebuild(raw: str, cleaned: CleanedText) -> str:
    """Raw text with every removal span deleted."""
    out, pos = [], 0
    for r in cleaned.removed:
        out.append(raw[pos : r.start])
        pos = r.end
    return "".join(out) + raw[pos:]


def kept_text(text: str) -> str:
    return "".join(line for line in text.split("\n"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_cleaned_text_has_no_portal_noise(path):
    text = clean_text(raw_of(path)).text
    for noise in NOISE:
        assert noise not in text, noise
    for line in text.split("\n"):
        assert not line.startswith(("图:", "图：", "▲"))
        assert line == line.strip()
    assert "\n\n\n" not in text


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_removals_are_exact_spans_of_raw(path):
    raw = raw_of(path)
    cleaned = clean_text(raw)
    assert rebuild(raw, cleaned) == cleaned.text
    for prev, cur in zip(cleaned.removed, cleaned.removed[1:]):
        assert prev.end <= cur.start
    for r in cleaned.removed:
        assert raw[r.start : r.end] == r.text and r.start < r.end


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cleaned_lines_are_an_ordered_subsequence_of_raw_lines(path):
    raw = raw_of(path)
    raw_lines = raw.split("\n")
    i = 0
    for line in filter(None, clean_text(raw).text.split("\n")):
        while i < len(raw_lines) and line not in raw_lines[i]:
            i += 1
        assert i < len(raw_lines), line[:30]
        i += 1


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cleaned_offsets_map_back_to_raw(path):
    raw = raw_of(path)
    cleaned = clean_text(raw)
    for pos in range(0, len(cleaned.text), 37):
        assert raw[to_raw_offset(cleaned.removed, pos)] == cleaned.text[pos]


def test_seed_removals_by_kind():
    kinds = {p.name[:3]: {r.kind for r in clean_text(raw_of(p)).removed} - {"blank"} for p in SEED_FILES}
    assert kinds["000"] == {"source_line", "caption"}
    assert kinds["001"] == {"breadcrumb", "related"}
    assert kinds["002"] == {"caption", "qr_prompt"}
    assert kinds["003"] == {"repost_footer"}
    assert kinds["004"] == {"read_more", "text_label", "duplicate_title"}


def test_seed_content_is_kept_verbatim():
    by = {p.name[:3]: clean_text(raw_of(p)).text for p in SEED_FILES}
    assert "上半年,全县GDP增长5.9 %;规模工业增加值增长7.3%;固定资产投资增长15.3 %" in by["000"]
    assert "实现“双过半”" in by["000"]
    assert "(作者 高曙光 张媛媛 胡欢)" in by["001"]
    assert by["001"].startswith("雁峰区委五届四次全会暨2023年上半年经济运行分析会议召开\n\n9月13日上午")
    assert by["002"].startswith("新年伊始,春山可望。\n1月10日")
    assert by["003"].endswith("作出新的更大贡献!")
    assert by["004"].startswith("在全县乡镇党委书记和部门一把手2024年三季度例会上的讲话同志们今天")
    assert by["004"].endswith("一把手全县乡镇12。")  # a truncated last sentence is content, not boilerplate


def test_source_line_is_recorded_for_metadata():
    cleaned = clean_text(raw_of(SEED_FILES[0]))
    source = [r for r in cleaned.removed if r.kind == "source_line"]
    assert len(source) == 1 and "发布时间:2023-07-28" in source[0].text and source[0].start == 0


def test_seed_004_duplicate_title_span():
    raw = raw_of(SEED_FILES[4])
    dup = [r for r in clean_text(raw).removed if r.kind == "duplicate_title"]
    assert [r.text for r in dup] == ["在全县乡镇党委书记和部门一把手年三季度例会上的讲话2024-2025"]


@pytest.mark.parametrize(
    "line",
    [
        "会议审议了产业布局图和项目路线图。",
        "图书馆、文化馆免费开放,全年接待群众12万人次。",
        "全县GDP增长5.9 %,▲表示较上季度上升的指标。",
        "产值由5%提高到8%,实现了“开门红”。",
        "详情请登录县政府网站www.example.gov.cn查询,咨询电话12345,办理时间为工作日上午9点至下午5点,欢迎广大群众积极参与。",
        "时间:2023年7月28日上午9时",
        "来源于群众、服务于群众,是我们工作的出发点。",
        "◆坚持项目为王,全年实施重点项目120个。",
    ],
)
def test_real_content_is_not_removed(line):
    raw = f"衡东县召开全县经济工作会议\n{line}\n会议要求全县上下狠抓落实。"
    assert clean_text(raw).text == raw


@pytest.mark.parametrize(
    ("noise", "kind"),
    [
        ("当前位置:首页 > 新闻中心 > 县区动态", "breadcrumb"),
        ("首页 > 政务公开", "breadcrumb"),
        ("图：会议现场", "caption"),
        ("图1:县委书记讲话", "caption"),
        ("▲ 会议现场。", "caption"),
        ("图为会议现场", "caption"),
        ("扫一扫在手机上查看当前页面", "qr_prompt"),
        ("还剩12页未读,继续阅读", "read_more"),
        ("展开全文", "read_more"),
        ("文本内容：", "text_label"),
        ("【打印本页】", "portal_chrome"),
        ("http://www.example.com/news/1.html", "repost_footer"),
        ("《某某讲话》由互联网用户分享整理。文章地址:https://example.com/a/1.html", "repost_footer"),
        ("版权所有:某某县人民政府", "repost_footer"),
        ("来源:某某县融媒体中心  发布时间:2023-07-28 10:21", "source_line"),
        ("发布日期：2024年01月12日 浏览次数：368", "source_line"),
    ],
)
def test_noise_lines_are_removed_with_their_kind(noise, kind):
    body = "7月28日,某某县召开全县经济运行分析会。会议要求全县上下狠抓落实。"
    raw = f"{noise}\n{body}\n"
    cleaned = clean_text(raw)
    assert cleaned.text == body
    assert [(r.kind, r.text) for r in cleaned.removed if r.kind != "blank"] == [(kind, noise)]


def test_related_reading_list_is_removed_but_following_paragraph_kept():
    raw = (
        "会议要求全县上下狠抓落实。\n\n相关阅读:\n衡东县召开经济运行调度会\n• 雁峰区推进项目建设\n"
        "https://example.com/news/2.html\n\n本次会议还部署了下一阶段安全生产、防汛抗旱和信访维稳等重点工作,要求各单位压实责任。"
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "会议要求全县上下狠抓落实。\n\n本次会议还部署了下一阶段安全生产、防汛抗旱和信访维稳等重点工作,要求各单位压实责任。"
    assert sum(r.kind == "related" for r in cleaned.removed) == 4


def test_inline_read_more_and_text_label_are_cut_from_the_line():
    raw = "文本内容:某某县召开全县经济运行分析会。还剩3页未读,继续阅读\n会议要求狠抓落实。"
    cleaned = clean_text(raw)
    assert cleaned.text == "某某县召开全县经济运行分析会。\n会议要求狠抓落实。"
    assert {r.kind for r in cleaned.removed} >= {"text_label", "read_more"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("某某县召开全县经济运行分析会\n某某县召开全县经济运行分析会\n会议要求狠抓落实。", "某某县召开全县经济运行分析会\n会议要求狠抓落实。"),
        ("某某县召开全县经济运行分析会\n某某县召开全县经济运行分析会7月28日,会议要求狠抓落实。", "某某县召开全县经济运行分析会\n7月28日,会议要求狠抓落实。"),
    ],
)
def test_repeated_title_is_removed(raw, expected):
    cleaned = clean_text(raw)
    assert cleaned.text == expected
    assert any(r.kind == "duplicate_title" for r in cleaned.removed)


def test_headline_repeated_later_in_body_is_kept():
    # Only the head of the document is checked for duplicated titles.
    lines = ["某某县召开全县经济运行分析会"] + [f"第{i}段正文内容,要求狠抓落实。" for i in range(8)] + ["某某县召开全县经济运行分析会"]
    raw = "\n".join(lines)
    assert clean_text(raw).text == raw


def test_blank_runs_collapse_and_whitespace_is_trimmed_but_inner_spaces_stay():
    raw = "\n\n\u3000\u3000上半年,全县GDP增长5.9 %。  \n\n\n\n\t会议要求狠抓落实。 \n\n"
    cleaned = clean_text(raw)
    assert cleaned.text == "上半年,全县GDP增长5.9 %。\n\n会议要求狠抓落实。"
    assert all(r.kind == "blank" for r in cleaned.removed)
    assert rebuild(raw, cleaned) == cleaned.text


def test_removed_line_between_paragraphs_leaves_one_break():
    raw = "第一段内容。\n图:会议现场\n第二段内容。\n\n图:颁奖现场\n\n第三段内容。"
    assert clean_text(raw).text == "第一段内容。\n第二段内容。\n\n第三段内容。"


def test_document_of_only_boilerplate_cleans_to_empty():
    raw = (
        "首页 > 专题专栏 > 县区动态\n来源:某某县融媒体中心 发布时间:2023-07-28\n图:会议现场\n"
        "扫一扫在手机打开当前页\n还剩6页未读,继续阅读\n相关阅读:\n"
    )
    cleaned = clean_text(raw)
    assert cleaned.text == ""
    assert rebuild(raw, cleaned) == ""


def test_a_page_toolbar_of_short_lines_and_page_metadata_are_removed():
    raw = ("下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n2026年某省政府工作报告\n来源：某某日报\n"
           "2026-02-03 09:02:33\n时间：2026-02-24\n——2026年1月20日在某省人民代表大会上\n"
           "省长某某作政府工作报告。本报记者 张 三 摄\n各位代表：\n全省生产总值增长5%。\n》》点击图片进入专题《《\n相关报道：\n")
    cleaned = clean_text(raw)
    assert cleaned.text.startswith("2026年某省政府工作报告\n——2026年1月20日")
    assert "打印" not in cleaned.text and "09:02" not in cleaned.text and "2026-02-24" not in cleaned.text
    assert "摄" not in cleaned.text and "点击" not in cleaned.text and "相关报道" not in cleaned.text
    assert "全省生产总值增长5%。" in cleaned.text
    assert "省长某某作政府工作报告。\n" in cleaned.text  # the caption's sentence says who spoke; its credit goes
    kinds = {r.kind for r in cleaned.removed}
    assert {"portal_chrome", "source_line", "caption", "related"} <= kinds


def test_short_content_lines_alone_are_kept():
    raw = "通知\n各乡镇：\n定于3月20日召开会议。\n特此通知。\n"
    assert clean_text(raw).text.strip().splitlines()[:2] == ["通知", "各乡镇："]


def test_a_notice_signature_date_is_content():
    raw = "关于召开某会议的通知\n各单位：\n定于3月20日召开会议。\n某县人民政府办公室\n2025年3月10日\n"
    assert "2025年3月10日" in clean_text(raw).text
