"""Genre vocabulary of county-level economic reports: indicators with synonyms, periods, role titles.

This is knowledge of the genre (what such reports measure and how they name it), not of any one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class IndicatorTerms:
    key: str
    terms: tuple[str, ...]
    parent: str | None = None  # a more general indicator that a question may name instead


INDICATORS: tuple[IndicatorTerms, ...] = (
    IndicatorTerms("gdp", ("地区生产总值", "生产总值", "GDP", "gdp", "经济总量")),
    IndicatorTerms("industry_va", ("工业增加值",)),
    IndicatorTerms("large_industry_va", ("规模以上工业增加值", "规模工业增加值", "规上工业增加值"), "industry_va"),
    IndicatorTerms("fai", ("固定资产投资", "固投")),
    IndicatorTerms("manufacturing_inv", ("制造业投资",)),
    IndicatorTerms("local_revenue", ("地方财政收入", "地方收入")),
    IndicatorTerms("budget_revenue", ("一般公共预算收入", "公共预算收入")),
    IndicatorTerms("tax_revenue", ("税收收入", "税收")),
    IndicatorTerms("retail", ("社会消费品零售总额", "社会消费品零售额", "消费品零售总额", "社零总额", "社零")),
    IndicatorTerms("income", ("全体居民人均可支配收入", "居民人均可支配收入", "人均可支配收入", "居民收入")),
    IndicatorTerms("urban_income", ("城镇居民人均可支配收入", "城镇居民收入"), "income"),
    IndicatorTerms("rural_income", ("农村居民人均可支配收入", "农村居民收入"), "income"),
    IndicatorTerms("foreign_capital", ("实际利用外资", "引进外资", "利用外资", "境外资金", "外资")),
    IndicatorTerms("foreign_trade", ("进出口总额", "进出口", "外贸")),
    IndicatorTerms("grain_area", ("粮食播种面积",)),
    IndicatorTerms("grain_output", ("粮食总产量", "粮食产量")),
    IndicatorTerms("livelihood_spending", ("民生支出",)),
    IndicatorTerms("air_quality", ("空气质量优良率", "优良率")),
    IndicatorTerms("market_entities", ("市场主体",)),
    IndicatorTerms("large_firms", ("规模以上工业企业", "规上工业企业", "规模工业企业")),
    IndicatorTerms("industrial_profit", ("工业企业利润",)),
    IndicatorTerms("tertiary", ("第三产业", "三产增加值", "服务业增加值")),
    IndicatorTerms("primary", ("第一产业", "一产增加值")),
    IndicatorTerms("construction", ("建筑业增加值",)),
    IndicatorTerms("unemployment", ("城镇调查失业率", "调查失业率", "失业率")),
    IndicatorTerms("housing_sales", ("商品房销售面积",)),
    IndicatorTerms("central_budget", ("中央预算内投资",)),
    IndicatorTerms("attendance_expected", ("应到", "应出席")),
    IndicatorTerms("attendance_actual", ("实到", "实际出席", "到会")),
)

_BY_TERM: dict[str, IndicatorTerms] = {t.lower(): ind for ind in INDICATORS for t in ind.terms}
# Longest first so that 城镇居民人均可支配收入 wins over 居民人均可支配收入 at the same place.
_TERM_RE = re.compile("|".join(re.escape(t) for t in sorted(_BY_TERM, key=len, reverse=True)), re.IGNORECASE)


def find_indicators(text: str) -> list[tuple[str, str, int, int]]:
    """(key, term as written, start, end) for every indicator term in `text`, longest match first."""
    return [(_BY_TERM[m.group(0).lower()].key, m.group(0), m.start(), m.end()) for m in _TERM_RE.finditer(text)]


def indicator(key: str) -> IndicatorTerms:
    return next(i for i in INDICATORS if i.key == key)


def indicator_fit(asked: str, found: str) -> float:
    """1 for the same indicator, 0.6 when the text names a narrower one (规上工业增加值 for 工业增加值), else 0."""
    if asked == found:
        return 1.0
    return 0.6 if indicator(found).parent == asked else 0.0


QUESTION_WORDS = (
    "是多少", "为多少", "有多少", "多少", "几何", "是什么", "有哪些", "是哪些", "哪些", "哪个", "哪家", "哪位", "哪一",
    "是谁", "谁", "何时", "什么时候", "哪天", "哪一天", "几月几日", "在哪里", "在哪儿", "在哪", "哪里", "何地",
    "什么地方", "什么", "是否", "有没有", "是不是", "怎么样", "如何", "怎样", "几", "吗", "呢", "请问", "分别",
)

# Words a follow-up swaps for their counterpart in the previous question: "城镇居民…增长多少?" "农村的呢?"
COUNTERPARTS = (("城镇", "农村"), ("城市", "农村"), ("进口", "出口"), ("上半年", "下半年"), ("一产", "二产", "三产"),
                ("第一产业", "第二产业", "第三产业"), ("城镇居民", "农村居民"))

# Words that may open a clause before an indicator's name and are not part of it (其中…, 全年…, 全县…).
INDICATOR_LEAD = re.compile(
    r"^(?:其中|另外|此外|同时|全年|当年|今年|全县|全区|全市|全镇|全乡|我县|我区|我市|该县|该区|该市|县|区|共|累计|在|"
    r"实现|完成|达到|新增了?|是|的|也|，|,|、|\s)+"
)
