from huiyi.qa.history import rewrite_question
from huiyi.qa.models import ChatTurn


def turns(*pairs):
    out = []
    for q, a in pairs:
        out += [ChatTurn(role="user", content=q), ChatTurn(role="assistant", content=a)]
    return out


def test_no_history_keeps_the_question():
    assert rewrite_question("甲县上半年GDP增长多少?", []) == "甲县上半年GDP增长多少?"


def test_elliptical_period_replaces_the_period():
    h = turns(("甲县上半年GDP增长多少?", "上半年,全县GDP增长5.9%。"))
    assert rewrite_question("那前三季度呢?", h) == "甲县前三季度GDP增长多少?"
    assert rewrite_question("那1—11月呢?", h) == "甲县1—11月GDP增长多少?"


def test_elliptical_indicator_and_place():
    h = turns(("石鼓区上半年GDP增长多少?", "5.9%"))
    assert rewrite_question("固定资产投资呢?", h) == "石鼓区上半年固定资产投资增长多少?"
    assert rewrite_question("蒸湘区呢?", h) == "蒸湘区上半年GDP增长多少?"


def test_chain_of_follow_ups_resolves_in_order():
    h = turns(("石鼓区上半年GDP增长多少?", "5.9%"), ("那前三季度呢?", "5.7%"))
    assert rewrite_question("固定资产投资呢?", h) == "石鼓区前三季度固定资产投资增长多少?"


def test_pronoun_is_the_person_last_named():
    h = turns(("谁对上半年经济运行情况进行了讲评?", "县委副书记、县长蒋某华对全县上半年经济运行情况进行了讲评。"))
    assert rewrite_question("他还强调了什么?", h) == "蒋某华还强调了什么?"


def test_full_follow_up_inherits_only_the_place():
    h = turns(("石鼓区委全会上谁作工作报告?", "区委书记王某受区委常委会委托向全会作工作报告。"))
    assert rewrite_question("那经济运行是谁讲评的?", h) == "石鼓区那经济运行是谁讲评的?"
    assert rewrite_question("该区上半年GDP增长多少?", h) == "石鼓区上半年GDP增长多少?"


def test_a_self_contained_follow_up_is_answered_as_asked():
    # the earlier turn was about another place; the new question names its own meeting and role
    history = [ChatTurn(role="user", content="青山区上半年GDP增长多少?"), ChatTurn(role="assistant", content="增长5%。")]
    q = "县长在四季度碰头会上说哪几项指标未达到目标?"
    assert rewrite_question(q, history) == q
    assert rewrite_question("固定资产投资增长多少?", history).startswith("青山区")  # a gap: the place is carried


def test_follow_ups_swap_a_year_a_counterpart_or_ask_the_goal():
    h = turns(("江北省2025年城镇居民人均可支配收入增长多少?", "增长5%。"))
    assert rewrite_question("农村的呢?", h) == "江北省2025年农村居民人均可支配收入增长多少?"
    goal = rewrite_question("那2026年的目标呢?", h)
    assert "2026年" in goal and "2025年" not in goal and "目标" in goal and "城镇居民人均可支配收入" in goal


def test_a_short_follow_up_asks_about_the_same_subject_and_a_demonstrative_keeps_the_place():
    h = turns(("江北省前三季度地区生产总值是多少?", "1000亿元。"))
    assert rewrite_question("增长了多少?", h) == "江北省前三季度地区生产总值增长了多少?"
    assert rewrite_question("这份报告是谁作的?", h).startswith("江北省")
    report = turns(("江北省2026年政府工作报告是谁作的?", "省长王某。"))
    assert rewrite_question("是在哪天作的?", report) == "江北省2026年政府工作报告是在哪天作的?"
