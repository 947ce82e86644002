// The meeting summary view (会议纪要要素): GET /documents/{id}/summary?format=json rendered as
// sections, every field with its citation chips. Known fields get a readable one-line form;
// any other field renders generically (values + `citations`), so a new field is never lost.
import { api, apiKey, authedFetch, describeError } from "./api.js";
import { makeChip } from "./source.js";
import {
  FIELD_LABELS, HIDDEN_KEYS, MODE_LABELS, PLACEHOLDER_KINDS, PRIMARY_KEYS, SCALAR_FIELDS, SECTIONS, TABLE_HEADERS,
} from "./summary_labels.js";

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

const VISIBLE_CHIPS = 4; // more than this behind a "+N" button, so a field with many sources stays readable

function chipsFor(citations) {
  const frag = document.createDocumentFragment();
  const chips = (citations || []).map((c) => {
    const key = `${c.doc_id}:${c.start}:${c.end}`;
    if (!chipNumbers.has(key)) chipNumbers.set(key, chipNumbers.size + 1);
    return makeChip(chipNumbers.get(key), c);
  });
  chips.slice(0, VISIBLE_CHIPS).forEach((chip) => frag.append(" ", chip));
  if (chips.length > VISIBLE_CHIPS) {
    const rest = el("span", "more-chips");
    rest.hidden = true;
    chips.slice(VISIBLE_CHIPS).forEach((chip) => rest.append(" ", chip));
    const more = el("button", "btn-link", `+${chips.length - VISIBLE_CHIPS} 处出处`);
    more.type = "button";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", () => {
      rest.hidden = false;
      more.remove();
      rest.querySelector(".chip")?.focus();
    });
    frag.append(" ", more, rest);
  }
  return frag;
}

/** Generic one-line text for any value: primary values bare, the rest as "标签:值". */
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

// Readable forms for the fields of MeetingSummary whose generic form would be clumsy.
const FORMATS = {
  date: (d) => d.text + (d.iso ? `(${d.iso}${d.year_inferred ? ",年份为推断" : ""})` : ""),
  speakers: (s) => {
    const who = `${s.role || ""}${s.name || ""}`;
    return `${who ? `${who}:` : ""}${s.act || "讲话"}${s.topic ? `(${s.topic})` : ""}`;
  },
  decisions: (d) => (d.kind ? `${d.kind}:${d.text}` : d.text),
  placeholders: (p) =>
    `${p.text}${p.indicator ? `(${p.indicator})` : ""} · ${PLACEHOLDER_KINDS[p.kind] || p.kind}`,
};

function attendanceLines(a) {
  const has = (n) => n !== null && n !== undefined;
  const pair = (who, expected, present) => {
    const parts = [];
    if (has(expected)) parts.push(`应到 ${expected} 人`);
    if (has(present)) parts.push(`实到 ${present} 人`);
    return parts.length ? `${who}${parts.join(",")}` : null;
  };
  const lines = [
    pair("委员", a.members_expected, a.members_present),
    pair("候补委员", a.alternates_expected, a.alternates_present),
    has(a.present_total) ? `合计实到 ${a.present_total} 人` : null,
    a.quorum_statement || null,
    a.leaders_present && a.leaders_present.length ? `出席:${a.leaders_present.join("、")}` : null,
    a.attendees_groups && a.attendees_groups.length ? `列席:${a.attendees_groups.join(";")}` : null,
  ];
  return lines.filter(Boolean);
}

function itemNode(key, v) {
  const span = el("span", "summary-value");
  if (key === "attendance") {
    const ul = el("ul", "plain");
    attendanceLines(v).forEach((line) => ul.append(el("li", "", line)));
    span.append(ul, chipsFor(v.citations));
    return span;
  }
  if (key === "tasks") return taskGroupNode(v);
  span.append((FORMATS[key] || describe)(v));
  if (v && typeof v === "object" && v.citations) span.append(chipsFor(v.citations));
  return span;
}

function taskGroupNode(group) {
  const wrap = el("div", "task-group");
  const head = [group.speaker, group.heading].filter(Boolean).join(":");
  if (head || (group.citations || []).length) {
    const h = el("p", "task-head", head || "要求");
    h.append(chipsFor(group.citations));
    wrap.append(h);
  }
  const ul = el("ul");
  for (const item of group.items || []) {
    const li = el("li", "", item.text);
    li.append(chipsFor(item.citations));
    ul.append(li);
  }
  wrap.append(ul);
  return wrap;
}

function valueNode(key, v) {
  if (!Array.isArray(v)) return itemNode(key, v);
  const ul = el("ul");
  for (const item of v) {
    const li = el("li");
    li.append(itemNode(key, item));
    ul.append(li);
  }
  return ul;
}

function tableNode(rows, cols) {
  const table = el("table", "summary-table");
  const head = el("tr");
  for (const c of cols) head.append(el("th", "", TABLE_HEADERS[c] || label(c)));
  head.append(el("th", "", "出处"));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const row of rows) {
    const tr = el("tr");
    for (const c of cols) tr.append(el("td", `col-${c}`, isEmpty(row[c]) ? "—" : describe(row[c])));
    if (row.undisclosed) {
      tr.classList.add("undisclosed-row");
      tr.cells[cols.indexOf("value")]?.append(" ", el("span", "badge badge-amber", "未披露"));
    }
    if (row.target) tr.cells[0]?.append(" ", el("span", "badge", "目标"));
    const src = el("td");
    src.append(chipsFor(row.citations));
    tr.append(src);
    table.tBodies[0].append(tr);
  }
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  return wrap;
}

