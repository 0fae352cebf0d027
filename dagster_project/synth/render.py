"""Turn a Report into the bytes of one published file, in one of five layouts.

The tables are built once as a grid of cells — a str is a plain cell, a (text, colspan,
rowspan) tuple a merged cell, None a position covered by a rowspan from above — and each
layout writes that grid the way its real counterpart does (see raw/ and corpus/real/).
"""

from __future__ import annotations

import itertools
import random

from ..parsing.vocabulary import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    OUTCOME_GROUPS,
    T2_ITEMS,
    T2_METRIC_LABELS,
    T3_ROWS,
    T4_BLOCK_LABELS,
    T4_BLOCKS,
    T4_RESULT_LABELS,
    T4_RESULTS,
)
from .names import Agency
from .tables import Report

LAYOUTS = ("tabcell", "pipe", "tabrow", "crawler", "html")
GridCell = str | tuple[str, int, int] | None  # see the module docstring

_LABELS = {t: {r.key: r.label for r in rows} for t, rows in T3_ROWS.items()}
_GROUP_OF = {r.key: r.group for rows in T3_ROWS.values() for r in rows}
# Clause of 条例第二十条 under which each 表二 item is published.
_CLAUSE = {
    "regulations": "（一）",
    "normative_documents": "（一）",
    "administrative_licensing": "（五）",
    "other_external_services": "（五）",
    "administrative_penalty": "（六）",
    "administrative_coercion": "（六）",
    "administrative_fees": "（八）",
    "centralized_procurement": "（九）",
}
_GROUP_NO = {"withheld": "（三）", "unable": "（四）", "rejected": "（五）", "other_handling": "（六）"}
_SPANS = {1: (3,), 2: (1, 2), 3: (1, 1, 1)}  # metric cells fill the three value columns
_HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";"})

SECTION_TITLES = (
    ("一、总体情况",),
    ("二、主动公开政府信息情况",),
    ("三、收到和处理政府信息公开申请情况",),
    ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    ("六、其他需要报告的事项",),
)


# -- tables ---------------------------------------------------------------------------------
def table2_grid(r: Report) -> list[list]:
    rows: list[list] = []
    clause = None
    for item in T2_ITEMS[r.template]:
        if item.key not in r.t2:
            continue
        metrics = item.metrics
        spans = _SPANS[len(metrics)]
        if _CLAUSE[item.key] != clause:
            clause = _CLAUSE[item.key]
            rows.append([(f"第二十条第{clause}项", 4, 1)])
            head: list[GridCell] = ["信息内容"]
            for m, span in zip(metrics, spans):
                text = T2_METRIC_LABELS[m]
                if r.template == "2021":
                    text = (
                        "本年收费金额（单位：万元）"
                        if m == "amount_wan_yuan"
                        else "本年" + text
                        if m == "decisions"
                        else text
                    )
                elif m == "amount_wan_yuan" and r.t2style.get("amount_header") != "wan":
                    text = text.split("（")[0]  # the unit is then written in the cell
                head.append(text if span == 1 else (text, span, 1))
            rows.append(head)
        written = r.t2w[item.key]
        row: list[GridCell] = [item.label]
        for m, span in zip(metrics, spans):
            row.append(written[m] if span == 1 else (written[m], span, 1))
        rows.append(row)
    return rows


def _t3_values(r: Report, key: str) -> list[str]:
    vals = r.t3[key]
    if not r.marks3:
        return list(map(str, vals))
    out = []
    for c, v in enumerate(vals):
        mark = r.marks3.get((key, c))
        if mark is None:
            out.append(str(v))
        elif mark == "blank":
            out.append("")
        elif mark == "wu":
            out.append("无")
        # "lost": the cell is simply not there
    return out


def table3_grid(r: Report) -> list[list]:
    labels = _LABELS["2019" if "other_handling" in r.t3rows else "2021"]
    orgs = [APPLICANT_LABELS[c] for c in APPLICANT_COLUMNS[1:6]]
    rows: list[list] = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 7, 1)],
        [None, (APPLICANT_LABELS["natural_person"], 1, 2), ("法人或其他组织", 5, 1), (APPLICANT_LABELS["total"], 1, 2)],
        [None, None] + orgs + [None],
    ]
    keys = r.t3rows
    n_outcome = len(keys) - 3  # rows under the merged 三 label, （七）总计 included
    group_size: dict[str, int] = {}
    for k in keys:
        g = _GROUP_OF.get(k)
        if g:
            group_size[g] = group_size.get(g, 0) + 1
    seen_group = set()
    for i, k in enumerate(keys):
        vals = _t3_values(r, k)
        if k in ("new_received", "carried_over", "carried_forward"):
            rows.append([(labels[k], 3, 1)] + vals)
            continue
        lead = ("三、本年度办理结果", 1, n_outcome) if i == 2 else None
        g = _GROUP_OF.get(k, "")
        if g in _GROUP_NO and group_size[g] > 1:
            if g in seen_group:
                rows.append([None, None, labels[k]] + vals)
            else:
                seen_group.add(g)
                rows.append([lead, (_GROUP_NO[g] + OUTCOME_GROUPS[g], 1, group_size[g]), labels[k]] + vals)
        else:
            rows.append([lead, (labels[k], 2, 1)] + vals)
    return rows


