// The document library: list with filter, uploads (picker or drag-and-drop, several at once,
// per-file progress and errors), delete behind a confirm dialog, and the 一键生成纪要 entry.
import { api, describeError, uploadFile } from "./api.js";
import { currentKb, loadKbs, withKb } from "./kb.js";
import { forgetText } from "./source.js";

const $ = (id) => document.getElementById(id);
let documents = [];
let onSummarize = () => {};
let onChanged = () => {};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function dateText(doc) {
  const parts = [];
  if (doc.date_text) parts.push(doc.date_text);
  if (doc.date && doc.date !== doc.date_text) {
    parts.push(doc.year_inferred ? `(${doc.date},年份推断)` : `(${doc.date})`);
  }
  return parts.join(" ") || "日期未知";
}

function renderDoc(doc) {
  const li = el("li", "doc");
  li.dataset.docId = doc.id;
  li.append(el("h3", "doc-title", doc.title || doc.source || doc.id));
  const facts = el("p", "doc-facts");
  facts.append(el("span", "doc-date", dateText(doc)));
  if (doc.region) facts.append(el("span", "doc-region", doc.region));
  facts.append(el("span", "doc-chunks", `${doc.chunks} 个片段`));
  li.append(facts);
  if (doc.placeholders > 0) {
    li.append(el("p", "doc-warn", `⚠ 含 ${doc.placeholders} 处未披露数值`));
  }
  const actions = el("div", "doc-actions");
  const sum = el("button", "btn btn-small btn-primary summarize", "一键生成纪要");
  sum.type = "button";
  sum.setAttribute("aria-label", `为《${doc.title}》一键生成纪要`);
  sum.addEventListener("click", () => onSummarize(doc, sum));
  const del = el("button", "btn btn-small btn-danger-ghost delete", "删除");
  del.type = "button";
  del.setAttribute("aria-label", `删除《${doc.title}》`);
  del.addEventListener("click", () => confirmDelete(doc, del));
  actions.append(sum, del);
  li.append(actions);
  return li;
}

function matches(doc, needle) {
  if (!needle) return true;
  const hay = [doc.title, doc.region, doc.source, doc.date_text].filter(Boolean).join(" ").toLowerCase();
  return needle.split(/\s+/).every((w) => hay.includes(w));
}

function renderList() {
  const needle = $("doc-filter").value.trim().toLowerCase();
  const shown = documents.filter((d) => matches(d, needle));
  $("doc-list").replaceChildren(...shown.map(renderDoc));
  $("doc-count").textContent = `(${documents.length})`;
  let status = "";
  if (!documents.length) status = "还没有报告,请先上传。";
  else if (!shown.length) status = "没有符合筛选条件的报告。";
  else if (needle) status = `显示 ${shown.length} / ${documents.length} 份`;
  $("library-status").textContent = status;
}

export async function loadDocuments() {
  try {
    const body = await api(withKb("documents"));
    documents = body.documents || [];
    renderList();
  } catch (err) {
    $("library-status").textContent = describeError(err);
  }
}

export function findDocument(docId) {
  return documents.find((d) => d.id === docId);
}

// The document the open confirm dialog asks about. One close listener for the page's life: a dialog's
// close event is queued, so the one left from Esc can arrive after the dialog was opened again for the
// next document; a listener per opening would take it as that opening's answer and miss the real one.
let pendingDelete = null;

function confirmDelete(doc, button) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = `确定删除《${doc.title}》吗?删除后它不再参与问答和纪要。`;
  pendingDelete = { doc, button };
  dialog.returnValue = "";
  dialog.showModal();
}

async function onConfirmClosed() {
  const dialog = $("confirm-dialog");
  if (dialog.open || !pendingDelete) return; // a close from an earlier opening: this one is still unanswered
  const { doc, button } = pendingDelete;
  pendingDelete = null;
  if (dialog.returnValue !== "confirm") {
    button.focus();
    return;
  }
  try {
    await api(`documents/${encodeURIComponent(doc.id)}`, { method: "DELETE" });
    forgetText(doc.id);
    toast(`已删除《${doc.title}》`);
    await loadDocuments();
    onChanged();
    $("doc-filter").focus();
  } catch (err) {
    toast(describeError(err));
    button.focus();
  }
}

export function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 3500);
}

function uploadRow(file) {
  const li = el("li", "upload");
  li.append(el("span", "upload-name", file.name));
  const bar = el("progress", "upload-bar");
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute("aria-label", `${file.name} 上传进度`);
  const state = el("span", "upload-state", "等待上传");
  li.append(bar, state);
  $("upload-list").prepend(li);
  return { li, bar, state };
}

async function uploadOne(file, row) {
  row.state.textContent = "正在上传…";
  try {
    const { status, record } = await uploadFile(
      file,
      currentKb(),
      (f) => {
        row.bar.value = f;
        // Once the bytes are sent the server still reads, cleans and indexes the report.
        if (f >= 1) row.state.textContent = "已上传,排队等待建立索引…";
      },
      (job) => {
        const p = job.progress || {};
        if (job.state === "queued") row.state.textContent = "已上传,排队等待建立索引…";
        else if (p.stage === "embed" && p.total) {
          row.bar.value = p.done / p.total;
          row.state.textContent = `正在建立索引 ${p.done}/${p.total} 个片段…`;
        } else if (p.stage === "store") row.state.textContent = "正在保存…";
        else row.state.textContent = "正在解析…";
      },
    );
    row.bar.value = 1;
    row.li.classList.add("ok");
    const chunks = record && record.chunks !== undefined ? `,${record.chunks} 个片段` : "";
    row.state.textContent = status === 201 ? `已收录${chunks}` : `内容未变化,已在库中${chunks}`;
  } catch (err) {
    row.li.classList.add("failed");
    row.bar.remove();
    row.state.textContent = describeError(err);
    row.state.title = err.message || ""; // the server's full wording, for whoever needs the details
    row.state.setAttribute("role", "alert");
  }
}

async function uploadAll(files) {
  const list = Array.from(files);
  if (!list.length) return;
  const rows = list.map(uploadRow);
  // One at a time: the server indexes uploads in order anyway, and the list stays readable.
  for (let i = 0; i < list.length; i++) await uploadOne(list[i], rows[i]);
  await Promise.all([loadDocuments(), loadKbs()]);
  onChanged();
}

function initDropzone() {
  const zone = $("dropzone");
  const input = $("file-input");
  $("pick-files").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    uploadAll(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    if (e.dataTransfer && e.dataTransfer.files.length) uploadAll(e.dataTransfer.files);
  });
}

export function initLibrary({ summarize, changed }) {
  onSummarize = summarize;
  onChanged = changed || onChanged;
  $("doc-filter").addEventListener("input", renderList);
  $("confirm-dialog").addEventListener("close", onConfirmClosed);
  initDropzone();
  return loadDocuments();
}
