"""What meetings do, as the genre writes it: the verbs of a 纪要 (听取, 认为, 强调, 要求, 决定), the headed
sections of a 会议通知 (时间, 地点, 参会人员, 议程, 有关要求), and the lines that are no content at all
(datelines, bylines, editor and contact lines).

The one home of this vocabulary; the summariser's notice reader and its 纪要 prose read it.
"""

from __future__ import annotations

import re

# Who acts in a proceedings sentence when it is the meeting itself ("全会认为", "会上,…").
MEETING_SUBJECT = r"(?:会议|全会|大会|会上|常务会议|座谈会|常委会会议|常委会)(?:还|也|并|同时)?"

# Verbs that open a proceedings sentence, by the 纪要 section they belong to. Each alternative is a
# phrase written out in full: the prose builder rewrites them as "会议" + the phrase, and a closed list
# keeps every connecting phrase of a 纪要 checkable.
PROCEEDING_VERBS: dict[str, tuple[str, ...]] = {
    "heard": (
        "听取和讨论了", "听取并讨论了", "听取和审议了", "听取并审议了", "听取了", "听取",
        "传达学习了", "传达学习", "传达了", "学习了", "观看了", "通报了",
    ),
    "decided": (
        "审议并原则通过了", "审议并通过了", "审议通过了", "原则通过了", "研究通过了", "表决通过了", "讨论通过了",
        "审议通过", "决定", "同意",
    ),
    "considered": ("充分肯定了", "认为", "指出", "肯定"),
    "stressed": ("强调", "号召"),
    "required": ("要求", "提出", "部署", "明确"),
    "studied": ("研究部署了", "研究了", "审议了", "讨论了", "研究"),
}
SECTION_OF_VERB = {v: key for key, verbs in PROCEEDING_VERBS.items() for v in verbs}
_VERB_ALT = "|".join(re.escape(v) for v in sorted(SECTION_OF_VERB, key=len, reverse=True))
# "全会认为," / "会议审议并原则通过了《…》" / "会上,县气象局通报了…" (the last has its own subject).
PROCEEDING_OPENER = re.compile(rf"(?P<subject>{MEETING_SUBJECT})(?P<verb>{_VERB_ALT})(?P<sep>[,，:：])?")
SPEAKER_VERBS = re.compile(r"(?:在(?:讲话|讲评|总结讲话|发言|主持词|点评)中)?(?P<verb>强调|指出|要求|表示|提出|认为)(?P<sep>[,，:：])?")
NOTHING_MORE = re.compile(r"^(?:其他|其它)(?:有关)?事项$|^(?:有关|相关)(?:事项|工作)$")

# 会议通知: a numbered heading names one element of the meeting; its items follow on the next lines.
NOTICE_TITLE = re.compile(r"关于(?:召开|举行|举办)(?P<name>[^\n]{2,60}?)的(?:预备)?通知")
NOTICE_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("time_place", re.compile(r"^(?:会议)?时间(?:和|及|与|、)(?:会议)?地点$")),
    ("time", re.compile(r"^(?:会议|报到|召开)?(?:时间|日期)(?:安排)?$")),
    ("place", re.compile(r"^(?:会议|召开)?(?:地点|会场|地址)$")),
    ("attendees", re.compile(r"^(?:参会|参加|出席|与会|列席)(?:会议)?(?:人员|对象|范围|单位)(?:及范围)?$")),
    ("agenda", re.compile(r"^(?:会议)?(?:议程|议题|主要议程|主要内容|内容|日程|安排)$")),
    ("requirements", re.compile(r"^(?:有关|相关|其他|会议|工作)?(?:要求|事项|注意事项|纪律|会务安排)$")),
)
NOTICE_CLOSERS = re.compile(r"^(?:联系人|联系电话|电话|附件|特此通知)")
# The office that signs a notice, alone on one of its last lines (above the date): "青溪县人民政府办公室".
SIGNATURE_ORG = re.compile(
    r"^[ \t\u3000]*(?P<org>[\u4e00-\u9fff（）()]{2,30}?(?:办公室|人民政府|政府|委员会|党委|党工委|工作委员会|指挥部|领导小组|委|局|办))"
    r"[ \t\u3000]*$",
    re.M,
)

