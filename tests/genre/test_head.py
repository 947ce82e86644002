"""A report's own region and byline speaker, read from its first lines (made-up texts)."""

from huiyi.genre.people import byline_speakers
from huiyi.genre.places import find_region, head_region


def test_the_region_in_the_title_or_occasion_line():
    assert head_region("2026年江南省政府工作报告\n——2026年1月20日在江南省第九届人民代表大会第三次会议上\n正文。") == "江南省"
    assert head_region("中共青山县委十五届八次全会召开\n7月18日，…") == "青山县"
    assert find_region("政府工作报告\n（2026年1月27日在江北省人民代表大会上）\n江北省长 某\n") == "江北省"


def test_a_body_sentence_is_not_the_head():
    assert head_region("我县增长5.9%,高于全市,高于江州市平均水平。县委要求…") is None


def test_byline_speakers():
    text = "2026年江南省政府工作报告\n——2026年1月20日在江南省人民代表大会上\n江南省省长 王小明\n各位代表：\n"
    assert byline_speakers(text) == [("王小明", "江南省省长")]
    assert byline_speakers("政府工作报告\n主席　李 强\n各位代表：") == [("李 强", "主席")]
    assert byline_speakers("各位代表：\n现在，我代表省人民政府报告工作。") == []


def test_a_release_is_about_the_county_it_opens_with_not_the_city_a_guest_comes_from():
    text = ("县委理论学习中心组举行第五次集体学习\n\n青山融媒6月12日讯 6月12日，青山县委理论学习中心组举行集体学习。"
            "县委书记某某主持。\n\n会议邀请临江市委党校教授某某作专题辅导报告。\n")
    assert find_region(text) == "青山县"
