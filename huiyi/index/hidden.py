"""Hidden HTML text: what a reader of the page cannot see is not part of the report.

A planted `display:none` paragraph or white-on-white sentence would otherwise be indexed, quoted and
stated as a fact. Dropped: the `hidden` attribute, `<template>`, hidden inputs; inline styles or simple
stylesheet rules (`.class`, `#id`, `tag`, `tag.class`) with display:none, visibility:hidden, opacity:0,
font-size:0, off-screen positioning, transparent text, or a text colour equal to its background
(white on the default white page included). Each dropped element's text is returned for the cleaning report.
"""

from __future__ import annotations

import re

_DECL = re.compile(r"([a-zA-Z-]+)\s*:\s*([^;]+)")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)?(?:([.#])([A-Za-z0-9_-]+))?$")
_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0), "snow": (255, 250, 250), "ivory": (255, 255, 240),
          "whitesmoke": (245, 245, 245), "red": (255, 0, 0), "gray": (128, 128, 128), "grey": (128, 128, 128)}
WHITE = (255, 255, 255)


def drop_hidden(html: str) -> tuple[str, list[str]]:
    """(html without hidden elements, the text of each dropped element); unchanged html when nothing is hidden."""
    import lxml.html

    if not html.strip():
        return html, []
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises several types on junk; the loader's own fallback handles it
        return html, []
    sheet = _stylesheet(root)
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "head", "body", "style", "script"):
            continue
        if _is_hidden(el, sheet) and not any(a in doomed for a in el.iterancestors()):
            doomed.append(el)
    if not doomed:
        return html, []
    dropped = [" ".join(el.text_content().split()) for el in doomed]
    for el in doomed:
        el.drop_tree()  # keeps the tail text, which belongs to the parent
    return lxml.html.tostring(root, encoding="unicode"), [t for t in dropped if t]


def _stylesheet(root) -> list[tuple[str | None, str | None, str | None, dict[str, str]]]:
    """Simple rules from <style> blocks: (tag, kind '.'/'#', name, declarations)."""
    rules = []
    for style in root.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", style.text or "", flags=re.S)
        for selectors, body in _RULE.findall(css):
            decls = _declarations(body)
            for selector in selectors.split(","):
                m = _SIMPLE_SELECTOR.match(selector.strip())
                if m and (m.group(1) or m.group(3)):
                    rules.append(((m.group(1) or "").lower() or None, m.group(2), m.group(3), decls))
    return rules


def _declarations(text: str) -> dict[str, str]:
    return {k.strip().lower(): v.strip().lower().replace("!important", "").strip() for k, v in _DECL.findall(text or "")}


def _style_of(el, sheet) -> dict[str, str]:
    style: dict[str, str] = {}
    classes = set((el.get("class") or "").split())
    for tag, kind, name, decls in sheet:
        if tag and tag != el.tag:
            continue
        if kind == "." and name not in classes or kind == "#" and el.get("id") != name:
            continue
        style.update(decls)
    style.update(_declarations(el.get("style") or ""))
    return style


def _is_hidden(el, sheet) -> bool:
    if el.get("hidden") is not None or el.tag == "template":
        return True
    if el.tag == "input" and (el.get("type") or "").lower() == "hidden":
        return True
    style = _style_of(el, sheet)
    if style.get("display", "").startswith("none") or style.get("visibility", "") in ("hidden", "collapse"):
        return True
    if _zero(style.get("opacity")) or _zero(style.get("font-size")):
        return True
    for prop in ("left", "top", "text-indent", "margin-left"):
        if _far_negative(style.get(prop)):
            return True
    color = _color(style.get("color"))
    if color == "transparent":
        return True
    return color is not None and _similar(color, _background(el, sheet))


def _similar(a, b) -> bool:
    """Text colour indistinguishable from its background (#fefefe on white counts)."""
    return a != "transparent" and b != "transparent" and max(abs(x - y) for x, y in zip(a, b)) <= 12


def _background(el, sheet):
    """The nearest background colour at or above `el`; the default page background is white."""
    for node in [el, *el.iterancestors()]:
        style = _style_of(node, sheet)
        value = style.get("background-color") or style.get("background")
        if value:
            bg = _color(value.split()[0]) if value.split() else None
            if bg is not None:
                return WHITE if bg == "transparent" else bg
        if node.get("bgcolor"):
            bg = _color(node.get("bgcolor"))
            if bg is not None and bg != "transparent":
                return bg
    return WHITE


def _zero(value: str | None) -> bool:
    if not value:
        return False
    m = re.match(r"^\s*(-?[0-9.]+)", value)
    return m is not None and float(m.group(1) or 1) == 0.0


def _far_negative(value: str | None) -> bool:
    m = re.match(r"^\s*(-[0-9.]+)(px|pt|em|rem)?", value or "")
    if not m:
        return False
    amount = float(m.group(1)) * (16 if m.group(2) in ("em", "rem") else 1)
    return amount <= -1000


def _color(value: str | None):
    """An (r, g, b) tuple, "transparent", or None when unknown."""
    if not value:
        return None
    v = value.strip().lower()
    if v in ("transparent",):
        return "transparent"
    if v in _NAMED:
        return _NAMED[v]
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", v)
    if m:
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))
    m = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([0-9.]+)\s*)?\)", v)
    if m:
        if m.group(4) is not None and float(m.group(4)) == 0:
            return "transparent"
        return tuple(min(255, int(m.group(i))) for i in (1, 2, 3))
    return None