def table4_grid(r: Report) -> list[list]:
    blocks = [T4_BLOCK_LABELS[b].split("·") for b in T4_BLOCKS]
    results = [T4_RESULT_LABELS[x] for x in T4_RESULTS]
    vals = [
        ("无" if r.marks4.get(i) == "wu" else "" if r.marks4.get(i) == "blank" else str(v)) for i, v in enumerate(r.t4)
    ]
    return [
        [(blocks[0][0], 5, 1), (blocks[1][0], 10, 1)],
        [(x, 1, 2) for x in results] + [(blocks[1][1], 5, 1), (blocks[2][1], 5, 1)],
        [None] * 5 + results + results,
        vals,
    ]


# -- layouts ----------------------------------------------------------------------------------
def _tabcell(rows: list[list]) -> str:
    out = []
    for row in rows:
        out.append("\n".join("\t" if c is None else "\t" + (c if c.__class__ is str else c[0]) for c in row))
    return "\n\n".join(out)


def _pipe(rows: list[list]) -> str:
    lines = []
    for row in rows:
        extra = 0
        for c in row:
            if c is None:
                continue
            if c.__class__ is not str:
                extra += c[1] - 1
                c = c[0]
            lines.append(c + " |" if c else "|")
        if extra:
            lines.append("|" * extra)
    return "\n".join(lines)


def _tabrow(rows: list[list]) -> str:
    lines = []
    for row in rows:
        parts = []
        for c in row:
            if c is None:
                parts.append("")
            elif c.__class__ is str:
                parts.append(c)
            else:
                parts.append(c[0])
                parts.extend([""] * (c[1] - 1))
        lines.append("\t".join(parts))
    return "\n".join(lines)


def _crawler(rows: list[list], rng: random.Random, spaced: float) -> str:
    out = []
    for row in rows:
        texts = [c if c.__class__ is str else c[0] for c in row if c is not None]
        if spaced and rng.random() < spaced:
            # Some pages keep a space between number cells: "8 0 0 0 0 0 8".
            s = texts[0] if texts else ""
            for a, b in itertools.pairwise(texts):
                s += (" " + b) if a.isdigit() and b.isdigit() else b
            out.append(s)
        else:
            out.append("".join(texts))
    return "".join(out)


def _html(rows: list[list]) -> str:
    out = []
    for row in rows:
        tds = []
        for c in row:
            if c is None:
                continue
            if c.__class__ is str:
                tds.append(f"<td>{c or '&nbsp;'}</td>")
            else:
                text, cs, rs = c
                attrs = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
                tds.append(f"<td{attrs}>{text or '&nbsp;'}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return (
        '<table border="1" cellspacing="0" cellpadding="0" align="center"><tbody>\n'
        + "\n".join(out)
        + "\n</tbody></table>"
    )


# -- prose ------------------------------------------------------------------------------------
_NOTICE = {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}
_PROBLEMS = (
    "主动公开的深度和广度还需进一步拓展",
    "政策解读形式较为单一，图解、音视频等方式运用不多",
    "依申请公开答复的规范化水平有待提升",
    "工作人员业务能力还需进一步加强",
    "部分栏目信息更新不够及时",
)
_FIXES = (
    "加大重点领域信息公开力度，做到应公开尽公开",
    "丰富政策解读形式，提升解读质量",
    "规范依申请公开办理流程，提高答复质量",
    "加强业务培训，提升工作人员能力",
    "健全栏目巡查机制，确保信息及时更新",
)


