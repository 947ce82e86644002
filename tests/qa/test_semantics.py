"""The offline answerer's general rules on made-up reports: the place scopes the documents, goals are not
results, a five-year average is not a year's figure, a heading's year governs its section, the answer is
the span of the asked type (never text from the gold sets)."""

from __future__ import annotations

from huiyi.qa.extractive import answer_offline, answer_text, retrieve
from huiyi.qa.prepare import prepare

from .conftest import Corpus, make_document

NORTH = """2026年江北省政府工作报告
——2026年1月20日在江北省第九届人民代表大会第三次会议上
省长 王北辰
各位代表：
一、2025年工作回顾
过去一年，全省地区生产总值增长5.1%，城镇新增就业60万人。
“十四五”时期，全省地区生产总值年均增长5.6%。
二、2026年工作安排
今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业55万人以上。
"""
SOUTH = NORTH.replace("江北省", "江南省").replace("王北辰", "李南山").replace("5.1%", "6.3%").replace("60万人", "80万人")


def corpus() -> Corpus:
    return Corpus([make_document(NORTH, "north"), make_document(SOUTH, "south")])


def ask(c: Corpus, question: str):
    prepared = prepare(question)
    return answer_offline(prepared, retrieve(prepared, c), c.document)


def test_the_place_named_picks_the_report():
    c = corpus()
    north, south = ask(c, "江北省2025年地区生产总值增长多少?"), ask(c, "江南省2025年地区生产总值增长多少?")
    assert "5.1%" in north.answer and all(x.doc_id == "north" for x in north.citations)
    assert "6.3%" in south.answer and all(x.doc_id == "south" for x in south.citations)


def test_a_goal_is_not_a_result_and_a_result_is_not_a_goal():
    c = corpus()
    assert "5%左右" in ask(c, "江北省2026年地区生产总值的预期目标是多少?").answer
    result = ask(c, "江北省2025年城镇新增就业多少人?")
    assert "60万人" in result.answer and "55万" not in result.answer


def test_a_five_year_average_is_not_one_year():
    c = corpus()
    one_year = ask(c, "江北省2025年地区生产总值增长多少?")
    assert "5.6%" not in one_year.answer
    assert "5.6%" in ask(c, "江北省“十四五”时期地区生产总值年均增长多少?").answer


def test_a_place_no_report_is_about_is_refused():
    assert ask(corpus(), "江西省2025年地区生产总值增长多少?").status == "not_found"


def test_the_answer_is_the_span_the_question_asks():
    text = "星海公司成立于1987年，总部设在临江市，创始人为周启明。"
    assert "1987年" in answer_text("星海公司成立于哪一年?", text).answer
    assert "临江市" in answer_text("星海公司总部在哪里?", text).answer
    who = answer_text("星海公司的创始人是谁?", text)
    assert "周启明" in who.answer and len(who.answer) < 12


def test_a_range_goal_is_quoted_whole():
    text = NORTH.replace("地区生产总值增长5%左右", "地区生产总值增长4.5%—5%")
    c = Corpus([make_document(text, "north")])
    answer = ask(c, "江北省2026年地区生产总值预期增长多少?").answer
    assert "4.5%—5%" in answer and not answer.startswith("是")


def test_a_second_question_keeps_the_first_ones_place_and_year():
    c = corpus()
    answer = ask(c, "江南省2025年地区生产总值是多少?增长了多少?").answer
    assert "6.3%" in answer and "5%左右" not in answer


def test_off_topic_questions_are_refused_though_some_sentence_shares_a_word():
    text = NORTH + "今天的江北迎来新的机遇。推出电影《江北故事》等作品。\n"
    c = Corpus([make_document(text, "north")])
    for question in ("今天天气怎么样?", "推荐一部好看的电影吧", "帮我写一首关于春天的诗"):
        assert ask(c, question).status == "not_found", question
    assert "5.1%" in ask(c, "江北省2025年地区生产总值增长多少?").answer


def test_a_place_no_report_is_about_is_refused_without_its_suffix():
    assert ask(corpus(), "陕西2026年地区生产总值预期增长目标是多少?").status == "not_found"


def test_a_which_city_question_gets_a_place_and_a_named_term_is_not_its_own_answer():
    text = NORTH + "支持临江市建设省域副中心城市，打造“两廊一带”。\n全力打造“四大产业集群”：新材料、数字经济、现代农业、文化旅游。\n"
    c = Corpus([make_document(text, "north")])
    assert "临江" in ask(c, "江北省加快建设的省域副中心城市是哪个?").answer
    assert "“四大产业集群”" != ask(c, "江北省要打造的“四大产业集群”有哪些?").answer.rstrip("。")


def test_this_year_in_a_january_report_asks_for_its_goal():
    answer = ask(corpus(), "江北省今年城镇新增就业要达到多少人?").answer
    assert "55万人以上" in answer and "60万人" not in answer


def test_a_whole_year_goal_does_not_answer_for_a_half_year():
    assert ask(corpus(), "江北省2026年上半年地区生产总值预期增长多少?").status == "not_found"


def test_a_numbered_meeting_the_documents_are_not_about_is_refused():
    text = ("江北县政府第38次常务会议召开\n3月15日，县长王北辰主持召开县政府第38次常务会议，研究春耕生产、人居环境整治等事项。"
            "会议指出，今年全县粮食播种面积任务为36万亩。\n")
    c = Corpus([make_document(text, "n38")])
    assert ask(c, "江北县政府第37次常务会议研究了哪些事项?").status == "not_found"
    assert ask(c, "江北县政府第38次常务会议研究了哪些事项?").status == "answered"


def test_wanting_a_figure_is_asking_for_a_goal():
    from huiyi.qa.analysis import analyze

    assert analyze("青山县想让一季度GDP涨多少?").target and analyze("江北省今年要把新能源装机搞到多大?").target
    assert not analyze("江北省一季度GDP涨了多少?").target
