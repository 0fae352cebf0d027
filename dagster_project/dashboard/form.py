"""One report's 表二 / 表三 / 表四 as HTML laid out like the official form.

Each cell shows its value; hovering shows the label and raw text as printed, how the value was
decided and the row's issues; clicking opens that cell's provenance (`?report=…&cell=…`). Every
text from a report is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

import polars as pl

from .detail import DECIDED_LABELS

NUMERALS = "一二三四五六七八九十"
STYLE = """<style>
table.ogi-form {border-collapse: collapse; font-size: 0.85rem; margin-bottom: 1rem; width: 100%}
table.ogi-form th, table.ogi-form td {border: 1px solid #999; padding: 2px 6px}
table.ogi-form th {background: #f0f0f0; font-weight: 600; text-align: center}
table.ogi-form td.label {text-align: left}
table.ogi-form td.v {text-align: right; min-width: 3.5em}
table.ogi-form td.v a {color: inherit; text-decoration: none; display: block}
table.ogi-form td.identity, .ogi-legend .identity {background: #dbeafe}
table.ogi-form td.neighbouring_year, .ogi-legend .neighbouring_year {background: #dcfce7}
table.ogi-form td.narrative, .ogi-legend .narrative {background: #e9d5ff}
table.ogi-form td.plausibility, .ogi-legend .plausibility {background: #fef9c3}
table.ogi-form td.reconstructed, .ogi-legend .reconstructed {background: #fed7aa}
table.ogi-form td.open, .ogi-legend .open {background: #fecaca}
table.ogi-form td.selected {outline: 3px solid #dc2626}
table.ogi-form td.issue a::after {content: " •"; color: #dc2626}
</style>"""


def cell_key(table_id: str, row_key: str, col_key: str) -> str:
    """The `cell=` value naming one cell."""
    return f"{table_id}.{row_key}.{col_key}"


def tooltip(c: dict[str, Any]) -> str:
    """What hovering over a cell shows."""
    lines = [
        f"原文标签 label: {c['row_label'] or '—'}",
        f"原文 raw text: {c['raw_text'] if c['raw_text'] not in (None, '') else '（空白 blank）'}",
        f"取值 value: {_value(c['value'])} ({c['value_class']})",
        f"确定方式 decided: {DECIDED_LABELS.get(c['decided'], c['decided'])}"
        + (f" [{c['decided_by']}]" if c["decided_by"] else ""),
        f"位置 place: {c['source_place'] or '—'}",
    ]
    if c["issues"]:
        lines.append("问题 issues:\n" + c["issues"])
    return "\n".join(lines)


def _value(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


class Form:
    """Renders the cells of one report; `selected` is the `cell=` of the highlighted cell."""

    def __init__(self, report_id: str, cells: pl.DataFrame, selected: str | None = None) -> None:
        self.report_id = report_id
        self.selected = selected
        self.cells = {cell_key(c["table_id"], c["row_key"], c["col_key"]): c for c in cells.iter_rows(named=True)}

    def td(self, table_id: str, row_key: str, col_key: str) -> str:
        key = cell_key(table_id, row_key, col_key)
        c = self.cells.get(key)
        if c is None:
            return '<td class="v missing" title="未印出 not printed"></td>'
        classes = ["v", c["decided"]]
        if c["issues"]:
            classes.append("issue")
        if key == self.selected:
            classes.append("selected")
        text = _value(c["value"]) if c["value"] is not None else (c["raw_text"] or "")
        href = "?" + urlencode({"report": self.report_id, "cell": key})
        return (
            f'<td class="{" ".join(classes)}" title="{escape(tooltip(c))}" data-cell="{escape(key)}">'
            f'<a href="{escape(href)}" target="_self">{escape(text)}</a></td>'
        )

    def table2(self, metrics: pl.DataFrame) -> str:
        """表二 主动公开政府信息情况: one block per 条例 clause, its items as rows."""
        out = ['<table class="ogi-form"><caption>二、主动公开政府信息情况</caption>']
        blocks = metrics.group_by("clause_zh", maintain_order=True).agg(pl.all())
        for b in blocks.iter_rows(named=True):
            heads = list(dict.fromkeys(zip(b["metric_key"], b["metric_label_zh"], b["unit"], strict=True)))
            out.append(f'<tr><th colspan="{len(heads) + 1}">{escape(b["clause_zh"] or "")}</th></tr>')
            out.append(
                "<tr><th>信息内容</th>"
                + "".join(f"<th>{escape(label)}（{escape(unit or '')}）</th>" for _, label, unit in heads)
                + "</tr>"
            )
            items = dict.fromkeys(zip(b["item_key"], b["item_label_zh"], strict=True))
            for item_key, item_label in items:
                row = "".join(self.td("table2", item_key, metric) for metric, _, _ in heads)
                out.append(f'<tr><td class="label">{escape(item_label)}</td>{row}</tr>')
        out.append("</table>")
        return "".join(out)

    def table3(self, outcomes: pl.DataFrame, applicants: pl.DataFrame) -> str:
        """表三 收到和处理政府信息公开申请情况, in the 2019 or 2021 layout the report printed."""
        cols = applicants["applicant_type"].to_list()
        org = [r["label_zh"] for r in applicants.iter_rows(named=True) if r["class_label_zh"] == "法人或其他组织"]

        def label(text: str, colspan: int = 1, rowspan: int = 1) -> str:
            return f'<td class="label" colspan="{colspan}" rowspan="{rowspan}">{escape(text)}</td>'

        def row(labels: str, row_key: str) -> str:
            return f"<tr>{labels}{''.join(self.td('table3', row_key, c) for c in cols)}</tr>"

        layout_2019 = any(k.startswith("table3.other_handling.") for k in self.cells)
        leaves = list(
            outcomes.filter(pl.col("in_2019_format" if layout_2019 else "in_2021_format")).iter_rows(named=True)
        )
        sizes = {
            g: sum(1 for x in leaves if x["group_key"] == g) for g in dict.fromkeys(x["group_key"] for x in leaves)
        }
        block: list[tuple[str, str]] = []  # (label cells, row key) of 三、本年度办理结果
        for i, leaf in enumerate(leaves):
            n = sizes[leaf["group_key"]]
            if n == 1:
                block.append((label(leaf["label_zh"], colspan=2), leaf["outcome_key"]))
                continue
            group = ""
            if i == 0 or leaves[i - 1]["group_key"] != leaf["group_key"]:
                group = label(f"（{NUMERALS[leaf['group_order'] - 1]}）{leaf['group_label_zh']}", rowspan=n)
            block.append((group + label(leaf["label_zh"]), leaf["outcome_key"]))
        block.append((label("（七）总计", colspan=2), "total_handled"))
        out = [
            '<table class="ogi-form"><caption>三、收到和处理政府信息公开申请情况</caption>',
            f'<tr><th rowspan="3" colspan="3">（本列数据的统计口径）</th><th colspan="{len(cols)}">申请人情况</th></tr>',
            f'<tr><th rowspan="2">自然人</th><th colspan="{len(org)}">法人或其他组织</th><th rowspan="2">总计</th></tr>',
            "<tr>" + "".join(f"<th>{escape(x)}</th>" for x in org) + "</tr>",
            row(label("一、本年新收政府信息公开申请数量", colspan=3), "new_received"),
            row(label("二、上年结转政府信息公开申请数量", colspan=3), "carried_over"),
        ]
        for i, (labels, row_key) in enumerate(block):
            first = label("三、本年度办理结果", rowspan=len(block)) if i == 0 else ""
            out.append(row(first + labels, row_key))
        out.append(row(label("四、结转下年度继续办理", colspan=3), "carried_forward"))
        out.append("</table>")
        return "".join(out)

    def table4(self) -> str:
        """表四 政府信息公开行政复议、行政诉讼情况: one row of 15 cells."""
        results = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结")]
        results.append(("total", "总计"))
        heads = "".join(f"<th>{label}</th>" for _, label in results)
        cells = "".join(
            self.td("table4", block, key)
            for block in ("review", "litigation_direct", "litigation_after_review")
            for key, _ in results
        )
        return (
            '<table class="ogi-form"><caption>四、政府信息公开行政复议、行政诉讼情况</caption>'
            '<tr><th colspan="5" rowspan="2">行政复议</th><th colspan="10">行政诉讼</th></tr>'
            '<tr><th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>'
            f"<tr>{heads}{heads}{heads}</tr><tr>{cells}</tr></table>"
        )