function fieldNode(k, v, summary, table) {
  const wrap = el("div", "summary-field");
  wrap.append(table && Array.isArray(v) ? tableNode(v, table) : valueNode(k, v));
  if ((summary.truncated || []).includes(k)) wrap.append(el("p", "muted", "(条目较多,仅列出前面部分)"));
  return wrap;
}

function sectionNode({ title, table, empty }, fields, summary) {
  const sec = el("section", "summary-section");
  sec.append(el("h3", "", title));
  const missing = new Set(summary.not_found || []);
  const present = fields.filter(([, v]) => !isEmpty(v));
  // A section of one field needs no field label: its heading says it, and tables get full width.
  if (fields.length === 1 && present.length === 1) {
    sec.append(fieldNode(present[0][0], present[0][1], summary, table));
    return sec;
  }
  const dl = el("dl");
  for (const [k, v] of fields) {
    if (isEmpty(v)) {
      // Say so for the basic facts; an empty list elsewhere is simply not shown.
      if (SCALAR_FIELDS.includes(k) && (missing.has(k) || v == null)) {
        dl.append(el("dt", "", label(k)), el("dd", "summary-missing", "报告中未提及"));
      }
      continue;
    }
    const dd = el("dd");
    dd.append(fieldNode(k, v, summary, table));
    dl.append(el("dt", "", label(k)), dd);
  }
  sec.append(dl.childElementCount ? dl : el("p", "summary-empty", empty || "报告中没有找到相关内容。"));
  return sec;
}

function render(summary) {
  chipNumbers = new Map();
  const used = new Set();
  const nodes = [];
  const meta = el("p", "muted summary-meta", MODE_LABELS[summary.mode] || "");
  if (summary.placeholder_count) meta.append(` · 全文含 ${summary.placeholder_count} 处未披露数值`);
  if (summary.fallback) meta.append(` · ${summary.fallback}`);
  nodes.push(meta);
  if ((summary.minutes || []).length) nodes.push(minutesNode(summary));
  for (const s of SECTIONS) {
    const fields = s.keys.filter((k) => k in summary).map((k) => [k, summary[k]]);
    fields.forEach(([k]) => used.add(k));
    nodes.push(sectionNode(s, fields, summary));
  }
  const rest = Object.entries(summary).filter(([k, v]) => !used.has(k) && !HIDDEN_KEYS.has(k) && !isEmpty(v));
  if (rest.length) nodes.push(sectionNode({ title: "其他" }, rest, summary));
  $("summary-body").replaceChildren(...nodes);
}

function downloadLink(docId, fmt, variant, text, hint) {
  const a = el("a", "btn btn-small", text);
  a.href = `documents/${encodeURIComponent(docId)}/summary?format=${fmt}&variant=${variant}`;
  a.setAttribute("download", "");
  a.title = hint;
  // A plain link cannot carry the API key: with a key, fetch the file and hand the browser a blob.
  a.addEventListener("click", async (e) => {
    if (!apiKey()) return;
    e.preventDefault();
    const resp = await authedFetch(a.href);
    if (!resp.ok) return;
    const name = /filename\*=UTF-8''([^;]+)/.exec(resp.headers.get("content-disposition") || "");
    const url = URL.createObjectURL(await resp.blob());
    const link = el("a");
    link.href = url;
    link.download = name ? decodeURIComponent(name[1]) : `summary.${fmt}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return a;
}

// The 纪要 prose: each section under its heading, each sentence with the chips of the sentence it came from.
function minutesNode(summary) {
  const sec = el("section", "summary-section minutes");
  sec.append(el("h3", "", "纪要正文"));
  for (const part of summary.minutes || []) {
    if (part.key !== "opening") sec.append(el("h4", "minutes-heading", part.heading));
    for (const s of part.sentences || []) {
      const p = el("p", "minutes-sentence", (s.parts || []).map((x) => x.text).join(""));
      p.append(chipsFor(s.citations));
      sec.append(p);
    }
  }
  if (summary.minutes_source === "llm") sec.append(el("p", "muted", "(大模型润色,已逐句核验原文)"));
  return sec;
}

export async function showSummary(doc) {
  const title = $("summary-title");
  title.textContent = `会议纪要 · ${doc.title}`;
  $("summary-downloads").replaceChildren(
    downloadLink(doc.id, "docx", "clean", "下载纪要 .docx", "公文格式的会议纪要,可直接发送(不含出处标注)"),
    downloadLink(doc.id, "md", "clean", "纪要 .md", "会议纪要 Markdown,不含出处标注"),
    downloadLink(doc.id, "docx", "audit", "审核稿 .docx", "逐条标注出处与原文位置,供核对"),
    downloadLink(doc.id, "md", "audit", "审核稿 .md", "逐条标注出处与原文位置的 Markdown"));
  const body = $("summary-body");
  body.setAttribute("aria-busy", "true");
  body.replaceChildren(el("p", "muted", "正在生成纪要…"));
  title.focus();
  try {
    render(await api(`documents/${encodeURIComponent(doc.id)}/summary?format=json`));
  } catch (err) {
    body.replaceChildren(el("p", "error-text", describeError(err)));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}
