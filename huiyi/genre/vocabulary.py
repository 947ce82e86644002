"""Genre vocabulary of county-level economic reports: indicators with synonyms, periods, role titles.

This is knowledge of the genre (what such reports measure and how they name it), not of any one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    key: str
    terms: tuple[str, ...]
    parent: str | None = None  # a more general indicator that a question may name instead


INDICATORS: tuple[Indicator, ...] = (
    Indicator("gdp", ("地区生产总值", "生产总值", "GDP", "gdp", "经济总量")),
    Indicator("industry_va", ("工业增加值",)),
    Indicator("large_industry_va", ("规模以上工业增加值", "规模工业增加值", "规上工业增加值"), "industry_va"),
    Indicator("fai", ("固定资产投资", "固投")),
    Indicator("manufacturing_inv", ("制造业投资",)),
    Indicator("local_revenue", ("地方财政收入", "地方收入")),
    Indicator("budget_revenue", ("一般公共预算收入", "公共预算收入")),
    Indicator("tax_revenue", ("税收收入", "税收")),
    Indicator("retail", ("社会消费品零售总额", "社会消费品零售额", "消费品零售总额", "社零总额", "社零")),
    Indicator("income", ("全体居民人均可支配收入", "居民人均可支配收入", "人均可支配收入", "居民收入")),
    Indicator("urban_income", ("城镇居民人均可支配收入", "城镇居民收入"), "income"),
    Indicator("rural_income", ("农村居民人均可支配收入", "农村居民收入"), "income"),
    Indicator("foreign_capital", ("实际利用外资", "引进外资", "利用外资", "境外资金", "外资")),
    Indicator("foreign_trade", ("进出口总额", "进出口", "外贸")),
    Indicator("grain_area", ("粮食播种面积",)),
    Indicator("grain_output", ("粮食总产量", "粮食产量")),
    Indicator("livelihood_spending", ("民生支出",)),
    Indicator("air_quality", ("空气质量优良率", "优良率")),
    Indicator("market_entities", ("市场主体",)),
    Indicator("large_firms", ("规模以上工业企业", "规上工业企业", "规模工业企业")),
    Indicator("industrial_profit", ("工业企业利润",)),
    Indicator("tertiary", ("第三产业", "三产增加值", "服务业增加值")),
    Indicator("primary", ("第一产业", "一产增加值")),
    Indicator("construction", ("建筑业增加值",)),
    Indicator("unemployment", ("城镇调查失业率", "调查失业率", "失业率")),
    Indicator("housing_sales", ("商品房销售面积",)),
    Indicator("central_budget", ("中央预算内投资",)),
    Indicator("attendance_expected", ("应到", "应出席")),
    Indicator("attendance_actual", ("实到", "实际出席", "到会")),
)

_BY_TERM: dict[str, Indicator] = {t.lower(): ind for ind in INDICATORS for t in ind.terms}
# Longest first so that 城镇居民人均可支配收入 wins over 居民人均可支配收入 at the same place.
_TERM_RE = re.compile("|".join(re.escape(t) for t in sorted(_BY_TERM, key=len, reverse=True)), re.IGNORECASE)


def find_indicators(text: str) -> list[tuple[str, str, int, int]]:
    """(key, term as written, start, end) for every indicator term in `text`, longest match first."""
    return [(_BY_TERM[m.group(0).lower()].key, m.group(0), m.start(), m.end()) for m in _TERM_RE.finditer(text)]


def indicator(key: str) -> Indicator:
    return next(i for i in INDICATORS if i.key == key)


def indicator_fit(asked: str, found: str) -> float:
    """1 for the same indicator, 0.6 when the text names a narrower one (规上工业增加值 for 工业增加值), else 0."""
    if asked == found:
        return 1.0
    return 0.6 if indicator(found).parent == asked else 0.0


# Role titles, longest first; a person is a title followed by a name (县委书记谭某某).
TITLES: tuple[str, ...] = tuple(sorted((
    "县委书记", "区委书记", "市委书记", "镇党委书记", "乡党委书记", "党委书记", "党工委书记", "书记",
    "县委副书记", "区委副书记", "市委副书记", "副书记",
    "县长", "区长", "市长", "镇长", "乡长", "副县长", "副区长", "副市长", "常务副县长", "常务副区长",
    "组织部长", "组织部部长", "宣传部长", "宣传部部长", "统战部部长", "统战部长", "政法委书记", "纪委书记",
    "监委主任", "县委常委", "区委常委", "市委常委",
    "人大常委会主任", "县人大常委会主任", "区人大常委会主任", "政协主席", "县政协主席", "区政协主席",
    "主任", "主席", "部长", "局长", "记者", "融媒体记者", "作者",
), key=len, reverse=True))

QUESTION_WORDS = (
    "是多少", "为多少", "有多少", "多少", "几何", "是什么", "有哪些", "是哪些", "哪些", "哪个", "哪家", "哪位", "哪一",
    "是谁", "谁", "何时", "什么时候", "哪天", "哪一天", "几月几日", "在哪里", "在哪儿", "在哪", "哪里", "何地",
    "什么地方", "什么", "是否", "有没有", "是不是", "怎么样", "如何", "怎样", "几", "吗", "呢", "请问", "分别",
)
