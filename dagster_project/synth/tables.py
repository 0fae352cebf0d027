"""The numbers of one agency's reports, year after year, and the defects planted in them.

Counts are drawn from log-normal distributions (most cells small, a long tail of large ones)
and assembled so the official identities hold by construction: applicant columns add up to
the 总计 column, outcome leaves add up to （七）总计, 一+二 = （七）+四, and each 表四 block sums to
its 总计. State carried from year to year gives the cross-year series their shape: 上年结转 is
last year's 结转下年度, 2019 上一年项目数量 moves by last year's 本年增/减, 2021 现行有效件数 by
制发 − 废止.
"""

from __future__ import annotations

import math
import random

from ..parsing.vocabulary import APPLICANT_COLUMNS, T3_OUTCOME_LEAVES, T3_ROWS
from .names import LEVELS, Agency

T3_KEYS: dict[str, tuple[str, ...]] = {t: tuple(r.key for r in rows) for t, rows in T3_ROWS.items()}
# Numbers are always drawn at the 2021 granularity; the 2019 row set sums the three 其他处理 rows.
LEAVES = T3_OUTCOME_LEAVES["2021"]
OTHER_2021 = tuple(k for k in LEAVES if k.startswith("other_"))
_LEAF_BASE = {
    "granted": 0.40,
    "partially_granted": 0.08,
    "withheld_state_secret": 0.003,
    "withheld_law_forbidden": 0.005,
    "withheld_three_safeties": 0.004,
    "withheld_third_party": 0.012,
    "withheld_internal_affairs": 0.01,
    "withheld_process_info": 0.015,
    "withheld_enforcement_file": 0.01,
    "withheld_query_matter": 0.01,
    "unable_not_held": 0.22,
    "unable_needs_creation": 0.04,
    "unable_unclear": 0.03,
    "rejected_petition": 0.02,
    "rejected_duplicate": 0.03,
    "rejected_publication": 0.005,
    "rejected_mass_repeat": 0.01,
    "rejected_confirm_info": 0.01,
    "other_overdue_correction": 0.05,
    "other_unpaid_fee": 0.003,
    "other_other": 0.03,
}
_COL_BASE = (0.86, 0.07, 0.01, 0.01, 0.03, 0.02)  # natural persons dominate
_T4_BASE = (0.62, 0.10, 0.13, 0.15)  # upheld, corrected, other, pending
_LEVEL_T2 = {"province": 6.0, "prefecture": 3.0, "county": 1.5, "town": 0.3, "zone": 0.8}

# Note prefixes (the part before ": "), so keys can be filtered mechanically.
DEFECT_KINDS = ("blank", "identity", "lost_cell", "wu_zero")
NOTE_HYBRID = "hybrid"
NOTE_CONTINUITY = "continuity_break"
NOTE_T2_OMITTED = "t2_row_omitted"


def _cum(weights) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def split(rng: random.Random, total: int, weights, cum, population) -> list[int]:
    """Distribute `total` over len(weights) bins; bin 0 should be the heaviest (it takes the rest)."""
    n = len(weights)
    out = [0] * n
    if total <= 0:
        return out
    if total <= 40:
        for i in rng.choices(population, cum_weights=cum, k=total):
            out[i] += 1
        return out
    # Large totals: noisy proportional shares; exact multinomial sampling would cost O(total).
    tw = cum[-1]
    rnd = rng.random
    acc = 0
    for i in range(1, n):
        v = int(total * weights[i] / tw * (0.6 + 0.8 * rnd()))
        out[i] = v
        acc += v
    if acc > total:
        f = total / acc
        acc = 0
        for i in range(1, n):
            out[i] = int(out[i] * f)
            acc += out[i]
    out[0] = total - acc
    return out


def dec_str(n: int, places: int) -> str:
    """n / 10**places as an exact, trimmed decimal string."""
    q, r = divmod(n, 10**places)
    if not r:
        return str(q)
    return f"{q}.{str(r).rjust(places, '0').rstrip('0')}"


def as_number(s: str) -> int | float:
    return float(s) if "." in s else int(s)


