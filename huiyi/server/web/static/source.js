// Citation chips and the source panel: a chip opens the report's cleaned text, scrolled to the
// quoted span [start, end) and highlighted with <mark>.
import { api, describeError } from "./api.js";

const textCache = new Map(); // doc_id → Promise<{id, title, text}>
let opener = null; // the element to give focus back to when the panel closes

const $ = (id) => document.getElementById(id);

function fetchText(docId) {
  if (!textCache.has(docId)) {
    const p = api(`documents/${encodeURIComponent(docId)}/text`);
    p.catch(() => textCache.delete(docId)); // do not cache failures
    textCache.set(docId, p);
  }
  return textCache.get(docId);
}

export function forgetText(docId) {
  textCache.delete(docId);
}

/** A numbered chip button for one citation; clicking it opens the quoted passage. */
export function makeChip(n, citation) {
  const chip = document.createElement("button");
  chip.type = "button";
  chip.className = "chip";
  chip.textContent = `[${n}]`;
  const title = citation.title || citation.doc_id;
  chip.title = `${title}:“${citation.quote}”`;
  chip.setAttribute("aria-label", `出处 ${n}:${title}`);
  chip.dataset.docId = citation.doc_id;
  if (citation.untrusted) {
    // The quoted sentence reads as an instruction planted in the document: shown as data, flagged.
    chip.classList.add("chip-untrusted");
    chip.textContent = `[${n}⚠]`;
    chip.title = `注意:此引文疑似文档中插入的指令,仅作原文引用。\n${chip.title}`;
    chip.setAttribute("aria-label", `出处 ${n}(疑似插入的指令):${title}`);
  }
  chip.addEventListener("click", () => openSource(citation, chip));
  return chip;
}

/** Where the quote sits in the text: trust the offsets when they match, else search for it. */
function locate(text, citation) {
  const { start, end, quote } = citation;
  if (Number.isInteger(start) && Number.isInteger(end) && text.slice(start, end) === quote) {
    return [start, end];
  }
  if (quote) {
    const at = text.indexOf(quote);
    if (at >= 0) return [at, at + quote.length];
  }
  if (Number.isInteger(start) && Number.isInteger(end) && end > start && end <= text.length) {
    return [start, end];
  }
  return null;
}

export async function openSource(citation, from) {
  opener = from || document.activeElement;
  const panel = $("source-panel");
  const body = $("source-text");
  panel.hidden = false;
  document.body.classList.add("source-open");
  $("source-title").textContent = citation.title || citation.doc_id;
  $("source-meta").textContent = "正在载入原文…";
  body.replaceChildren();
  $("source-title").focus({ preventScroll: true });
  let doc;
  try {
    doc = await fetchText(citation.doc_id);
  } catch (err) {
    $("source-meta").textContent = describeError(err);
    return;
  }
  renderText(doc, citation);
}

function renderText(doc, citation) {
  const body = $("source-text");
  const text = doc.text || "";
  $("source-title").textContent = doc.title || citation.title || citation.doc_id;
  const span = locate(text, citation);
  if (!span) {
    body.textContent = text;
    $("source-meta").textContent = "原文中未找到引用的句子。";
    return;
  }
  const [start, end] = span;
  const mark = document.createElement("mark");
  mark.id = "source-mark";
  mark.textContent = text.slice(start, end);
  body.replaceChildren(document.createTextNode(text.slice(0, start)), mark,
    document.createTextNode(text.slice(end)));
  $("source-meta").textContent = `引用位置:第 ${start + 1}–${end} 字`;
  // Centre the highlight inside the scrolling text box (position: relative, so offsetTop is
  // measured from it) without scrolling the whole page.
  const top = mark.offsetTop - body.clientHeight / 3;
  body.scrollTop = Math.max(0, top);
}

export function closeSource() {
  const panel = $("source-panel");
  if (panel.hidden) return false;
  panel.hidden = true;
  document.body.classList.remove("source-open");
  if (opener && document.contains(opener)) opener.focus();
  opener = null;
  return true;
}

export function initSource() {
  $("source-close").addEventListener("click", closeSource);
}
