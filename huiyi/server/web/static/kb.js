// The knowledge-base picker (知识库): which collection questions, the document list and uploads use.
// "" means every report; the choice is kept across reloads.
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);
const KEY = "huiyi.kb";
let current = localStorage.getItem(KEY) || "";
let onChange = () => {};

/** The chosen knowledge base, or "" for every report. */
export function currentKb() {
  return current;
}

/** `filters` for /ask: scoped to the chosen knowledge base, or none. */
export function kbFilters() {
  return current ? { kbs: [current] } : undefined;
}

/** "documents" or "documents?kb=…" for the chosen knowledge base. */
export function withKb(path) {
  return current ? `${path}${path.includes("?") ? "&" : "?"}kb=${encodeURIComponent(current)}` : path;
}

function option(value, text) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

export async function loadKbs() {
  const select = $("kb-select");
  try {
    const kbs = (await api("kbs")).kbs || [];
    if (current && !kbs.some((k) => k.name === current)) setKb("", false);
    const options = kbs.map((k) => option(k.name, `${k.default ? "未分类" : k.name}(${k.documents})`));
    select.replaceChildren(option("", "全部报告"), ...options);
    select.value = current;
  } catch {
    select.replaceChildren(option("", "全部报告"));
  }
}

function setKb(name, notify = true) {
  current = name;
  if (name) localStorage.setItem(KEY, name);
  else localStorage.removeItem(KEY);
  if (notify) onChange(name);
}

export function initKb({ changed }) {
  onChange = changed;
  $("kb-select").addEventListener("change", (e) => setKb(e.target.value));
  return loadKbs();
}
