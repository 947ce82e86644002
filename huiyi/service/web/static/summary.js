// The meeting summary view (会议纪要要素): GET /documents/{id}/summary?format=json rendered as
// sections. Rendering is generic — any field that is an object or a list of objects shows its
// values and its `citations` as chips — so new summary fields appear without page changes.
import { api, describeError } from "./api.js";
import { makeChip } from "./source.js";
import { FIELD_LABELS, HIDDEN_KEYS, PRIMARY_KEYS, SECTIONS } from "./summary_labels.js";

const $ = (id) => document.getElementById(id);
let chipNumbers = new Map(); // citation key → number, shared across the whole summary

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

const label = (key) => FIELD_LABELS[key] || key;
const isScalar = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);
const isEmpty = (v) =>
  v === null || v === undefined || v === "" || v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v).every((k) => HIDDEN_KEYS.has(k) || isEmpty(v[k])));

function chipsFor(citations) {
  const frag = document.createDocumentFragment();
  for (const c of citations || []) {
    const key = `${c.doc_id}:${c.start}:${c.end}`;
    if (!chipNumbers.has(key)) chipNumbers.set(key, chipNumbers.size + 1);
    frag.append(makeChip(chipNumbers.get(key), c));
  }
  return frag;
}

/** One line of text for an object's values: primary values bare, others as "标签:值". */
function describe(obj) {
  if (isScalar(obj)) return obj === true ? "是" : String(obj ?? "");
  if (Array.isArray(obj)) return obj.map(describe).filter(Boolean).join("、");
  const bare = [];
  const labelled = [];
  for (const [k, v] of Object.entries(obj)) {
    if (HIDDEN_KEYS.has(k) || isEmpty(v)) continue;
    if (v === true) labelled.push(label(k));
    else if (PRIMARY_KEYS.has(k)) bare.push(describe(v));
    else labelled.push(`${label(k)}:${describe(v)}`);
  }
  if (!bare.length) return labelled.join(",");
  return labelled.length ? `${bare.join(" ")}(${labelled.join(",")})` : bare.join(" ");
}

function valueNode(v) {
  const span = el("span", "summary-value");
  if (Array.isArray(v)) {
    const ul = el("ul");
    for (const item of v) {
      const li = el("li");
      li.append(valueNode(item));
      ul.append(li);
    }
    return ul;
  }
  span.append(describe(v));
  if (v && typeof v === "object" && v.citations) span.append(" ", chipsFor(v.citations));
  return span;
}

function columnsOf(rows) {
  const cols = [];
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (!HIDDEN_KEYS.has(k) && !cols.includes(k) && rows.some((r) => !isEmpty(r[k])) && !Array.isArray(v)) cols.push(k);
    }
  }
  return cols;
}

function tableNode(rows) {
  const cols = columnsOf(rows);
  const table = el("table", "summary-table");
  const head = el("tr");
  for (const c of cols) head.append(el("th", "", label(c)));
  head.append(el("th", "", "出处"));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const c of cols) tr.append(el("td", "", isEmpty(row[c]) ? "" : describe(row[c])));
    const src = el("td");
    src.append(chipsFor(row.citations));
    tr.append(src);
    table.tBodies[0].append(tr);
  }
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  return wrap;
}

function sectionNode(title, fields, asTable) {
  const sec = el("section", "summary-section");
  sec.append(el("h3", "", title));
  const present = fields.filter(([, v]) => !isEmpty(v));
  if (!present.length) {
    sec.append(el("p", "summary-empty", "报告中没有找到相关内容。"));
    return sec;
  }
  if (asTable && present.length === 1 && Array.isArray(present[0][1]) && present[0][1].every((r) => r && typeof r === "object")) {
    sec.append(tableNode(present[0][1]));
    return sec;
  }
  const dl = el("dl");
  for (const [k, v] of present) {
    const dd = el("dd");
    dd.append(valueNode(v));
    dl.append(el("dt", "", label(k)), dd);
  }
  sec.append(dl);
  return sec;
}

function render(summary) {
  chipNumbers = new Map();
  const body = $("summary-body");
  const used = new Set();
  const nodes = [];
  for (const s of SECTIONS) {
    const fields = s.keys.filter((k) => k in summary).map((k) => [k, summary[k]]);
    fields.forEach(([k]) => used.add(k));
    if (fields.length || s.always) nodes.push(sectionNode(s.title, fields, s.table));
  }
  const rest = Object.entries(summary).filter(([k]) => !used.has(k) && !HIDDEN_KEYS.has(k));
  if (rest.some(([, v]) => !isEmpty(v))) nodes.push(sectionNode("其他", rest, false));
  body.replaceChildren(...nodes);
}

function downloadLink(docId, fmt, text) {
  const a = el("a", "btn btn-small", text);
  a.href = `documents/${encodeURIComponent(docId)}/summary?format=${fmt}`;
  a.setAttribute("download", "");
  return a;
}

export async function showSummary(doc) {
  const title = $("summary-title");
  title.textContent = `会议纪要 · ${doc.title}`;
  $("summary-downloads").replaceChildren(
    downloadLink(doc.id, "docx", "下载 .docx"), downloadLink(doc.id, "md", "下载 .md"));
  const body = $("summary-body");
  body.setAttribute("aria-busy", "true");
  body.replaceChildren(el("p", "muted", "正在生成纪要…"));
  title.focus();
  try {
    const summary = await api(`documents/${encodeURIComponent(doc.id)}/summary?format=json`);
    render(summary);
  } catch (err) {
    body.replaceChildren(el("p", "error-text", describeError(err)));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
