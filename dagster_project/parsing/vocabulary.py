"""The official vocabulary of the three statistics tables (2019 trial format and 2021 format).

Keys are the stable English identifiers used in staging, marts and answer keys; the Chinese
labels are the official wording. Patterns are regular expressions matched against the
*compact* form of a report's text (normalized, all whitespace removed), so they tolerate wrapped
labels, stray spaces and the common typos seen in published reports.
"""

from __future__ import annotations

from dataclasses import dataclass

# 表三 columns: six applicant types, then the reported total. Never sum `total` with the others.
APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other",
    "total",
)
APPLICANT_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_services": "法律服务机构",
    "other": "其他",
    "total": "总计",
}


@dataclass(frozen=True)
class Row:
    """One official row of 表三: key, label, the pattern its printed label matches, its numbering."""

    key: str
    label: str  # official wording
    pattern: str  # regex on compact text (no whitespace); numbering prefix handled separately
    number: str = ""  # printed numbering before the label ("1" for "1.属于国家秘密"), stripped from values
    group: str = ""  # outcome group key for 表三 outcome leaves
    core: str = ""  # the label without its numbering, for a repeated label (see tables._reanchor)


# Outcome groups of 表三 三、本年度办理结果 (group subtotals are never printed; marts derive them).
OUTCOME_GROUPS: dict[str, str] = {
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "withheld": "不予公开",
    "unable": "无法提供",
    "rejected": "不予处理",
    "other_handling": "其他处理",
}

_T3_HEAD = [
    Row("new_received", "一、本年新收政府信息公开申请数量", r"本年新收政府信息公开申请数量?"),
    Row("carried_over", "二、上年结转政府信息公开申请数量", r"上年结转政府信息公开申请数量?"),
    Row("granted", "（一）予以公开", r"\(一\)予以公开", group="granted", core=r"(?<![不部])予以公开"),
    Row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        r"\(二\)部分公开(\(区分处理的[^)]{0,30}\))?",
        group="partially_granted",
        core=r"部分公开(\(区分处理的[^)]{0,30}\))?",
    ),
    Row("withheld_state_secret", "1.属于国家秘密", r"属于国家秘密", "1", "withheld"),
    Row("withheld_law_forbidden", "2.其他法律行政法规禁止公开", r"其他法律(行政)?(法规)?(禁)?止公开", "2", "withheld"),
    Row("withheld_three_safeties", "3.危及“三安全一稳定”", r"危及[\"“”]?三安全一稳定[\"“”]?", "3", "withheld"),
    Row("withheld_third_party", "4.保护第三方合法权益", r"保护第三方合法权益", "4", "withheld"),
    Row("withheld_internal_affairs", "5.属于三类内部事务信息", r"属于三类内部事务信息", "5", "withheld"),
    Row("withheld_process_info", "6.属于四类过程性信息", r"属于四类过程性信息", "6", "withheld"),
    Row("withheld_enforcement_file", "7.属于行政执法案卷", r"属于行政执法案[卷件]", "7", "withheld"),
    Row("withheld_query_matter", "8.属于行政查询事项", r"属于行政查询事项", "8", "withheld"),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", r"本机关不掌握相关政府信息", "1", "unable"),
    Row("unable_needs_creation", "2.没有现成信息需要另行制作", r"没有现成信息需要另行制作", "2", "unable"),
    Row("unable_unclear", "3.补正后申请内容仍不明确", r"补正后申请内容仍不明确", "3", "unable"),
    Row("rejected_petition", "1.信访举报投诉类申请", r"信访举报投诉类申请", "1", "rejected"),
    Row("rejected_duplicate", "2.重复申请", r"重复申请", "2", "rejected"),
    Row("rejected_publication", "3.要求提供公开出版物", r"要求提供公开出版物", "3", "rejected"),
    Row("rejected_mass_repeat", "4.无正当理由大量反复申请", r"无正当理由大量反复申请", "4", "rejected"),
    Row(
        "rejected_confirm_info",
        "5.要求行政机关确认或重新出具已获取信息",
        r"要求行政机关确认或重新出具已获取信息",
        "5",
        "rejected",
    ),
]
_T3_OTHER_2019 = [Row("other_handling", "（六）其他处理", r"\(六\)其他处理", group="other_handling")]
_T3_OTHER_2021 = [
    Row(
        "other_overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        r"申请人无正当理由逾期不补正[、,，]?行政机关不再处理其政府信息公开申请",
        "1",
        "other_handling",
    ),
    Row(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        r"申请人逾期未按收费通知要求缴纳费用[、,，]?行政机关不再处理其政府信息公开申请",
        "2",
        "other_handling",
    ),
    Row("other_other", "3.其他", r"其他(?!法律|对外|结果|组织|处理)", "3", "other_handling"),
]
_T3_TAIL = [
    Row("total_handled", "（七）总计", r"\(七\)总计"),
    Row("carried_forward", "四、结转下年度继续办理", r"结转下一?年度继续办理"),
]

