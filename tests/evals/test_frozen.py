"""The test parts of the gold sets are frozen: their bytes must match the manifest written when they were frozen."""

import hashlib
import json
from pathlib import Path

GOLD = Path(__file__).resolve().parents[2] / "huiyi" / "evals" / "gold"


def test_frozen_test_parts_are_unchanged() -> None:
    manifest = json.loads((GOLD / "FROZEN.json").read_text(encoding="utf-8"))
    assert manifest["files"], "nothing frozen"
    for name, digest in manifest["files"].items():
        path = GOLD / name
        assert path.exists(), f"frozen gold file {name} is gone"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"frozen gold file {name} was edited"


def test_every_test_part_is_frozen() -> None:
    manifest = json.loads((GOLD / "FROZEN.json").read_text(encoding="utf-8"))
    test_parts = {str(p.relative_to(GOLD)) for p in GOLD.rglob("*.test.*")}
    assert test_parts <= set(manifest["files"]), f"test parts not frozen: {sorted(test_parts - set(manifest['files']))}"
