// Chinese labels and section layout for the summary view (shape: huiyi/summary/models.py).
// Unknown fields still render, under their own key, in a trailing 其他 section.

export const SECTIONS = [
  { title: "基本情况", keys: ["name", "meeting_type", "date", "place", "region", "host", "speakers", "attendance"] },
  { title: "主要内容", keys: ["key_sentences", "decisions", "honours", "slogans"] },
  { title: "工作要求", keys: ["tasks"] },
  { title: "主要指标", keys: ["indicators"], table: ["name", "period", "value", "change", "comparison"] },
  { title: "未披露数值", keys: ["placeholders"], empty: "报告中的数值均已写明,没有以 X 等代替的数值。" },
];

// Bookkeeping, not content: ids, offsets, normalised numbers, provenance; citations show as chips.
export const HIDDEN_KEYS = new Set([
  "citations", "source", "doc_id", "chunk_id", "start", "end", "title", "number", "change_number",
  "not_found", "mode", "sources", "truncated", "placeholder_count", "unit", "undisclosed", "fallback",
  "minutes", "minutes_source", "kind", "target", "parts",
]);

// Keys whose value is the thing itself and needs no label in front of it.
export const PRIMARY_KEYS = new Set(["value", "text", "name"]);

// Scalar fields that get a "未提及" line when the summariser found nothing for them.
export const SCALAR_FIELDS = ["name", "meeting_type", "date", "place", "region", "host"];

export const FIELD_LABELS = {
  name: "会议名称",
  meeting_type: "会议类型",
  date: "日期",
  place: "地点",
  region: "地区",
  host: "主持",
  speakers: "讲话与发言",
  attendance: "出席情况",
  key_sentences: "要点",
  decisions: "议定事项",
  honours: "表彰",
  slogans: "口号与提法",
  tasks: "工作要求",
  indicators: "主要指标",
  placeholders: "未披露数值",
  // columns and nested keys
  period: "时期",
  value: "数值",
  change: "增减",
  comparison: "比较",
  role: "职务",
  act: "事项",
  topic: "内容",
  kind: "类型",
  indicator: "指标",
  text: "原文",
};

export const TABLE_HEADERS = { name: "指标", period: "时期", value: "数值", change: "增减", comparison: "比较与排名" };

export const PLACEHOLDER_KINDS = { x_value: "以 X 代替", template_repeat: "模板数字" };

export const MODE_LABELS = { offline: "离线生成", llm: "大模型生成", mixed: "大模型与离线结合" };