T3_ROWS: dict[str, tuple[Row, ...]] = {
    "2019": tuple(_T3_HEAD + _T3_OTHER_2019 + _T3_TAIL),
    "2021": tuple(_T3_HEAD + _T3_OTHER_2021 + _T3_TAIL),
}
T3_OUTCOME_LEAVES: dict[str, tuple[str, ...]] = {
    t: tuple(r.key for r in rows if r.group) for t, rows in T3_ROWS.items()
}
# Labels that sit between rows but carry no values of their own (merged group labels).
T3_GROUP_LABELS: tuple[str, ...] = (
    r"三[、.]?本年度办理结果",
    r"\(三\)不予公开",
    r"\(四\)无法提供",
    r"\(五\)不予处理",
    r"\(六\)其他处理",
)

# 表四: three blocks of five columns, printed as one row of 15 numbers.
T4_BLOCKS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
T4_BLOCK_LABELS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
T4_RESULTS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
T4_RESULT_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


@dataclass(frozen=True)
class Item:
    """One official item of 表二 and the metrics (columns) it has."""

    key: str
    label: str
    pattern: str
    metrics: tuple[str, ...]


# 表二 items and their metrics, per template. 2019 and 2021 metrics are different facts.
T2_ITEMS: dict[str, tuple[Item, ...]] = {
    "2019": (
        Item("regulations", "规章", r"规章", ("new_made", "new_published", "total_published")),
        Item(
            "normative_documents",
            "规范性文件",
            r"(?<!行政)规范性文件",
            ("new_made", "new_published", "total_published"),
        ),
        Item("administrative_licensing", "行政许可", r"行政许可", ("prev_year_items", "change", "decisions")),
        Item(
            "other_external_services",
            "其他对外管理服务事项",
            r"其他对外管理服务事项",
            ("prev_year_items", "change", "decisions"),
        ),
        Item("administrative_penalty", "行政处罚", r"行政处罚", ("prev_year_items", "change", "decisions")),
        Item("administrative_coercion", "行政强制", r"行政强制", ("prev_year_items", "change", "decisions")),
        Item("administrative_fees", "行政事业性收费", r"行政事业性收费", ("prev_year_items", "change")),
        Item("centralized_procurement", "政府集中采购", r"政府集中采购", ("projects", "amount_wan_yuan")),
    ),
    "2021": (
        Item("regulations", "规章", r"规章", ("issued", "repealed", "in_force")),
        Item("normative_documents", "行政规范性文件", r"(行政)?规范性文件", ("issued", "repealed", "in_force")),
        Item("administrative_licensing", "行政许可", r"行政许可", ("decisions",)),
        Item("administrative_penalty", "行政处罚", r"行政处罚", ("decisions",)),
        Item("administrative_coercion", "行政强制", r"行政强制", ("decisions",)),
        Item("administrative_fees", "行政事业性收费", r"行政事业性收费", ("amount_wan_yuan",)),
    ),
}
T2_METRIC_LABELS: dict[str, str] = {
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prev_year_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount_wan_yuan": "采购总金额（万元）",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
}
# Metrics that are money (normalized to 万元) or signed changes; everything else is a count.
# 2019 items counted in 项 (上一年项目数量 / 本年增/减 …) and documents counted in 件, both layouts:
# the rows the cross-year identities and the plausibility rules speak of.
T2_2019_PROJECT_ITEMS = tuple(i.key for i in T2_ITEMS["2019"] if "prev_year_items" in i.metrics)
T2_DOCUMENT_ITEMS = ("regulations", "normative_documents")
T2_MONEY_METRICS = frozenset({"amount_wan_yuan"})
T2_SIGNED_METRICS = frozenset({"change"})

# Header words of 表二 that identify the template.
T2_2019_MARKERS = (r"本年新制作数量", r"本年新公开数量", r"上一年项目数量", r"对外公开总数量")
T2_2021_MARKERS = (r"本年制发件数", r"本年废止件数", r"现行有效件数", r"本年收费金额")
