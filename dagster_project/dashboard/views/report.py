"""单份报告: one report's three tables laid out like the official form; hover a cell for its
provenance, click it for the full record (label and raw text as printed, how it was decided,
its issues, the source lines) and the source file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import streamlit as st

from .. import detail, ui
from ..form import STYLE, Form

TEXT_FORMATS = ("txt", "md", "html")


def pick_report() -> str | None:
    """The report of `?report=`, or one chosen by a search."""
    current = st.query_params.get("report")
    text = st.text_input("机关、文件名或报告编号 Search a report", key="report_search")
    found = ui.q(detail.find_reports, text.strip())
    ids = found["report_id"].to_list()
    if current and current not in ids:
        ids = [current, *ids]
    if not ids:
        st.info("没有找到报告 — no report matches.")
        return None
    names = {r["report_id"]: f"{r['agency_name'] or '（未能识别）'} {r['report_year']} · {r['file_name']}"
             for r in found.iter_rows(named=True)}  # fmt: skip
    chosen = st.selectbox(
        "报告 Report", ids, index=ids.index(current) if current in ids else 0, format_func=lambda r: names.get(r, r)
    )
    if chosen != current:
        st.query_params.clear()
        st.query_params["report"] = chosen
    return chosen


def _source(header: dict[str, object], place: str | None) -> None:
    """The source file (download) and, for a text file unchanged since it was parsed, the lines
    around `place` ("line N")."""
    path = Path(str(header["source_path"]))
    if not path.is_file():
        st.caption(f"源文件已不在 — the source file is no longer at `{path}`.")
        return
    data = path.read_bytes()
    same = hashlib.sha256(data).hexdigest() == header["content_hash"]
    st.download_button(f"下载源文件 {path.name}", data, file_name=path.name, key="download_source")
    st.caption(f"`{path}`" + ("" if same else " — changed since it was parsed"))
    if not (same and place and place.startswith("line ") and header["file_format"] in TEXT_FORMATS):
        return
    try:
        line = int(place.split()[1])
        lines = data.decode("utf-8").splitlines()
    except (ValueError, UnicodeDecodeError):
        return
    lo = max(0, line - 3)
    shown = [f"{'▶' if i + 1 == line else ' '} {i + 1:4d}  {lines[i]}" for i in range(lo, min(len(lines), line + 2))]
    st.code("\n".join(shown), language=None)


def _provenance(cells: pl.DataFrame, key: str, header: dict[str, object]) -> None:
    table_id, row_key, col_key = key.split(".", 2)
    match = cells.filter(
        (pl.col("table_id") == table_id) & (pl.col("row_key") == row_key) & (pl.col("col_key") == col_key)
    )
    if match.is_empty():
        return
    c = match.row(0, named=True)
    st.subheader(f"单元格 Cell {table_id} · {row_key} · {col_key}")
    a, b = st.columns(2)
    a.markdown(f"**原文标签 Label as printed:** {c['row_label'] or '—'}")
    a.markdown("**原文 Raw text:**")
    a.code(c["raw_text"] if c["raw_text"] not in (None, "") else "（空白 blank）", language=None)
    value = "（空白 blank）" if c["value"] is None else f"{c['value']:g}"
    a.markdown(f"**取值 Value:** {value} · value class `{c['value_class']}`")
    b.markdown(f"**确定方式 How it was decided:** {detail.DECIDED_LABELS.get(c['decided'], c['decided'])}")
    if c["decided_by"]:
        b.markdown(f"decided_by: `{c['decided_by']}`")
    b.markdown(f"**位置 Place:** {c['source_place'] or '—'} · reconstructed: {bool(c['is_reconstructed'])}")
    b.markdown("**本行问题 Issues of its row:**")
    b.text(c["issues"] or "—")
    _source(header, c["source_place"])


def render() -> None:
    st.title("单份报告 One report")
    report_id = pick_report()
    if report_id is None:
        return
    head = ui.q(detail.report_header, report_id)
    if head.is_empty():
        st.warning("这份报告不在当前发布的数据中 — this report is not in the published warehouse.")
        return
    h = head.row(0, named=True)
    st.markdown(
        f"**{h['agency_name'] or '（未能识别）'}** · {h['report_year']} 年度 · 模板 {h['template']}"
        f"{' (hybrid)' if h['is_hybrid'] else ''} · {h['province_name'] or ''}{h['prefecture_name'] or ''} · "
        f"解析 {h['parse_status']} · 质量 **{h['quality_status']}** · 版本 {h['version_rank']}/{h['n_versions']} · "
        f"`{h['file_name']}`"
    )
    cells = ui.q(detail.report_cells, report_id)
    labels = ui.q(detail.form_labels, h["table2_format"])
    selected = st.query_params.get("cell")
    form = Form(report_id, cells, selected)
    legend = " · ".join(f'<span class="{k}" style="padding:0 4px">{v}</span>' for k, v in detail.DECIDED_LABELS.items())
    st.html(STYLE + f'<div class="ogi-legend">{legend}</div>')
    st.html(STYLE + form.table2(labels["table2"]))
    st.html(STYLE + form.table3(labels["outcomes"], labels["applicants"]))
    st.html(STYLE + form.table4())
    if selected and selected.count(".") >= 2:
        _provenance(cells, selected, h)
    else:
        st.caption("Hover a cell for how it was read; click it for its full provenance and the source lines.")
        _source(h, None)
    st.subheader("问题 Issues")
    ui.table(
        ui.q(detail.report_issues, report_id),
        {
            "severity": "级别",
            "code": "代码",
            "identity": "恒等式",
            "place": "位置",
            "reported": "填报",
            "recomputed": "重算",
            "delta": "差",
            "message": "说明",
        },
    )