class Report:
    """One year's published numbers (source numbers: after any planted identity defect)."""

    __slots__ = (
        "facts",
        "hybrid",
        "marks3",
        "marks4",
        "notes",
        "t2",
        "t2style",
        "t2w",
        "t3",
        "t3rows",
        "t4",
        "template",
        "year",
    )

    def __init__(self, year: int, template: str, hybrid: bool):
        self.year, self.template, self.hybrid = year, template, hybrid
        self.t2: dict[str, dict[str, int | float]] = {}
        self.t2w: dict[str, dict[str, str]] = {}
        self.t2style: dict[str, str] = {}
        self.t3: dict[str, list[int]] = {}
        self.t3rows = T3_KEYS["2019" if template == "2019" or hybrid else "2021"]
        self.t4: list[int] = []
        self.marks3: dict[tuple[str, int], str] = {}  # (row, col) -> blank | wu | lost
        self.marks4: dict[int, str] = {}
        self.notes: list[str] = []
        self.facts: dict[str, int] = {}  # true totals quoted by the narrative

    def key_table3(self) -> dict[str, list[int | None]]:
        m = self.marks3
        return {k: [None if m.get((k, c)) == "blank" else v for c, v in enumerate(self.t3[k])] for k in self.t3rows}

    def key_table4(self) -> list[int | None]:
        return [None if self.marks4.get(i) == "blank" else v for i, v in enumerate(self.t4)]


