// The chat: streamed answers over /ask/stream, citation chips, status badges, history for
// follow-up questions, copy and new-conversation.
import { kbFilters } from "./kb.js";
import { describeError, streamSSE } from "./api.js";
import { makeChip } from "./source.js";

const HISTORY_TURNS = 12; // prior turns sent with a question: enough for follow-ups, bounded
const STATUS_BADGES = {
  not_found: { text: "资料中未提及", cls: "badge-grey" },
  undisclosed: { text: "报告未披露", cls: "badge-amber" },
};

const $ = (id) => document.getElementById(id);
let turns = []; // [{role: "user"|"assistant", content}]
let busy = null; // AbortController of the answer being streamed

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollToEnd() {
  const conv = $("conversation");
  conv.scrollTop = conv.scrollHeight;
}

/** Answer text with inline [n] markers turned into chips when n names a citation. */
function renderAnswerText(target, answer, citations) {
  target.replaceChildren();
  const re = /\[(\d{1,2})\]/g;
  let last = 0;
  for (const m of answer.matchAll(re)) {
    const n = Number(m[1]);
    if (n < 1 || n > citations.length) continue;
    target.append(document.createTextNode(answer.slice(last, m.index)), makeChip(n, citations[n - 1]));
    last = m.index + m[0].length;
  }
  target.append(document.createTextNode(answer.slice(last)));
}

function renderCitations(bubble, citations) {
  let list = bubble.querySelector(".citations");
  if (!list) {
    list = el("div", "citations");
    bubble.querySelector(".answer").after(list);
  }
  list.replaceChildren();
  if (!citations.length) {
    list.remove();
    return;
  }
  list.append(el("span", "citations-label", "出处"));
  citations.forEach((c, i) => {
    const item = el("span", "citation");
    item.append(makeChip(i + 1, c), el("span", "citation-title", c.title || c.doc_id));
    list.append(item);
  });
}

function modeText(resp) {
  if (resp.mode === "llm") return resp.model ? `大模型:${resp.model}` : "大模型";
  return "离线模式";
}

function renderMeta(bubble, resp) {
  const meta = el("div", "answer-meta");
  meta.append(el("span", "meta-mode", modeText(resp)));
  if (resp.fallback) meta.append(el("span", "meta-note", `已改用离线答案:${resp.fallback}`));
  else if (bubble.dataset.replaced) meta.append(el("span", "meta-note", bubble.dataset.replaced));
  const g = resp.grounding;
  if (g && g.ok === false) meta.append(el("span", "meta-warn", g.note || "部分数字未能与原文核对"));
  const total = resp.timing && (resp.timing.total ?? resp.timing.total_ms);
  if (typeof total === "number") {
    const ms = resp.timing.total_ms !== undefined ? total : total * 1000;
    meta.append(el("span", "meta-time", `${Math.round(ms)} 毫秒`));
  }
  const copy = el("button", "btn btn-ghost btn-small copy-answer", "复制答案");
  copy.type = "button";
  copy.addEventListener("click", () => copyAnswer(resp, copy));
  meta.append(copy);
  bubble.append(meta);
}

/** The answer plus its sources as plain text, so a paste keeps the evidence. */
function answerAsText(resp) {
  const lines = [resp.answer];
  (resp.citations || []).forEach((c, i) => lines.push(`[${i + 1}] ${c.title || c.doc_id}:“${c.quote}”`));
  return lines.join("\n");
}

async function copyAnswer(resp, button) {
  const text = answerAsText(resp);
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // Clipboard API is refused outside secure contexts; the old path still works there.
    const area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    ok = document.execCommand("copy");
    area.remove();
  }
  button.textContent = ok ? "已复制" : "复制失败";
  setTimeout(() => (button.textContent = "复制答案"), 1600);
}

function finish(bubble, resp) {
  const answerEl = bubble.querySelector(".answer");
  const citations = resp.citations || [];
  bubble.dataset.status = resp.status || "answered";
  bubble.classList.add(`status-${resp.status || "answered"}`);
  const badge = STATUS_BADGES[resp.status];
  if (badge) answerEl.before(el("span", `badge ${badge.cls}`, badge.text));
  renderAnswerText(answerEl, resp.answer || "", citations);
  renderCitations(bubble, citations);
  renderMeta(bubble, resp);
}

function showError(bubble, err) {
  bubble.classList.add("status-error");
  bubble.dataset.status = "error";
  const answerEl = bubble.querySelector(".answer");
  answerEl.replaceChildren(el("span", "error-text", describeError(err)));
  answerEl.setAttribute("role", "alert");
}

function addBubble(role, text) {
  $("welcome")?.remove();
  const li = el("li", `turn turn-${role}`);
  const who = el("span", "who visually-hidden", role === "user" ? "你的问题:" : "回答:");
  const body = el("div", role === "user" ? "question-text" : "answer", text);
  if (role === "assistant") {
    body.setAttribute("aria-live", "polite");
    body.setAttribute("aria-busy", "true");
  }
  li.append(who, body);
  $("conversation").append(li);
  scrollToEnd();
  return li;
}

async function consume(bubble, payload, signal) {
  const answerEl = bubble.querySelector(".answer");
  let streamed = "";
  for await (const { event, data } of streamSSE("ask/stream", payload, signal)) {
    if (event === "delta") {
      streamed += data.text || "";
      answerEl.textContent = streamed;
      scrollToEnd();
    } else if (event === "replace") {
      // Verification changed the streamed text (repair or offline fallback): show the checked one.
      streamed = data.text || "";
      answerEl.textContent = streamed;
      bubble.dataset.replaced = data.reason || "答案已按原文核验结果更新。";
    } else if (event === "citations") {
      renderCitations(bubble, data.citations || []);
    } else if (event === "done") {
      return data;
    } else if (event === "error") {
      throw Object.assign(new Error(data.message), { code: data.code });
    }
  }
  throw Object.assign(new Error("回答中断,请重试"), { code: "network" });
}

export async function ask(question) {
  question = question.trim();
  if (!question || busy) return;
  addBubble("user", question);
  const bubble = addBubble("assistant", "正在查找资料…");
  const payload = { question, history: turns.slice(-HISTORY_TURNS), filters: kbFilters() };
  busy = new AbortController();
  setSending(true);
  try {
    const resp = await consume(bubble, payload, busy.signal);
    finish(bubble, resp);
    turns.push({ role: "user", content: question }, { role: "assistant", content: resp.answer || "" });
  } catch (err) {
    if (err.name !== "AbortError") showError(bubble, err);
  } finally {
    bubble.querySelector(".answer").setAttribute("aria-busy", "false");
    busy = null;
    setSending(false);
    scrollToEnd();
  }
}

function setSending(on) {
  $("send").disabled = on;
  $("send").textContent = on ? "回答中…" : "发送";
}

export function newChat() {
  if (busy) busy.abort();
  turns = [];
  $("conversation").replaceChildren();
  $("question").value = "";
  $("question").focus();
}

export function initChat() {
  const form = $("ask-form");
  const box = $("question");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = box.value;
    if (!q.trim() || busy) return;
    box.value = "";
    ask(q);
  });
  box.addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a newline; Enter while an IME is composing picks a candidate.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  $("new-chat").addEventListener("click", newChat);
}
