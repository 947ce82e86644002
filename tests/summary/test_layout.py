"""Any meeting text: a typed notice, a 常务会议 release with a dateline, speeches, slogans that are formulations."""

from __future__ import annotations

from huiyi.summary.extractive import summarize_offline
from tests.summary.samples import NOTICE, RELEASE


def test_a_typed_notice_gives_its_headed_elements(make_doc):
    s = summarize_offline(make_doc(NOTICE, "notice"))
    assert s.kind == "notice"
    assert s.name and s.name.value == "全县秋季森林防火工作部署会议"
    assert s.meeting_type and s.meeting_type.value == "会议通知"
    assert s.place and s.place.value == "县政府三楼第一会议室"
    assert s.date and s.date.iso and s.date.iso.isoformat() == "2025-10-16"
    assert s.region and s.region.value == "云岭县"
    assert s.attendance.attendees_groups == ["县政府分管副县长", "各乡镇分管负责同志、林业站站长", "县林业局、县应急管理局、县气象局主要负责同志"]
    (group,) = s.tasks
    assert group.heading == "有关要求" and len(group.items) == 3
    assert group.items[0].text.startswith("请参会人员提前10分钟到会签到")
    assert [(sp.role, sp.name) for sp in s.speakers] == [("副县长", "罗文清")]
    assert s.indicators == [] and s.decisions == []  # a notice reports no figures and decides nothing
    assert not any("通知" in k.text for k in s.key_sentences)  # the notice's own title is not a key sentence
    assert "place" not in s.not_found and "attendance" not in s.not_found and "tasks" not in s.not_found


def test_a_release_with_a_dateline_and_several_agenda_items(make_doc):
    s = summarize_offline(make_doc(RELEASE, "release"))
    assert s.kind == "release"
    assert s.host and s.host.value == "张明远"
    assert s.date and s.date.text == "9月2日"
    assert set(s.attendance.leaders_present) == {"罗文清", "周晓兰"}
    assert s.attendance.attendees_groups == ["县直有关单位主要负责同志"]
    decided = [d.text for d in s.decisions]
    assert any("今年新建公共停车位1200个" in d for d in decided)
    assert any("《云岭县农村供水保障办法》" in d for d in decided)
    for k in s.key_sentences:
        assert "融媒" not in k.text and "记者" not in k.text and "编辑" not in k.text
    income = [i for i in s.indicators if i.name == "一般公共预算收入"]
    assert income and income[0].number is not None and not income[0].undisclosed
    assert all("X" not in f"{i.value}{i.change}" for i in s.indicators if not i.undisclosed)


def test_slogans_are_formulations_not_metaphors_or_criticisms(make_doc, seed_docs):
    speech = summarize_offline(seed_docs["004_85b44ce977ed7e00"])
    texts = [x.text for x in speech.slogans]
    assert "马大哈" not in texts and "甩手掌柜" not in texts and "四不两直" in texts
    doc = make_doc("县委书记王某强调,要锚定“三高四新”美好蓝图,坚持“工业强县、文旅兴县”战略,防范“黑天鹅”“灰犀牛”事件,"
                   "不当“甩手掌柜”,当好服务企业的“店小二”,以“时时放心不下”的责任感抓落实,实现“开门红”。")
    texts = [x.text for x in summarize_offline(doc).slogans]
    assert set(texts[:2]) == {"三高四新", "工业强县、文旅兴县"}
    assert "开门红" in texts
    for metaphor in ("黑天鹅", "灰犀牛", "甩手掌柜", "店小二", "时时放心不下"):
        assert metaphor not in texts


def test_slogans_are_capped(make_doc):
    quoted = ",".join(f"坚持“{n}个{w}”" for n in "二三四五六七八九" for w in ("坚持", "聚焦", "突出", "推进"))
    s = summarize_offline(make_doc("县委书记王某强调," + quoted + "。"))
    assert len(s.slogans) == 20 and "slogans" not in s.not_found


def test_a_speech_byline_names_its_speaker(make_doc):
    s = summarize_offline(make_doc("在全县三季度经济运行分析会上的讲话\n县委副书记、县长 韩某某\n（2025年10月9日）\n\n同志们:\n"
                                   "下面,我讲两点意见。\n一、正视问题\n三季度全县固定资产投资增长3.2%。\n二、下一步重点工作\n"
                                   "一要抓项目。要加快项目建设。\n二要抓招商。要引进优质企业。"))
    assert s.kind == "speech"
    assert (s.speakers[0].role, s.speakers[0].name, s.speakers[0].act) == ("县委副书记、县长", "韩某某", "讲话")
    assert s.date and s.date.iso and s.date.iso.isoformat() == "2025-10-09"
    assert any(i.text.startswith("一要抓项目") for g in s.tasks for i in g.items)