class Series:
    """One agency: a stable size and outcome profile, and the state carried across years."""

    def __init__(self, rng: random.Random, agency: Agency):
        self.rng, self.agency = rng, agency
        volume = LEVELS[agency.level][1] * {"g": 1.6, "e": 1.0, "l": 1.8, "s": 0.6}[agency.kind]
        self.mu = math.log(volume) + rng.gauss(0.0, 0.8)
        self.t2f = _LEVEL_T2[agency.level]
        lv = rng.lognormvariate
        self.colw = [w * lv(0, 0.4) for w in _COL_BASE]
        self.colc = _cum(self.colw)
        self.leafw = [_LEAF_BASE[k] * lv(0, 0.7) for k in LEAVES]
        self.leafw[0] = max(self.leafw[0], max(self.leafw))  # granted takes the remainder
        self.leafc = _cum(self.leafw)
        self.regs = agency.kind == "g" and agency.level in ("province", "prefecture")
        self.hybrid_agency = rng.random() < 0.05
        self.omit_regs = rng.random() < 0.04  # bodies without rule-making power may drop the 规章 row
        self.prev_fwd: list[int] | None = None
        self.state: dict[str, int] = {}

    # -- 表三 ------------------------------------------------------------------------------
    def _table3(self, r: Report) -> None:
        rng = self.rng
        six = range(6)
        n_new = int(rng.lognormvariate(self.mu, 0.9))
        new = split(rng, n_new, self.colw, self.colc, six)
        if self.prev_fwd is None or rng.random() < 0.03:
            n_carried = int(rng.lognormvariate(self.mu - 1.5, 0.8)) if rng.random() < 0.35 else 0
            carried = split(rng, n_carried, self.colw, self.colc, six)
            if self.prev_fwd is not None and carried != self.prev_fwd[:6]:
                r.notes.append(
                    f"{NOTE_CONTINUITY}: 上年结转 differs from the {r.year - 1} report's "
                    "结转下年度 (cases reclassified between years)"
                )
        else:
            carried = self.prev_fwd[:6]
        f = 0.0 if rng.random() < 0.7 else rng.uniform(0.02, 0.25)
        fwd, handled = [0] * 6, [0] * 6
        for c in six:
            a = new[c] + carried[c]
            if a and f:
                fwd[c] = min(a, int(a * f) + (rng.random() < f))
            handled[c] = a - fwd[c]
        leaves = [[0] * 6 for _ in LEAVES]
        pop = range(len(LEAVES))
        for c in six:
            if handled[c]:
                for i, v in enumerate(split(rng, handled[c], self.leafw, self.leafc, pop)):
                    leaves[i][c] = v
        t3 = r.t3
        t3["new_received"] = new + [sum(new)]
        t3["carried_over"] = carried + [sum(carried)]
        for key, row in zip(LEAVES, leaves):
            t3[key] = row + [sum(row)]
        if "other_handling" in r.t3rows:
            t3["other_handling"] = [sum(t3[k][c] for k in OTHER_2021) for c in range(7)]
            for k in OTHER_2021:
                del t3[k]
        t3["total_handled"] = handled + [sum(handled)]
        t3["carried_forward"] = fwd + [sum(fwd)]
        self.prev_fwd = list(t3["carried_forward"])
        r.facts.update(
            new=t3["new_received"][6],
            carried=t3["carried_over"][6],
            handled=t3["total_handled"][6],
            fwd=t3["carried_forward"][6],
            unpaid=sum(leaves[_UNPAID]),
        )

    # -- 表四 ------------------------------------------------------------------------------
    def _table4(self, r: Report) -> None:
        rng = self.rng
        lam = r.facts["new"] * 0.012
        t4: list[int] = []
        for share in (1.0, 0.5, 0.3):
            total = int(rng.expovariate(1.0 / (lam * share))) if lam else 0
            parts = split(rng, total, _T4_BASE, _T4_CUM, range(4))
            t4 += parts + [total]
        r.t4 = t4
        r.facts.update(review=t4[4], suits=t4[9] + t4[14])

    # -- 表二 ------------------------------------------------------------------------------
    def _count(self, base: float, sigma: float = 0.9, p_zero: float = 0.0) -> int:
        rng = self.rng
        if base <= 0 or (p_zero and rng.random() < p_zero):
            return 0
        return int(rng.lognormvariate(math.log(base), sigma))

    def _change_text(self, v: float, style: str) -> str:
        if v == 0:
            return "0"
        if style == "cn":
            return f"增{v}" if v > 0 else f"减{-v}"
        if style == "sign":
            return f"+{v}" if v > 0 else str(v)
        return str(v)

    def _table2_2019(self, r: Report) -> None:
        rng, st, f, kind = self.rng, self.state, self.t2f, self.agency.kind
        town = self.agency.level == "town"
        t2, w = r.t2, r.t2w
        for item, base in (("regulations", 80 * f if self.regs else 0), ("normative_documents", 20 * f)):
            made = (
                self._count(3 * f if self.regs else 0, 0.7)
                if item == "regulations"
                else self._count(4 * f * (2 if kind == "g" else 1), 0.9, 0.6 if town else 0.25)
            )
            pub = made if rng.random() < 0.85 else rng.randint(0, made)
            prev = st.get(item)
            if prev is None:
                prev = self._count(base, 0.6, 0.3 if item == "normative_documents" else 0)
            total = prev + pub
            st[item] = total
            t2[item] = {"new_made": made, "new_published": pub, "total_published": total}
        style = rng.choice(("cn", "sign", "plain"))
        bases = {
            "administrative_licensing": ({"l": 150, "g": 40, "e": 30, "s": 25}[kind], 20),
            "other_external_services": ({"l": 60, "g": 20, "e": 15, "s": 15}[kind], 10),
            "administrative_penalty": ({"e": 600, "l": 150, "g": 20, "s": 60}[kind], 3),
            "administrative_coercion": ({"e": 60, "l": 20, "g": 3, "s": 5}[kind], 0.5),
            "administrative_fees": ({"l": 10, "e": 6, "g": 3, "s": 4}[kind], 0),
        }
        for item, (base, per_item) in bases.items():
            prev = st.get(item)
            if prev is None:
                prev = self._count(base * f / 1.5, 0.6, 0.5 if town else 0.15)
            change = 0
            if rng.random() < (0.45 if prev else 0.1):
                change = 1 + self._count(max(1.0, prev * 0.05), 0.8)
                if rng.random() < 0.45:
                    change = -min(change, prev)
            st[item] = prev + change
            row: dict[str, int | float] = {"prev_year_items": prev, "change": change}
            if per_item:
                row["decisions"] = self._count(prev * per_item, 1.2, 0.7 if not prev else 0.1)
            t2[item] = row
            w[item] = {m: (self._change_text(v, style) if m == "change" else str(v)) for m, v in row.items()}
        projects = self._count(3 * f, 0.9, 0.35)
        cents = int(projects * rng.lognormvariate(math.log(30e6), 1.0)) if projects else 0
        unit = rng.choice(("元", "万元", "万元", "万元h"))
        if cents >= 10**10 and rng.random() < 0.5:
            unit = "亿"
        if unit == "元":
            cents -= cents % 100 if rng.random() < 0.8 else 0
            text = dec_str(cents, 2) + "元"
        elif unit == "亿":
            cents -= cents % 10**8
            text = dec_str(cents, 10) + rng.choice(("亿", "亿元"))
        else:
            cents -= cents % (10**4 if rng.random() < 0.7 else 100)
            text = dec_str(cents, 6) + ("" if unit == "万元h" else "万元")
        if not cents:
            text = "0"
        r.t2style["amount_header"] = "wan" if unit == "万元h" else ""
        t2["centralized_procurement"] = {"projects": projects, "amount_wan_yuan": as_number(dec_str(cents, 6))}
        w["centralized_procurement"] = {"projects": str(projects), "amount_wan_yuan": text}

    def _table2_2021(self, r: Report) -> None:
        rng, st, f, kind = self.rng, self.state, self.t2f, self.agency.kind
        town = self.agency.level == "town"
        t2 = r.t2
        for item in ("regulations", "normative_documents"):
            regs = item == "regulations"
            in_force = st.get(item + "_in_force")
            if in_force is None:
                old = st.get(item)  # 2019-format 对外公开总数量, a different but related count
                in_force = (
                    int(old * rng.uniform(0.4, 0.9))
                    if old is not None
                    else self._count((60 if regs else 25) * f if (self.regs or not regs) else 0, 0.6)
                )
            issued = (
                self._count(3 * f if self.regs else 0, 0.7)
                if regs
                else self._count(4 * f * (2 if kind == "g" else 1), 0.9, 0.6 if town else 0.25)
            )
            repealed = 0 if rng.random() < 0.6 or not in_force else rng.randint(0, max(1, in_force // 8))
            st[item + "_in_force"] = in_force = in_force + issued - repealed
            t2[item] = {"issued": issued, "repealed": repealed, "in_force": in_force}
        for item, base in (
            ("administrative_licensing", {"l": 3000, "g": 300, "e": 200, "s": 150}[kind]),
            ("administrative_penalty", {"e": 1500, "l": 200, "g": 30, "s": 40}[kind]),
            ("administrative_coercion", {"e": 60, "l": 10, "g": 2, "s": 2}[kind]),
        ):
            t2[item] = {"decisions": self._count(base * f / 1.5, 1.2, 0.6 if town else 0.2)}
        p_zero = 0.85 if town else {"l": 0.3, "e": 0.4, "g": 0.5, "s": 0.6}[kind]
        units = self._count(150e4 * f, 1.5, p_zero)  # units of 0.0001 万元
        grain = rng.random()
        units -= units % (10**4 if grain < 0.2 else 100 if grain < 0.7 else 1)
        text = dec_str(units, 4)
        if rng.random() < 0.2 and "." in text:
            text = f"{units // 10**4}.{units % 10**4:04d}"  # 保留4位小数, printed in full
        t2["administrative_fees"] = {"amount_wan_yuan": as_number(dec_str(units, 4))}
        r.t2w["administrative_fees"] = {"amount_wan_yuan": text}

    def next_year(self, year: int) -> Report:
        rng = self.rng
        template = "2019" if year <= 2020 else "2021"
        hybrid = template == "2021" and self.hybrid_agency and rng.random() < 0.8
        r = Report(year, template, hybrid)
        if hybrid:
            r.notes.append(
                f"{NOTE_HYBRID}: 2021 tables but 表三 prints the single 2019-format "
                "（六）其他处理 row (key template 2021, row other_handling)"
            )
        (self._table2_2019 if template == "2019" else self._table2_2021)(r)
        for item, row in r.t2.items():
            r.t2w.setdefault(item, {m: str(v) for m, v in row.items()})
        if self.omit_regs and not any(r.t2["regulations"].values()):
            del r.t2["regulations"], r.t2w["regulations"]
            r.notes.append(f"{NOTE_T2_OMITTED}: the source has no 规章 row in 表二")
        self._table3(r)
        self._table4(r)
        return r


_T4_CUM = _cum(_T4_BASE)
_UNPAID = LEAVES.index("other_unpaid_fee")
COLUMN_NAMES = APPLICANT_COLUMNS


# -- defects ------------------------------------------------------------------------------
def _leaf_rows(r: Report) -> list[str]:
    return [k for k in r.t3rows if k not in ("new_received", "carried_over", "total_handled", "carried_forward")]


def _defect_blank(r: Report, rng: random.Random) -> bool:
    zeros = [(k, c) for k in r.t3rows for c in range(7) if r.t3[k][c] == 0]
    if not zeros:
        return False
    if rng.random() < 0.4:  # a table left blank wherever it is zero, as some offices publish
        leaves = set(_leaf_rows(r))
        cells = [z for z in zeros if z[0] in leaves]
    else:
        cells = rng.sample(zeros, rng.randint(1, min(6, len(zeros))))
    if not cells:
        return False
    for cell in cells:
        r.marks3[cell] = "blank"
    r.notes.append(f"defect:blank: 表三 {len(cells)} zero cell(s) printed blank (key null)")
    return True


def _defect_identity(r: Report, rng: random.Random) -> bool:
    t3, cols = r.t3, COLUMN_NAMES
    pick = rng.random()
    if pick < 0.5:
        row = t3["total_handled"]
        nz = [c for c in range(6) if row[c]]
        c = rng.choice(nz) if nz else 0
        d = -1 if row[c] and rng.random() < 0.5 else 1
        row[c] += d
        row[6] += d
        r.notes.append(
            f"defect:identity: （七）总计 {cols[c]} printed {row[c]} but the outcome rows sum to "
            f"{row[c] - d}; the key keeps the source number"
        )
    elif pick < 0.75:
        b = rng.randrange(3)
        i = b * 5 + 4
        old = r.t4[i]
        r.t4[i] = 0 if old and rng.random() < 0.5 else old + 1
        r.notes.append(
            f"defect:identity: 表四 block {b + 1} 总计 printed {r.t4[i]} but its parts sum to {old}; "
            "the key keeps the source number"
        )
    else:
        # Not the 结转 rows: a broken identity should not also break the cross-year series.
        k = rng.choice([k for k in r.t3rows if k not in ("carried_over", "carried_forward")])
        row = t3[k]
        row[6] += 1
        r.notes.append(
            f"defect:identity: 表三 {k} 总计 printed {row[6]} but the six columns sum to {row[6] - 1}; "
            "the key keeps the source number"
        )
    return True


def _consistent(r: Report, row_key: str, cand: list[int]) -> bool:
    def v(k: str, c: int) -> int:
        return cand[c] if k == row_key else r.t3[k][c]

    leaves = _leaf_rows(r)
    for c in range(7):
        th = v("total_handled", c)
        if sum(v(k, c) for k in leaves) != th:
            return False
        if v("new_received", c) + v("carried_over", c) != th + v("carried_forward", c):
            return False
    return True


def _unique_fill(r: Report, row_key: str, c: int) -> bool:
    """True if the row printed without cell c has exactly one completion meeting every identity."""
    vals = r.t3[row_key]
    rest = vals[:c] + vals[c + 1 :]
    found = set()
    for q in range(7):
        cand = rest[:q] + [0] + rest[q:]
        x = sum(cand[:6]) if q == 6 else cand[6] - (sum(cand[:6]) - cand[q])
        if x < 0:
            continue
        cand[q] = x
        if sum(cand[:6]) == cand[6] and _consistent(r, row_key, cand):
            found.add(tuple(cand))
    return len(found) == 1


def _defect_lost_cell(r: Report, rng: random.Random) -> bool:
    cells = [(k, c) for k in r.t3rows for c in range(7)]
    nonzero = [kc for kc in cells if r.t3[kc[0]][kc[1]]]
    tries = rng.sample(nonzero, min(8, len(nonzero))) + rng.sample(cells, 4)
    for k, c in tries:
        if _unique_fill(r, k, c):
            r.marks3[(k, c)] = "lost"
            r.notes.append(
                f"defect:lost_cell: 表三 row {k} prints 6 of its 7 cells; the missing {COLUMN_NAMES[c]} = "
                f"{r.t3[k][c]} is the only completion meeting the row-sum and column identities "
                "(key keeps it)"
            )
            return True
    return False


def _defect_wu_zero(r: Report, rng: random.Random) -> bool:
    pick = rng.random()
    if pick < 0.4:
        cells = [(item, m) for item, row in r.t2.items() for m, v in row.items() if v == 0]
        if cells:
            if rng.random() < 0.5 and any(m == "change" for _, m in cells):
                cells = [x for x in cells if x[1] == "change"]
            for item, m in cells:
                r.t2w[item][m] = "无"
            r.notes.append(f"defect:wu_zero: 表二 {len(cells)} zero cell(s) written 无 (key 0)")
            return True
    if pick < 0.8:
        rows = [k for k in r.t3rows if not any(r.t3[k])]
        if rows:
            chosen = rng.sample(rows, rng.randint(1, min(5, len(rows))))
            for k in chosen:
                for c in range(7):
                    r.marks3[(k, c)] = "wu"
            r.notes.append(f"defect:wu_zero: 表三 {len(chosen)} all-zero row(s) written 无 (key 0)")
            return True
    zeros = [i for i, v in enumerate(r.t4) if v == 0]
    if not zeros:
        return False
    for i in zeros:
        r.marks4[i] = "wu"
    r.notes.append(f"defect:wu_zero: 表四 {len(zeros)} zero cell(s) written 无 (key 0)")
    return True


_DEFECTS = {
    "blank": _defect_blank,
    "identity": _defect_identity,
    "lost_cell": _defect_lost_cell,
    "wu_zero": _defect_wu_zero,
}


def plant_defect(r: Report, rng: random.Random) -> str:
    """Apply one defect (the first applicable in a random order); returns its kind."""
    order = list(DEFECT_KINDS)
    rng.shuffle(order)
    for kind in order:
        if _DEFECTS[kind](r, rng):
            return kind
    return ""