def prose(r: Report, agency: Agency, rng: random.Random) -> list[list[str]]:
    """Paragraphs of the six sections (the tables go after sections 二, 三 and 四)."""
    y, f = r.year, r.facts
    intro = (
        f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{_NOTICE[r.template]}"
        f"要求编制，所列数据统计期限为{y}年1月1日至{y}年12月31日。如对本报告有疑问，请与{agency.name}联系。"
        if rng.random() < 0.6
        else f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency.name}{y}年政府信息公开工作年度报告。"
    )
    pub = int(rng.lognormvariate(4.5, 1.0)) + 1
    if f["new"] or f["carried"]:
        req = (
            f"（二）依申请公开。全年新收政府信息公开申请{f['new']}件，上年结转{f['carried']}件；"
            f"办结{f['handled']}件，结转下年度继续办理{f['fwd']}件。"
        )
    else:
        req = "（二）依申请公开。全年未收到政府信息公开申请。"
    if f["review"] or f["suits"]:
        req += f"全年因政府信息公开被申请行政复议{f['review']}件、提起行政诉讼{f['suits']}件。"
    else:
        req += "全年未发生因政府信息公开引起的行政复议、行政诉讼。"
    overview = [
        (
            f"（一）主动公开。{y}年，通过政府门户网站、政务新媒体等渠道主动公开政府信息{pub}条，"
            "围绕重点领域持续做好信息发布和政策解读。"
        ),
        req,
        "（三）政府信息管理。严格落实保密审查制度，坚持“先审查、后公开”和“一事一审”原则，确保发布信息准确规范。",
        "（四）平台建设。持续优化政府信息公开专栏，及时更新机构职能、政策文件、公开指南等内容。",
        "（五）监督保障。将政务公开工作纳入年度目标考核，定期开展自查整改，确保各项要求落到实处。",
    ]
    i, j = rng.sample(range(len(_PROBLEMS)), 2)
    problems = [
        f"（一）存在的主要问题。一是{_PROBLEMS[i]}；二是{_PROBLEMS[j]}。",
        f"（二）改进情况。一是{_FIXES[i]}；二是{_FIXES[j]}。",
    ]
    if r.template == "2021" and f["unpaid"]:
        other = (
            f"依据《政府信息公开信息处理费管理办法》，本年度发出收费通知{f['unpaid']}件，"
            "申请人均未按期缴费，实际收取信息处理费0元。"
        )
    else:
        other = "本年度未收取信息处理费，无其他需要报告的事项。"
    return [[intro], overview, [], [], [], problems, [other]]


# -- documents --------------------------------------------------------------------------------
def render(layout: str, r: Report, agency: Agency, rng: random.Random, style: dict) -> bytes:
    title = f"{agency.name}{r.year}年政府信息公开工作年度报告"
    paras = prose(r, agency, rng)
    grids = {1: table2_grid(r), 2: table3_grid(r), 3: table4_grid(r)}
    heads = [rng.choice(t) for t in SECTION_TITLES]
    sign = [agency.name, f"{r.year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]

    if layout == "html":
        return _html_page(title, paras, grids, heads, sign, style)
    if layout == "crawler":
        text = _crawler_page(title, paras, grids, heads, sign, agency, r.year, rng, style)
    else:
        table = {"tabcell": _tabcell, "pipe": _pipe, "tabrow": _tabrow}[layout]
        # raw/003 (tabrow) separates every paragraph by a blank line; raw/000 and 001 do not,
        # but set the tables off with blank lines.
        gap, pad = ("\n\n", "") if layout == "tabrow" else ("\n", "\n")
        parts = [title, ""] + paras[0]
        for s, head in enumerate(heads):
            parts.append(head)
            parts.extend(paras[s + 1])
            if s in grids:
                parts.append(pad + table(grids[s]) + pad)
        parts.extend(sign)
        text = gap.join(parts) + "\n"
        if style.get("half_width"):
            text = text.translate(_HALF_WIDTH)
    return text.encode("utf-8")


def _crawler_page(title, paras, grids, heads, sign, agency, year, rng, style) -> str:
    m, d = rng.randint(1, 3), rng.randint(1, 28)
    doc = rng.randint(10000, 999999)
    stamp = f"{year + 1}{m:02d}"
    header = (
        f"标题: {title}\n发布时间: {year + 1}-{m:02d}-{d:02d} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}\n"
        f"文号: \n发布机构: \n栏目: 政府信息公开年报\n"
        f"原文链接: https://www.{agency.domain}.gov.cn/zwgk/zfxxgk/zfxxgknb/{stamp}/t{stamp}{d:02d}_{doc}.htm\n"
        f"本地目录: zwgk/zfxxgk/zfxxgknb/{stamp}/{doc}_{title}\n"
        f"页面链接与图片详见 links.tsv(同目录)\n==================== 正文 ====================\n"
    )
    spaced = style.get("spaced", 0.0)
    body = list(paras[0])
    for s, head in enumerate(heads):
        body.append(head)
        body.extend(paras[s + 1])
        if s in grids:
            body.append(_crawler(grids[s], rng, spaced))
    body.extend(sign)
    return header + "".join(body)


def _html_page(title, paras, grids, heads, sign, style) -> bytes:
    charset = style.get("charset", "utf-8")
    out = [
        "<!DOCTYPE html>\n<html>\n<head>\n",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n',
        f'<title>{title}</title>\n</head>\n<body>\n<div class="article">\n',
        f'<p style="text-align:center;font-weight:bold;">{title}</p>\n',
    ]
    out.extend(f"<p>{p}</p>\n" for p in paras[0])
    for s, head in enumerate(heads):
        out.append(f"<p><strong>{head}</strong></p>\n")
        out.extend(f"<p>{p}</p>\n" for p in paras[s + 1])
        if s in grids:
            out.append(_html(grids[s]) + "\n")
    out.extend(f'<p style="text-align:right">{p}</p>\n' for p in sign)
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out).encode("gbk" if charset in ("gbk", "gb2312") else "utf-8")
