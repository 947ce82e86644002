// Talking to the huiyi HTTP API: JSON calls, the /ask/stream SSE reader, uploads with progress,
// and turning the API's {code, message} errors into plain Chinese.

// Stable error codes (huiyi/errors.py) → what a user should read first.
const ERROR_LABELS = {
  unsupported_format: "不支持的文件格式",
  empty_document: "文件是空的",
  too_large: "文件太大",
  bad_input: "输入有误",
  not_found: "找不到该内容",
  embedding_mismatch: "索引与当前向量模型不一致",
  store_unavailable: "存储服务暂不可用",
  upstream_error: "大模型服务出错",
  upstream_timeout: "大模型服务超时",
  invalid_request: "请求有误",
  invalid_characters: "文本含有无效字符",
  history_too_long: "对话历史过长",
  unauthorized: "需要 API 密钥",
  forbidden: "没有权限",
  insufficient_scope: "此密钥没有该权限",
  cross_site_forbidden: "拒绝跨站请求",
  rate_limited: "请求过于频繁",
  too_busy: "服务繁忙",
  queue_full: "上传队列已满",
  too_many_pages: "页数过多",
  zip_bomb: "文件异常(压缩比过大)",
  decompressed_too_large: "文件解压后过大",
  too_much_text: "文字过多",
  parse_timeout: "解析超时",
  parse_memory: "解析超出内存上限",
  internal_error: "服务内部错误",
  network: "无法连接服务器",
  http: "服务器出错",
};

export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message || code);
    this.code = code || "http";
    this.status = status;
  }
}

// What to do next, in Chinese, for errors whose server message is "中文 / English details".
const HINTS = {
  unsupported_format: "请上传 .txt、.md、.html、.docx 或 .pdf 文件。",
  empty_document: "请上传含有文字的报告。",
  too_large: "请拆分文件后再上传。",
};
const CJK = /[\u4e00-\u9fff]/;

/** One line a person can act on, in Chinese: the server's Chinese words, or the code's label. */
export function describeError(err) {
  const code = err && err.code ? err.code : "http";
  const label = ERROR_LABELS[code] || ERROR_LABELS.http;
  let text = err && err.message && err.message !== code ? String(err.message).trim() : "";
  if (text.includes(" / ")) {
    // Bilingual server messages: keep the Chinese half and add what to do next.
    const zh = text.split(" / ")[0].trim();
    if (CJK.test(zh)) text = HINTS[code] ? `${zh}。${HINTS[code]}` : zh;
  }
  if (!text) return label;
  if (!CJK.test(text)) return `${label}:${text}`;
  // "中文说明。English translation." → the Chinese sentence(s) only.
  const zhOnly = text.match(/^(.*[。!?!?])[^\u4e00-\u9fff]*$/);
  return zhOnly ? zhOnly[1] : text;
}

/** Build an ApiError from a non-2xx body, whatever shape it has (ours, FastAPI's, or none). */
function errorFromBody(status, body) {
  if (body && typeof body === "object") {
    if (body.code || body.message) return new ApiError(body.code, body.message, status);
    if (body.detail) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      return new ApiError(status === 422 ? "bad_input" : "http", detail, status);
    }
  }
  const code = status === 404 ? "not_found" : status === 415 ? "unsupported_format" : "http";
  return new ApiError(code, `HTTP ${status}`, status);
}

async function parseBody(resp) {
  const text = await resp.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---- API keys: asked for when the server answers 401, kept for this browser tab only.
const KEY_STORE = "huiyi-api-key";

export function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORE) || "";
  } catch {
    return "";
  }
}

/** Headers that carry the key (none when no key was given). */
export function authHeaders(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : { ...extra };
}

let keyPrompt = null;

