// Page wiring: views (问答 / 纪要), the mode badge, the phone-width library toggle, Esc handling.
import { api, apiKey, askForKey } from "./api.js";
import { initChat } from "./chat.js";
import { initKb } from "./kb.js";
import { watchIndexing } from "./indexing.js";
import { initLibrary, loadDocuments } from "./library.js";
import { closeSource, initSource } from "./source.js";
import { showSummary } from "./summary.js";

const $ = (id) => document.getElementById(id);

export function showView(name) {
  for (const view of ["chat", "summary"]) {
    $(`${view}-view`).hidden = view !== name;
    $(`tab-${view}`).setAttribute("aria-pressed", String(view === name));
  }
  document.body.dataset.view = name;
}

async function loadMode() {
  const badge = $("mode-badge");
  try {
    const h = await api("healthz");
    // Only the model's name is shown: the health endpoint never carries a key, nor does this page.
    badge.textContent = h.mode === "llm" ? `大模型:${h.model || "已配置"}` : "离线模式";
    badge.dataset.mode = h.mode;
    badge.title = h.mode === "llm" ? "回答由大模型生成,并在代码中核对引用" : "不调用大模型,从原文抽取答案";
    if (h.auth === "api_key" && !apiKey()) await askForKey();
  } catch {
    badge.textContent = "服务未连接";
    badge.dataset.mode = "down";
  }
}

function initLibraryToggle() {
  const toggle = $("library-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("library-open", open);
    if (open) $("pick-files").focus();
  });
}

function closeLibraryOnPhone() {
  const toggle = $("library-toggle");
  if (toggle.getAttribute("aria-expanded") === "true" && getComputedStyle(toggle).display !== "none") {
    toggle.setAttribute("aria-expanded", "false");
    document.body.classList.remove("library-open");
    return true;
  }
  return false;
}

function initKeys() {
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || $("confirm-dialog").open) return; // the dialog handles its own Esc
    if (closeSource()) return;
    if (closeLibraryOnPhone()) $("library-toggle").focus();
  });
  // A file dropped outside the drop zone must not navigate away from the page.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (e) => {
      if (!e.target.closest || !e.target.closest("#dropzone")) e.preventDefault();
    });
  }
}

async function openSummary(doc, button) {
  closeLibraryOnPhone();
  $("tab-summary").disabled = false;
  showView("summary");
  await showSummary(doc, button);
}

function init() {
  initSource();
  initChat();
  initLibraryToggle();
  initKeys();
  $("tab-chat").addEventListener("click", () => showView("chat"));
  $("tab-summary").addEventListener("click", () => showView("summary"));
  loadMode();
  initLibrary({ summarize: openSummary, changed: loadMode });
  initKb({ changed: () => loadDocuments() });
  watchIndexing({ done: () => { loadDocuments(); loadMode(); } });
  showView("chat");
  $("question").focus();
}

init();
