"""Stage 2 of ingest: strip web-portal noise from raw report text, recording every removal.

The cleaned text is exactly the raw text with the removal spans deleted (`Removal.start/end`
point into the raw text), so any offset in the cleaned text maps back to the original file
(`to_raw_offset`). Nothing inside a kept line is rewritten: quotes stay verbatim.

Rules work line by line because portals put their noise on lines of its own (breadcrumbs,
captions, share prompts, reposting footers). The few inline rules (a duplicated title glued to
the first sentence, "还剩N页未读,继续阅读", a "文本内容:" label) only fire near the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiyi.genre.sentences import trim_span
from huiyi.index.records import CleanedText, Removal

HEAD_LINES = 6  # duplicate-title and label rules only look at the first kept lines

_SENTENCE_END = re.compile(r"[。!?！？]")
_URL = re.compile(r"https?://[^\s,，。;；)）】]+|www\.[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s,，。;；)）】]*", re.I)
_BREADCRUMB_SEP = re.compile(r"\s*[>›»＞→]\s*")
_BREADCRUMB_HOME = re.compile(r"^(?:首页|主页|网站首页|当前位置|您的位置|您现在的位置|所在位置|位置)")
_CAPTION = re.compile(r"^(?:图\s*\d{0,2}\s*[:：]|[▲△]|[（(]\s*图\s*[:：)）])")
_CAPTION_PHOTO = re.compile(r"^[（(]?图为")
_QR = re.compile(r"(?:扫一扫|扫码|扫描二维码|微信扫描).{0,20}(?:手机|阅读|查看|打开|分享|关注|浏览)")
_CHROME = re.compile(r"^[【\[]?(?:打印本页|关闭窗口|打印|关闭|收藏本页|返回顶部|分享到|字号|字体)[】\]]?\s*(?:[:：].{0,30})?$|^(?:上一篇|下一篇)\s*[:：]")
_READ_MORE_INLINE = re.compile(r"还剩\s*\d+\s*页未读[,，]?\s*(?:继续阅读)?")
_READ_MORE_LINE = re.compile(r"^(?:展开全文|阅读全文|继续阅读|点击(?:查看|阅读)全文|下载文档.{0,20}|查看更多)[>》]*$")
_TEXT_LABEL = re.compile(r"^(?:文本内容|正文|全文)\s*[:：]\s*")
_RELATED = re.compile(r"^[【\[]?(?:相关阅读|相关链接|相关新闻|相关文章|相关推荐|相关报道|相关文档|延伸阅读|推荐阅读|热点推荐|猜你喜欢|更多阅读)[】\]]?\s*[:：]?\s*$")
_FOOTER_STRONG = re.compile(r"由互联网用户分享整理|文章地址\s*[:：]|原文地址\s*[:：]|原文链接\s*[:：]|本文链接\s*[:：]|本文地址\s*[:：]|转载请注明|如有侵权")
_FOOTER_WEAK = re.compile(r"版权所有|Copyright|©|ICP备|主办单位\s*[:：]|承办单位\s*[:：]", re.I)
# A photo credit on its own line: "…记者 李森 摄", "（新华社记者 某某 摄）".
_PHOTO_CREDIT = re.compile(r"(?:记者|摄影)\s*(?:[\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,3}[ \u3000]*)+摄[)）]?$")
# A bare timestamp or "时间：2026-02-24" line: page metadata, not the report.
_TIMESTAMP = re.compile(r"^(?:(?:发布)?(?:时间|日期)\s*[:：]\s*(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_PORTAL_LINK = re.compile(r"^[》>]+.{0,20}[《<]+$|^点击.{0,12}(?:进入|查看).{0,8}$")
TOOLBAR_RUN = 3  # this many very short lines in a row are a page's toolbar (下载/打印/全屏/收藏/加大/还原/减小)
TOOLBAR_CHARS = 5
_SOURCE = re.compile(r"(?:^|\s)[【\[]?(?:来源|信息来源|文章来源|稿件来源|发布时间|发布日期|发布机构|浏览次数|点击量|阅读量)[】\]]?\s*[:：]")
_TRAILING_JUNK = re.compile(r"[\s\d\-—–_/.:：()（）]+$")


@dataclass
class _Line:
    start: int  # offsets into raw, newline excluded
    end: int
    cuts: list[tuple[str, int, int]] = field(default_factory=list)


def clean_text(raw: str) -> CleanedText:
    """Remove portal noise from raw text; every removed character is covered by a `Removal`."""
    lines = _split_lines(raw)
    _mark_lines(raw, lines)
    segments = _kept_segments(raw, lines)
    text = "".join(raw[a:b] for a, b in segments)
    cuts = [Removal(kind=k, text=raw[s:e], start=s, end=e) for line in lines for k, s, e in line.cuts]
    blanks = _blank_removals(raw, segments, cuts)
    removed = sorted(cuts + blanks, key=lambda r: r.start)
    return CleanedText(text=text, removed=removed)


def to_raw_offset(removed: list[Removal], pos: int) -> int:
    """Map an offset in the cleaned text back to the raw text (removals sorted by start)."""
    shift = 0
    for r in sorted(removed, key=lambda r: r.start):
        if r.start - shift > pos:
            break
        shift += r.end - r.start
    return pos + shift


def _split_lines(raw: str) -> list[_Line]:
    lines, start = [], 0
    for m in re.finditer(r"\n", raw):
        lines.append(_Line(start, m.start()))
        start = m.end()
    lines.append(_Line(start, len(raw)))
    return lines


def _mark_lines(raw: str, lines: list[_Line]) -> None:
    """Decide the content cuts of every line (whole-line noise first, then the head's inline rules)."""
    head: list[str] = []  # kept non-blank lines so far, as they will read after cleaning
    in_related = False
    _mark_toolbars(raw, lines)
    for line in lines:
        s, e = trim_span(raw, line.start, line.end)
        if s == e or line.cuts:
            continue
        text = raw[s:e]
        if in_related and _looks_like_link_item(text):
            line.cuts.append(("related", s, e))
            continue
        in_related = False
        kind = _line_kind(text)
        said = _caption_sentence(text) if kind == "caption" else 0
        if said:  # "殷勇同志作政府工作报告。本报记者 戴冰摄": the caption says who spoke; only the credit goes
            line.cuts.append(("caption", _skip_space(raw, s + said, e), e))
            head.append(text[:said])
            continue
        if kind is not None:
            line.cuts.append((kind, s, e))
            in_related = kind == "related"
            continue
        if len(head) < HEAD_LINES:
            _inline_cuts(raw, line, s, e, head)
        kept = _kept_text(raw, line, s, e)
        if kept:
            head.append(kept)


def _line_kind(text: str) -> str | None:
    """The noise kind of a whole (stripped) line, or None when it is content."""
    n = len(text)
    if _RELATED.match(text):
        return "related"
    if _is_breadcrumb(text):
        return "breadcrumb"
    if (_CAPTION.match(text) and n <= 200) or (_CAPTION_PHOTO.match(text) and n <= 80):
        return "caption"
    if n <= 40 and _QR.search(text):
        return "qr_prompt"
    if n <= 40 and (_READ_MORE_LINE.match(text) or _READ_MORE_INLINE.fullmatch(text)):
        return "read_more"
    if _TEXT_LABEL.fullmatch(text):
        return "text_label"
    if n <= 60 and _CHROME.match(text):
        return "portal_chrome"
    if _is_repost_footer(text):
        return "repost_footer"
    if n <= 120 and _SOURCE.search(text) and not _SENTENCE_END.search(text):
        return "source_line"
    if n <= 40 and _TIMESTAMP.match(text):
        return "source_line"
    if n <= 30 and _PORTAL_LINK.match(text):
        return "portal_chrome"
    if n <= 80 and _PHOTO_CREDIT.search(text):
        return "caption"
    return None


def _caption_sentence(text: str) -> int:
    """Where a caption's own sentence ends before its photo credit (0 when the line is only a credit)."""
    credit = _PHOTO_CREDIT.search(text)
    if credit is None:
        return 0
    before = text[:credit.start()]
    end = max(before.rfind("。"), before.rfind("！"))
    return end + 1 if end >= 4 else 0


def _mark_toolbars(raw: str, lines: list[_Line]) -> None:
    """Runs of very short lines (a page's buttons and font-size links, one per line) are chrome."""
    run: list[tuple[_Line, int, int]] = []

    def flush() -> None:
        if len(run) >= TOOLBAR_RUN:
            for line, s, e in run:
                line.cuts.append(("portal_chrome", s, e))
        run.clear()

    for line in lines:
        s, e = trim_span(raw, line.start, line.end)
        if s == e:
            continue
        if e - s <= TOOLBAR_CHARS and not _SENTENCE_END.search(raw[s:e]):
            run.append((line, s, e))
        else:
            flush()
    flush()


def _is_breadcrumb(text: str) -> bool:
    if len(text) > 120 or _SENTENCE_END.search(text):
        return False
    parts = [p for p in _BREADCRUMB_SEP.split(text)]
    if len(parts) < 2 or not all(0 < len(p) <= 30 for p in parts):
        return False
    # "首页 > 新闻" is enough; without a home word, ask for three levels and no digits (not "a>b" maths).
    return bool(_BREADCRUMB_HOME.match(text)) or (len(parts) >= 3 and not re.search(r"\d", text))


def _is_repost_footer(text: str) -> bool:
    if len(text) <= 200 and _FOOTER_STRONG.search(text):
        return True
    if len(text) <= 80 and _FOOTER_WEAK.search(text):
        return True
    url_chars = sum(len(m.group()) for m in _URL.finditer(text))
    return url_chars > 0 and (url_chars >= 0.4 * len(text) or len(text) - url_chars <= 12)


def _looks_like_link_item(text: str) -> bool:
    """A line of a "相关阅读" list: a short headline or a URL, not a sentence of the report."""
    if _URL.search(text):
        return True
    return len(text) <= 50 and not _SENTENCE_END.search(text[:-1]) and not text.endswith(("。", "；", ";"))


def _inline_cuts(raw: str, line: _Line, s: int, e: int, head: list[str]) -> None:
    text = raw[s:e]
    m = _READ_MORE_INLINE.search(text)
    if m:
        line.cuts.append(("read_more", s + m.start(), s + m.end()))
        if m.start() == 0:
            s = _skip_space(raw, s + m.end(), e)
            text = raw[s:e]
    m = _TEXT_LABEL.match(text)
    if m:
        line.cuts.append(("text_label", s, s + m.end()))
        s += m.end()
        text = raw[s:e]
    cut = _duplicate_title_prefix(text, head[-1] if head else None)
    if cut:
        line.cuts.append(("duplicate_title", s, s + cut))
    line.cuts.sort(key=lambda c: c[1])


def _duplicate_title_prefix(text: str, previous: str | None) -> int:
    """Length of a repeated title at the start of `text` (0 when none).

    Three shapes: the line repeats the previous title line; the line starts with it; or the line
    starts with a title that then appears again, slightly edited ("…年三季度例会上的讲话2024-2025
    在…2024年三季度例会上的讲话同志们…"), as document-sharing sites glue them.
    """
    if previous and _title_like(previous) and text.startswith(previous):
        return len(previous)
    probe = text[:6]
    if len(probe) < 6 or _SENTENCE_END.search(probe):
        return 0
    j = text.find(probe, 8)
    if j < 0 or j > 120:
        return 0
    first = _TRAILING_JUNK.sub("", text[:j])
    if len(first) < 8 or _SENTENCE_END.search(first) or "，" in first or "," in first:
        return 0
    return j if _is_subsequence(first, text[j : j + len(first) + 12]) else 0


def _title_like(text: str) -> bool:
    return 4 <= len(text) <= 80 and not _SENTENCE_END.search(text)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def _kept_text(raw: str, line: _Line, s: int, e: int) -> str:
    pieces, pos = [], s
    for _, a, b in line.cuts:
        pieces.append(raw[pos:a])
        pos = max(pos, b)
    pieces.append(raw[pos:e])
    return "".join(pieces).strip()


def _skip_space(raw: str, s: int, e: int) -> int:
    while s < e and raw[s].isspace():
        s += 1
    return s


def _line_segments(raw: str, line: _Line) -> list[tuple[int, int]]:
    """Kept spans of one line: its content minus cuts, trimmed of outer whitespace."""
    spans, pos = [], line.start
    for _, a, b in line.cuts:
        if a > pos:
            spans.append((pos, a))
        pos = max(pos, b)
    if pos < line.end:
        spans.append((pos, line.end))
    spans = [(a, b) for a, b in spans if raw[a:b].strip()]
    if spans:
        spans[0] = trim_span(raw, spans[0][0], spans[0][1])[0], spans[0][1]
        spans[-1] = trim_span(raw, spans[-1][0], spans[-1][1])
    return spans


def _kept_segments(raw: str, lines: list[_Line]) -> list[tuple[int, int]]:
    """Kept spans of the whole text: line contents plus one newline, or two where a blank line stood."""
    segments: list[tuple[int, int]] = []
    prev_idx: int | None = None
    for idx, line in enumerate(lines):
        spans = _line_segments(raw, line)
        if not spans:
            continue
        if prev_idx is not None:
            segments.append((lines[prev_idx].end, lines[prev_idx].end + 1))
            between = lines[prev_idx + 1 : idx]
            if any(not ln.cuts and not raw[ln.start : ln.end].strip() for ln in between):
                segments.append((lines[idx - 1].end, lines[idx - 1].end + 1))
        segments.extend(spans)
        prev_idx = idx
    return segments


def _blank_removals(raw: str, segments: list[tuple[int, int]], cuts: list[Removal]) -> list[Removal]:
    """Every removed character not inside a content cut: whitespace, newlines, collapsed blank lines."""
    covered = sorted([(a, b) for a, b in segments] + [(r.start, r.end) for r in cuts])
    out: list[Removal] = []
    pos = 0
    for a, b in covered + [(len(raw), len(raw))]:
        if a > pos:
            out.append(Removal(kind="blank", text=raw[pos:a], start=pos, end=a))
        pos = max(pos, b)
    return out
