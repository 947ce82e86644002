import os
import subprocess
import sys

from huiyi.index.tokens import ENCODING_NAME, count_tokens


def test_counts_are_cl100k():
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    # Chinese: roughly one token per character or more, never zero
    n = count_tokens("上半年,全县GDP增长5.9 %")
    assert 8 <= n <= 30


def test_special_token_text_is_ordinary():
    assert count_tokens("<|endoftext|>") > 1


def test_works_with_empty_cache_dir_and_no_network(tmp_path):
    # A fresh process with an empty tiktoken cache and a dead proxy: any download attempt would fail.
    env = dict(os.environ)
    env.update(
        TIKTOKEN_CACHE_DIR=str(tmp_path / "tk"),
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        DATA_GYM_CACHE_DIR=str(tmp_path / "dg"),
    )
    code = "from huiyi.index.tokens import count_tokens, encoding; print(encoding().name, count_tokens('同志们好'))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    name, n = out.stdout.split()
    assert name == ENCODING_NAME
    assert int(n) == count_tokens("同志们好")
