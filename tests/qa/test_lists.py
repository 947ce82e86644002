"""List questions on made-up texts: the items of the list whose lead (or heading) the question names, each cited."""

import pytest

from huiyi.index.records import SearchFilters
from huiyi.qa.analysis import analyze
from huiyi.qa.extractive import retrieve
from huiyi.qa.lists import answer_list, asked_noun, stated_count
from huiyi.qa.prepare import prepare
from huiyi.qa.reading import read

from .conftest import Corpus, make_document
from .test_extractive import assert_valid

REPORT = """2026年青山县政府工作报告
——2026年1月10日在青山县第十八届人民代表大会第五次会议上
青山县县长 李明华
各位代表：
一、2025年工作回顾
过去一年，我们重点做了三个方面工作：
（一）经济运行稳中向好
全县地区生产总值增长6.2%，城镇新增就业3200人。
（二）改革开放持续深化
新增市场主体4100户。
（三）民生福祉不断增进
新建幼儿园2所。
二、2026年重点工作
今年是“十五五”开局之年，重点抓好四个方面工作：
（一）做强特色产业，加快茶叶和竹木精深加工
围绕茶叶、竹木两大产业，新建标准化茶园2万亩。
（二）扩大有效投资
全年实施县级重点项目60个以上。
（三）推进城乡融合发展
加快县城扩容提质，新建改造城镇老旧小区12个。
（四）办好民生实事
今年将办好6件民生实事，包括：新建幼儿园3所；改造农村公路80公里；新增养老床位200张；建设城区停车位1500个；为5万名老年人免费体检；新建乡镇污水处理站4座。
三、加强政府自身建设
做好今年工作，必须做到“三个坚持”：
——坚持依法行政，严格规范公正文明执法
——坚持勤俭节约，过紧日子
——坚持真抓实干，狠抓工作落实
"""
RELEASE = """中共绿水县委十五届六次全会召开
12月26日，中共绿水县委十五届六次全会召开。全会强调，要重点抓好三个方面工作：一要着力壮大县域经济，加快建设现代农业产业园；二要着力改善民生，办好十件民生实事；三要着力防范化解风险，守牢安全底线。全会号召，全县上下要团结一心、真抓实干。
"""
NOTICE = """关于召开全县春季植树造林工作会议的通知
各乡镇人民政府，县直有关单位：
经县政府同意，定于近期召开全县春季植树造林工作会议。现将有关事项通知如下：
一、会议时间：2026年3月5日上午9:00
二、会议地点：县政府二楼会议室
三、参会人员
（一）县政府分管副县长
（二）各乡镇乡镇长、分管林业副乡镇长
（三）县林业局、县自然资源局、县财政局主要负责同志
四、有关要求
（一）请参会人员于8:40前到会签到
（二）请各乡镇准备书面汇报材料5份
（三）参会人员会前将手机调至静音状态
白云县人民政府办公室
2026年2月28日
"""


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus([make_document(REPORT, "report"), make_document(RELEASE, "release"),
                   make_document(NOTICE, "notice")])


def reading_of(corpus: Corpus, question: str, doc_ids=None):
    prepared = prepare(question, filters=SearchFilters(doc_ids=doc_ids) if doc_ids else None)
    return read(prepared, retrieve(prepared, corpus), corpus.document)


def ask_list(corpus: Corpus, question: str, doc_ids=None):
    return answer_list(reading_of(corpus, question, doc_ids))


def items_of(resp) -> list[str]:
    return resp.answer.rstrip("。").split(";")


def assert_each_item_cited(corpus: Corpus, resp) -> None:
    assert_valid(corpus, resp)
    for item in items_of(resp):
        assert any(item in c.quote for c in resp.citations), item


def test_the_sub_headings_under_the_lead_the_question_names(corpus):
    resp = ask_list(corpus, "青山县2026年重点抓好哪四个方面的工作?")
    assert resp is not None and resp.status == "answered"
    assert items_of(resp) == ["做强特色产业，加快茶叶和竹木精深加工", "扩大有效投资", "推进城乡融合发展", "办好民生实事"]
    assert_each_item_cited(corpus, resp)


def test_the_question_year_picks_the_section(corpus):
    resp = ask_list(corpus, "青山县2025年重点做了哪些方面工作?")
    assert resp is not None
    assert items_of(resp) == ["经济运行稳中向好", "改革开放持续深化", "民生福祉不断增进"]
    assert_each_item_cited(corpus, resp)


def test_a_list_of_another_length_than_asked_is_not_the_answer(corpus):
    assert ask_list(corpus, "青山县2026年重点抓好哪五个方面的工作?") is None


def test_a_list_after_a_colon_with_its_stated_count(corpus):
    resp = ask_list(corpus, "青山县今年要办的6件民生实事有哪些?")
    assert resp is not None
    assert items_of(resp)[0] == "新建幼儿园3所" and len(items_of(resp)) == 6
    assert resp.grounding.ok and "80公里" in resp.grounding.checked
    assert_each_item_cited(corpus, resp)


def test_lines_opened_by_a_dash(corpus):
    resp = ask_list(corpus, "青山县政府自身建设要做到哪“三个坚持”?")
    assert resp is not None
    assert [i[:4] for i in items_of(resp)] == ["坚持依法", "坚持勤俭", "坚持真抓"]
    assert_each_item_cited(corpus, resp)


def test_an_enumeration_inside_a_paragraph(corpus):
    resp = ask_list(corpus, "绿水县委全会要求重点抓好哪几方面工作?")
    assert resp is not None
    assert items_of(resp) == ["着力壮大县域经济，加快建设现代农业产业园", "着力改善民生，办好十件民生实事",
                              "着力防范化解风险，守牢安全底线"]
    assert_each_item_cited(corpus, resp)


@pytest.mark.parametrize("question,first,absent", [
    ("通知对参会提了哪些要求?", "请参会人员于8:40前到会签到", "县政府分管副县长"),
    ("哪些人参会?", "县政府分管副县长", "请参会人员于8:40前到会签到"),
])
def test_a_notice_section_named_by_the_question(corpus, question, first, absent):
    resp = ask_list(corpus, question, ["notice"])
    assert resp is not None and items_of(resp)[0] == first
    assert absent not in resp.answer
    assert_each_item_cited(corpus, resp)


@pytest.mark.parametrize("question", [
    "红石县2026年重点抓好哪四个方面的工作?",  # a place no report is about
    "青山县有哪些茶叶品牌?",  # no list the reports introduce names it
    "青山县2026年地区生产总值预期增长多少?",  # not a list question
])
def test_no_list_answer(corpus, question):
    assert ask_list(corpus, question) is None


@pytest.mark.parametrize("question,count,noun", [
    ("甘肃2026年重点抓好哪八个方面的工作?", 8, "方面"),
    ("今年要办的15件民生实事里都有哪些?", 15, "实事"),
    ("通知对参会提了哪些要求?", None, "要求"),
    ("重点工作有哪些?", None, "工作"),
    ("哪些人参会?", None, None),  # one character says too little
    ("第二季度有哪些新开工项目?", None, "新开工"),
])
def test_what_a_list_question_asks(question, count, noun):
    assert stated_count(analyze(question).text) == count
    assert asked_noun(analyze(question).text) == noun