# Lines and prefixes that carry no content: "白沙融媒7月18日讯(记者 杨帆)", "来源:…", "编辑:…".
DATELINE = re.compile(  # used with .match(text, pos): no "^", which would only hold at a line start
    r"[^\n,，。]{0,16}?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日"
    r"(?:讯|电)\s*(?:[(（][^()（）\n]{0,40}[)）])?\s*"
)
REPORTER_PAREN = re.compile(r"\s*[(（](?:[^()（）\n]{0,12}记者|通讯员)[^()（）\n]{0,40}[)）]\s*")
BYLINE = re.compile(
    r"^(?:来源|作者|编辑|责任编辑|责编|记者|通讯员|审核|审校|校对|发布时间|发布日期|时间|供稿|摄影|摄像|图|文|稿源|联系人|联系电话|电话)"
    r"\s*[:：]"
    r"|^(?:来源|编辑|作者)\s*[:：]?\s*\S{1,30}(?:\s+(?:编辑|作者|发布时间)\s*[:：].*)?$"
)
# "县委副书记、县长 韩雪梅" / "甘肃省省长 任振鹤": a role and a name alone on a line, under a speech's title.
ROLE_NAME_LINE = re.compile(
    r"^(?P<role>[\u4e00-\u9fff、]{0,30}?(?:书记|省长|主席|市长|县长|区长|州长|镇长|乡长|主任|部长|局长|常委))\s+"
    r"(?P<name>[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3})$"  # "韦 韬": names are sometimes set with a space
)
# "——二〇二六年一月二十七日在某某会议上" / "(2025年7月22日)": the occasion line under a speech's title.
OCCASION_LINE = re.compile(r"^[—\-－]{1,2}\s*(?P<date>[^\n]{4,20}?日)?\s*在(?P<name>[^\n]{2,60}?)上$")
# The same occasion anywhere in a report's head, its line wrapped or not: "在广东省第十四届\n人民代表大会第五次会议上".
OCCASION_IN_HEAD = re.compile(r"在(?P<name>[^。！？!?;；\n]{2,60}?(?:\n[^。！？!?;；\n]{1,40}?)?(?:会议|大会|全会))上")
SPEECH_KIND = re.compile(r"(?:政府)?工作报告$|讲话(?:（摘要）|\(摘要\))?$|(?:总结)?讲话$|发言$|致辞$")

# 提法与口号: a quoted formulation the report puts forward ("锚定“三高四新”", "实施“原地倍增”专项行动"),
# as opposed to a metaphor or a criticism ("当“甩手掌柜”", "“马大哈”式工作态度", "“拼”的勇气").
# A count inside a formulation ("三高四新", "1+8+N"); a numeral closing a word is not one ("店小二").
SLOGAN_NUMERAL = re.compile(r"[一二两三四五六七八九十百千万](?=.)|[0-9０-９NＮ+＋]")
SLOGAN_PARALLEL = re.compile(r"[、,，·•]")
SLOGAN_PUT_FORWARD = re.compile(
    r"(?:坚持|实现|锚定|建设|打造|聚焦|围绕|实施|推进|开展|打好|打赢|弘扬|落实|唱响|擦亮|致力|紧扣|深化|大力|突出|树牢|践行|推动"
    r"|抓好|做到|发扬|坚定|提出|叫响|创建|争创|聚力|用好|完善|培育|构建|形成|健全|持续|全面|深入|扎实|奋力|力争|确保|做实|强化)"
    r"[^，。；,;“”\n]{0,6}$"
)
SLOGAN_CRITICISM_BEFORE = re.compile(r"(?:当(?![好成])|做(?![到好实强优])|搞|成为|变成|沦为|避免|防止|杜绝|警惕|克服|反对|摒弃|纠治|整治|破除|不要|不能|不当|不做|有的)[^，。；,;“”\n]{0,3}$")
SLOGAN_CRITICISM_AFTER = re.compile(r"^(?:式|型|现象|问题|作风|心态|思想|行为|之风)")
SLOGAN_DESCRIPTIVE_AFTER = re.compile(r"^的")
SLOGAN_PROGRAMME_AFTER = re.compile(
    r"^(?:战略|行动|工程|品牌|活动|精神|理念|机制|制度|目标|蓝图|攻坚年|攻坚战|要求|定位|格局|体系|模式|专项|计划|建设|布局|发展|"
    r"总要求|工作法|服务|改革|决胜战|考核|这一[\u4e00-\u9fff]{0,4}(?:战略|目标|理念|要求))"
)
# A formulation that names itself as a programme: "聚力中心化攻坚年", "玉如意计划", "首峰精神".
SLOGAN_PROGRAMME_END = re.compile(r"(?:攻坚年|攻坚战|行动|工程|战略|计划|精神|品牌|活动|机制|模式|体系|目标|蓝图|理念|格局)$")
HONOUR = re.compile(
    r"表彰|颁奖|获评|获批(?=“)|入选|蝉联|荣获|再获|被评为|被授予|授予|荣膺|命名为|被命名|评为|获得[^,，。]{0,20}(?:称号|奖|荣誉)"
    r"|获[^,，。；;]{0,20}(?:等次|称号|金奖|银奖|一等奖|二等奖|三等奖|大奖|荣誉)|通报表扬"
)
# The heading of a report's or a speech's part on the work ahead ("2026年重点工作", "三、聚焦下半年重点工作…").
WORK_AHEAD = re.compile(r"重点工作|主要任务|工作任务|工作安排|下半年工作|明年工作|今年工作|重点抓好")
# Who demands in a 纪要 sentence when it is the meeting itself: "会议要求," "全会强调,".
MEETING_DEMAND = re.compile(MEETING_SUBJECT + r"(?:强调|要求|提出|部署)[,，:：]")
# A plan's name is a period, not a formulation: "十四五", "十五五".
PLAN_NAME = re.compile(r"^十[一二三四五六七八九]五$")
