// First start on an empty store: the server indexes its sample reports in the background. While /healthz
// says so, a banner shows how far it is; when it is done the document list reloads.
import { api } from "./api.js";

const POLL_MS = 1000;

function line(ix) {
  const files = ix.files_total ? `${ix.files_done}/${ix.files_total} 份报告` : "正在准备";
  const eta = ix.eta_s != null && ix.eta_s > 0 ? ` · 约 ${ix.eta_s} 秒` : "";
  return `正在建立索引:${files} · ${ix.chunks_done || 0} 个片段 · ${ix.percent || 0}%${eta}。已收录的报告现在就能提问。`;
}

export async function watchIndexing({ done }) {
  const banner = document.getElementById("indexing");
  let seen = false;
  for (;;) {
    let ix = null;
    try {
      ix = (await api("healthz")).indexing;
    } catch {
      ix = null;
    }
    if (!ix || ix.state !== "running") {
      if (ix && ix.state === "failed") {
        banner.textContent = "建立索引失败,请查看服务日志。";
        banner.hidden = false;
      } else {
        banner.hidden = true;
      }
      if (seen) done();
      return;
    }
    seen = true;
    banner.textContent = line(ix);
    banner.hidden = false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
