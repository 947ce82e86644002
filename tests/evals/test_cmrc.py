"""CMRC 2018 control: the fixed split, question types, official-style scoring, and the real offline reader."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from huiyi.evals import cmrc
from huiyi.evals.harness import run_cmrc


def test_split_is_fixed_by_passage_and_about_half() -> None:
    dev, test = cmrc.load_questions(split="dev"), cmrc.load_questions(split="test")
    assert len(dev) + len(test) == 1002
    assert 0.4 < len(dev) / 1002 < 0.6
    assert not {q.context_id for q in dev} & {q.context_id for q in test}
    assert all(cmrc.split_of(q.context_id) == "dev" for q in dev)
    assert cmrc.split_of("TRIAL_800") == cmrc.split_of("TRIAL_800")  # no salt, no randomness


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("2009年3月17日谁宣布解散政府？", "who"),
        ("高英是哪位皇帝的皇后？", "who"),
        ("伊丽莎白港机场位于哪里？", "where"),
        ("首届比赛在哪里举行？", "where"),
        ("蒋家旻在哪部电影中首度担当女主角？", "which"),
        ("塞内加尔是何时成为一个独立国家的？", "when"),
        ("松平康忠是什么时期的武将？", "when"),
        ("潘仕成逝世的时间是？", "when"),
        ("李日华生于哪一年？", "year"),
        ("A-135反弹道导弹系统于哪年开始运作？", "year"),
        ("射控追踪雷达的距离精度是多少？", "number"),
        ("佩内塔获得过几次WTA赛事女子单打冠军？", "number"),
        ("挪威海螯虾主要的食粮是什么？", "what"),
        ("四川地区，将五月艾称之为什么？", "what"),
        ("《神圣十月》是由哪个杂志连载的？", "which"),
        ("阿部重次的子女有哪些？", "which"),
        ("为什么战斗机不需要安装翼尖小翼？", "why"),
        ("闪族和早期巴比伦没有0的符号，如何处理的？", "how"),
        ("香港羽毛球公开赛每年都有比赛吗？", "whether"),
        ("香港公开羽毛球锦标赛的主办方是？", "other"),
    ],
)
def test_question_types_by_interrogative(question: str, qtype: str) -> None:
    assert cmrc.question_type(question) == qtype


def test_every_split_has_the_common_types() -> None:
    for split in ("dev", "test"):
        types = Counter(q.qtype for q in cmrc.load_questions(split=split))
        assert {"who", "where", "when", "number", "what", "which", "why", "how"} <= set(types)


def test_scores_per_type_with_a_fake_reader(tmp_path: Path) -> None:
    data = [{"context_id": "P1", "title": "t", "context_text": "甲于1949年出生于乙城。",
             "qas": [{"query_id": "q1", "query_text": "甲于哪一年出生？", "answers": [1949, "1949年"]},
                     {"query_id": "q2", "query_text": "甲出生于哪里？", "answers": ["乙城"]},
                     {"query_id": "q3", "query_text": "甲是谁？", "answers": ["人物"]}]}]
    path = tmp_path / "trial.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    split = cmrc.split_of("P1")
    replies = {"q1": "1949", "q2": "出生于乙城", "q3": ""}
    run = run_cmrc(split, lambda q: cmrc.Prediction(replies[q.query_id], "answered" if replies[q.query_id] else "not_found"),
                   path=path)
    assert run.kind == "cmrc" and run.key == f"cmrc/{split}" and run.run.cases == 3
    assert run.by_type["year"] == {"n": 1, "em": 100.0, "f1": 100.0, "refused": 0}
    assert run.by_type["where"]["em"] == 0.0 and run.by_type["where"]["f1"] == pytest.approx(57.14)  # 2 of 5 predicted characters, all of the gold
    assert run.by_type["who"]["refused"] == 1 and run.metrics["refused"] == 1
    assert run.metrics["cmrc_em"] == pytest.approx(33.33) and run.cmrc[0].answers == ["1949", "1949年"]


def test_offline_reader_over_real_passages() -> None:
    run = run_cmrc("dev", limit=25)
    assert run.run.cases == 25
    assert 0 <= run.metrics["cmrc_em"] <= run.metrics["cmrc_f1"] <= 100
    assert run.metrics["cmrc_f1"] > 0  # the answerer finds something in its own passage
    assert all(c.status in ("answered", "not_found", "undisclosed") or c.status.startswith("error") for c in run.cmrc)