/** Ask the user for an API key (one dialog at a time); resolves true when a key was entered. */
export function askForKey(reason = "") {
  if (keyPrompt) return keyPrompt;
  keyPrompt = new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.id = "key-dialog";
    dialog.className = "key-dialog";
    dialog.innerHTML = `<form method="dialog">
      <h2>需要 API 密钥</h2>
      <p class="muted"></p>
      <label for="key-input">密钥</label>
      <input id="key-input" type="password" autocomplete="off" required>
      <div class="actions"><button value="cancel" type="button" class="btn" id="key-cancel">取消</button>
      <button value="ok" class="btn primary" id="key-ok">确定</button></div></form>`;
    dialog.querySelector("p").textContent = reason || "此服务需要密钥才能访问。密钥只保存在本标签页中。";
    document.body.append(dialog);
    const done = (ok) => {
      const value = dialog.querySelector("#key-input").value.trim();
      if (ok && value) sessionStorage.setItem(KEY_STORE, value);
      dialog.close();
      dialog.remove();
      keyPrompt = null;
      resolve(Boolean(ok && value));
    };
    dialog.querySelector("form").addEventListener("submit", (e) => {
      e.preventDefault();
      done(true);
    });
    dialog.querySelector("#key-cancel").addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", () => done(false));
    dialog.showModal();
  });
  return keyPrompt;
}

async function send(path, options, key) {
  const headers = { ...(options.headers || {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  try {
    return await fetch(path, { ...options, headers });
  } catch (e) {
    if (e && e.name === "AbortError") throw e;
    throw new ApiError("network", "无法连接服务器,请检查服务是否在运行", 0);
  }
}

/** fetch with the key; on 401 asks for a key (again, if the one given was wrong) and retries. */
export async function authedFetch(path, options = {}) {
  let key = apiKey();
  let resp = await send(path, options, key);
  for (let tries = 0; resp.status === 401 && tries < 5; tries++) {
    // Another request's prompt may already have brought a new key; else ask (one dialog for all callers).
    if (apiKey() === key && !(await askForKey(key ? "密钥无效,请重新输入。" : ""))) break;
    key = apiKey();
    resp = await send(path, options, key);
  }
  return resp;
}

export async function api(path, options = {}) {
  const resp = await authedFetch(path, options);
  const body = resp.status === 204 ? null : await parseBody(resp);
  if (!resp.ok) throw errorFromBody(resp.status, body);
  return body;
}

export function postJSON(path, payload) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}

/** Parse one SSE frame ("event: x\ndata: ...") into {event, data}; data is JSON when it parses. */
function parseFrame(frame) {
  let event = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (!line || line.startsWith(":")) continue; // comments are keep-alive pings
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const raw = data.join("\n");
  try {
    return { event, data: JSON.parse(raw) };
  } catch {
    return { event, data: raw };
  }
}

/** POST JSON and yield the server-sent events of the streamed reply as they arrive. */
export async function* streamSSE(path, payload, signal) {
  const resp = await authedFetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(payload),
    signal,
  });
  if (!resp.ok) throw errorFromBody(resp.status, await parseBody(resp));
  const reader = resp.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    // sse-starlette separates lines with \r\n; normalise before splitting frames.
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = parseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (frame) yield frame;
    }
    if (done) break;
  }
  const last = parseFrame(buffer.trim());
  if (last) yield last;
}

/** Upload one file, then follow its ingest job: onProgress(fraction of bytes sent), onJob(job) while indexing. */
export async function uploadFile(file, kb, onProgress, onJob = () => {}) {
  let sent;
  for (let tries = 0; ; tries++) {
    try {
      sent = await sendFile(file, kb, onProgress);
      break;
    } catch (err) {
      if (err.status !== 401 || tries >= 3 || !(await askForKey(apiKey() ? "密钥无效,请重新输入。" : ""))) throw err;
    }
  }
  let job = sent.record;
  // 202: the server queued the file; poll the job until it is stored or refused.
  for (let delay = 200; job && (job.state === "queued" || job.state === "running"); delay = Math.min(delay * 1.5, 1500)) {
    onJob(job);
    await new Promise((r) => setTimeout(r, delay));
    job = await api(`jobs/${encodeURIComponent(job.id)}`);
  }
  if (job && job.state === "failed") throw new ApiError(job.error.code, job.error.message, job.error.status);
  const result = job && job.result ? job.result : null;
  return { status: result && result.status === "unchanged" ? 200 : 201, record: result ? result.document : null, job };
}

/** POST one file with XMLHttpRequest so the page can show upload progress. */
function sendFile(file, kb, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "documents");
    const key = apiKey();
    if (key) xhr.setRequestHeader("Authorization", `Bearer ${key}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new ApiError("network", "上传中断:无法连接服务器,请检查服务是否在运行", 0));
    xhr.onload = () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, record: body });
      else reject(errorFromBody(xhr.status, body));
    };
    const form = new FormData();
    form.append("file", file, file.name);
    if (kb) form.append("kb", kb);
    xhr.send(form);
  });
}
