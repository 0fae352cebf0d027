"""The issues a parsed report's tables raise: how each row was read, the identities on the
numbers as printed, and the report's own prose against its 表三."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from itertools import chain
from operator import attrgetter, gt, is_not
from typing import cast

from . import vocabulary as V
from .catalogue import IssueCode, RowMethod, Severity
from .identities import Check, broken, table3_checks, table4_checks
from .issues import Issue, format_values, row_issue
from .narrative import statements, table2_issues
from .tables import RowResult, TableResult
from .text import Compacted

Tables = dict[str, TableResult | None]


def _values(cells) -> list[float | None]:
    return list(map(_VALUE, cells))


def _options(row: RowResult) -> str:
    return "; ".join(format_values(_values(cand)) for cand in row.candidates[:8])


def _candidates(row: RowResult) -> tuple[tuple[float | None, ...], ...]:
    return tuple(tuple(_values(cand)) for cand in row.candidates)


def _ambiguous(name: str, key: str, row: RowResult) -> Issue:
    return row_issue(
        IssueCode.CELLS_AMBIGUOUS,
        name,
        key,
        f"{name} row {key}: the printed digits allow several readings; cells they all agree "
        f"on are kept, the others left blank: {_options(row)}",
        row.place,
        candidates=_candidates(row),
    )


def _cut_short(name: str, key: str, row: RowResult) -> Issue:
    printed = [c.value for c in row.candidates[0] if c.value_class != "missing"]
    placed = any(c.value_class != "missing" for c in row.cells)
    outcome = f"read from the row's edges as {format_values(_values(row.cells))}" if placed else "they are left blank"
    return row_issue(
        IssueCode.ROW_CUT_SHORT,
        name,
        key,
        f"{name} row {key} prints {len(printed)} of its {len(row.cells)} cells "
        f"{format_values(printed)} and not which columns they fill; {outcome} (placements: {_options(row)})",
        row.place,
        candidates=_candidates(row),
        severity=Severity.WARNING if placed else Severity.ERROR,
    )


def _simple(code: IssueCode, text: str) -> Callable[[str, str, RowResult], Issue]:
    """An issue whose message only names the row: `text` completes "{table} row {key}…"."""
    return lambda name, key, row: row_issue(code, name, key, f"{name} row {key}{text}", row.place)


# What each way of reading a row says about it (methods not listed say nothing).
_BY_METHOD: dict[RowMethod, Callable[[str, str, RowResult], Issue]] = {
    RowMethod.MISSING: _simple(IssueCode.ROW_NOT_FOUND, " is not in the report"),
    RowMethod.UNRESOLVED: _ambiguous,
    RowMethod.UNREADABLE: _simple(IssueCode.ROW_UNREADABLE, ": no reading fits the row"),
    RowMethod.BY_ORDER: _simple(
        IssueCode.VALUES_MATCHED_BY_ORDER,
        ": its numbers are printed apart from its label; they were matched by order and every identity of "
        "the table holds with them",
    ),
    RowMethod.REJOINED: _simple(
        IssueCode.DIGITS_REJOINED,
        " prints one piece more than its cells; two adjacent digit pieces were read as one number because "
        "only that reading meets the row sum",
    ),
    RowMethod.SHORT_ROW: _cut_short,
}


def _damage(name: str, key: str, row: RowResult) -> list[Issue]:
    """What the printed text of a row shows beyond its cells: numbers left unread, a cell split
    at a space, the label printed again."""
    if not (row.leftover or row.split_at_space or row.signed or row.repeated) and (
        name != "table2" or row.method != RowMethod.EMPTY
    ):
        return []  # the common row: nothing to say (and no reading to format)
    read = format_values(_values(row.cells))
    out = []
    if row.leftover:
        where = None if name == "table4" else key  # 表四 is read as one run of 15 numbers
        out.append(
            Issue(
                IssueCode.ROW_EXTRA_NUMBERS,
                f"{name} row {key} also prints “{row.leftover[:40]}” after the cells read {read}; "
                "those numbers were not read",
                f"{name}.{key}" + (f" ({row.place})" if row.place else ""),
                table_id=name,
                row_key=where,
            )
        )
    if row.split_at_space:
        out.append(
            row_issue(
                IssueCode.CELL_SPLIT_AT_SPACE,
                name,
                key,
                f"{name} row {key}: numbers printed apart by a space or a line break were read as cells {read}; "
                "they may be one number split",
                row.place,
            )
        )
    if name == "table2" and row.method == RowMethod.EMPTY:
        out.append(
            row_issue(
                IssueCode.ROW_CUT_SHORT,
                name,
                key,
                f"{name} row {key} prints none of its {len(row.cells)} cells after its label; they are left blank",
                row.place,
                severity=Severity.ERROR,
            )
        )
    if row.signed:
        out.append(
            row_issue(
                IssueCode.SIGNED_COUNT,
                name,
                key,
                f"{name} row {key}: {', '.join(row.signed)} prints a signed number, as only 本年增/减 does; "
                f"read {read}",
                row.place,
            )
        )
    if row.repeated:
        out.append(
            row_issue(
                IssueCode.ROW_LABEL_REPEATED,
                name,
                key,
                f"{name} row {key}: its label “{row.label}” is printed {row.repeated + 1} times before the next row; "
                f"read {read} after the first",
                row.place,
            )
        )
    return out


def row_issues(tables: Tables) -> list[Issue]:
    """One issue per row that was read approximately, left open, or not found; one summary
    issue for the rows whose glued digits the identities split."""
    issues: list[Issue] = []
    split_rows = []
    for name, table in tables.items():
        for key, row in _noted_rows(table) if table else ():
            if row.fuzzy_score is not None:
                issues.append(
                    row_issue(
                        IssueCode.LABEL_FUZZY_MATCH,
                        name,
                        key,
                        f"{name} row {key}: printed label “{row.label}” matched the official wording "
                        f"approximately (score {row.fuzzy_score:g} ≥ threshold)",
                        row.place,
                    )
                )
            if row.leftover or row.split_at_space or row.signed or row.repeated or row.method == RowMethod.EMPTY:
                issues += _damage(name, key, row)  # (the common row has nothing to say)
            if row.method in _BY_METHOD:
                issues.append(_BY_METHOD[row.method](name, key, row))
            elif row.method == RowMethod.SPLIT:
                split_rows.append(f"{name}.{key}")
            if any(map(_RECONSTRUCTED, row.cells)):
                issues.append(
                    row_issue(
                        IssueCode.CELL_RECONSTRUCTED,
                        name,
                        key,
                        f"{name} row {key} prints one cell fewer than the format; the identities "
                        f"determine the row uniquely as {format_values(_values(row.cells))} (the cell marked "
                        "reconstructed is the first position that fits; the printed numbers are kept)",
                        row.place,
                    )
                )
        for key in table.absent if table else ():
            issues.append(_BY_METHOD[RowMethod.MISSING](name, key, RowResult(key, ())))
    if split_rows:
        issues.append(
            Issue(
                IssueCode.DIGITS_SPLIT,
                f"{len(split_rows)} rows printed without cell separators were split using the identities",
                ", ".join(split_rows[:6]) + (" …" if len(split_rows) > 6 else ""),
            )
        )
    return issues


def _noted_rows(table: TableResult) -> list[tuple[str, RowResult]]:
    """The rows `row_issues` has something to say about (most rows, read as printed, say nothing),
    found in one pass (a reconstructed cell is looked for row by row only when the table has one)."""
    rows = table.rows
    reconstructed = any(map(_RECONSTRUCTED, chain.from_iterable(map(_CELLS, rows.values()))))
    return [
        (key, row)
        for key, row in rows.items()
        if row.method in _NOTED
        or row.fuzzy_score is not None
        or row.leftover
        or row.split_at_space
        or row.signed
        or row.repeated
        or (reconstructed and any(map(_RECONSTRUCTED, row.cells)))
    ]


_NOTED = frozenset({*_BY_METHOD, RowMethod.SPLIT, RowMethod.EMPTY})


def check_identities(tables: Tables) -> tuple[list[Check], list[Issue]]:
    """The hard identities of 表三/表四 on the numbers as printed, plus negative counts and
    blank totals; nothing is corrected."""
    t2, t3, t4 = tables["table2"], tables["table3"], tables["table4"]
    checks: list[Check] = []
    issues: list[Issue] = []
    # every row's values, read once (the checks only read them)
    t3_values = {k: _values(r.cells) for k, r in t3.rows.items()} if t3 else {}
    t4_values = {k: _values(r.cells) for k, r in t4.rows.items()} if t4 else {}
    if t3 and t3.variant:
        grid = {k: t3_values[k] for k, r in t3.rows.items() if r.method != RowMethod.MISSING}
        checks += table3_checks(grid, t3.variant)
    if t4:
        checks += table4_checks(t4_values)
    for check in broken(checks):
        issues.append(
            Issue(
                IssueCode.IDENTITY_BROKEN,
                f"{check.identity} fails at {check.place}: printed {check.reported:g}, "
                f"components sum to {check.recomputed:g} (published numbers kept as printed)",
                check.place,
                table_id=check.table_id,
                row_key=check.row_key,
                identity=check.identity,
                reported=check.reported,
                recomputed=check.recomputed,
                delta=check.delta,
            )
        )
    if t3 and t3.variant:
        issues += _unverified(t3, checks)
    if t2 and t2.variant and _any_negative(c.value for r in t2.rows.values() for c in r.cells):
        metrics = {i.key: i.metrics for i in V.T2_ITEMS[t2.variant]}
        for key, row in t2.rows.items():
            if any(
                c.value is not None and c.value < 0 and m not in V.T2_SIGNED_METRICS
                for m, c in zip(metrics[key], row.cells, strict=False)
            ):
                issues.append(row_issue(IssueCode.NEGATIVE_COUNT, "table2", key, f"table2 {key} has a negative count"))
    for name, table, table_values in (("table3", t3, t3_values), ("table4", t4, t4_values)):
        if table is None:
            continue
        printed = cast(Iterable[float], filter(_IS_NUMBER, chain.from_iterable(table_values.values())))
        negative = min(printed, default=0) < 0  # rows are looked at one by one only then
        for key, values in table_values.items():
            if negative and _any_negative(values):
                issues.append(row_issue(IssueCode.NEGATIVE_COUNT, name, key, f"{name} {key} has a negative count"))
            if values[-1] is None and table.rows[key].cells[-1].value_class == "blank" and any(values[:-1]):
                issues.append(
                    Issue(
                        IssueCode.TOTAL_NOT_FILLED,
                        f"{name} {key}: total cell blank while components are non-zero",
                        f"{name}.{key}.total",
                        table_id=name,
                        row_key=key,
                    )
                )
    # a blank cell has no value: the cells' classes are looked at only when some value is None
    nulls = sum(values.count(None) for values in chain(t3_values.values(), t4_values.values()))
    cells = chain.from_iterable(r.cells for t in (t3, t4) if t for r in t.rows.values())
    blanks = list(map(_VALUE_CLASS, cells)).count("blank") if nulls else 0
    if blanks:
        issues.append(
            Issue(
                IssueCode.BLANK_CELLS,
                f"{blanks} cells of 表三/表四 are blank (kept as null, not 0); identities over them are not assessable",
            )
        )
    return checks, issues


_VALUE, _VALUE_CLASS, _RECONSTRUCTED = attrgetter("value"), attrgetter("value_class"), attrgetter("reconstructed")
_CELLS = attrgetter("cells")
_BELOW_ZERO, _IS_NUMBER = partial(gt, 0), partial(is_not, None)


def _any_negative(values: Iterable[float | None]) -> bool:
    return any(map(_BELOW_ZERO, filter(None, values)))  # (0 and None are never negative)


_UNREAD = (RowMethod.MISSING, RowMethod.UNREADABLE, RowMethod.UNRESOLVED, RowMethod.EMPTY)


def _unverified(t3: TableResult, checks: list[Check]) -> list[Issue]:
    """表三 rows left unread (missing, unreadable, open) make its column identities unassessable,
    and a broken T3-B does not say which leaf is wrong: then nothing confirms the rows that were
    read, and the table says so."""
    unread = [k for k, r in t3.rows.items() if r.method in _UNREAD]
    columns = [c for c in checks if c.identity in ("T3-A", "T3-B")]
    leaves = [c.place.rsplit(".", 1)[-1] for c in broken(columns) if c.identity == "T3-B"]
    if leaves:  # T3-B names 总计's row, but any outcome leaf of the column may be the misread one
        return [
            Issue(
                IssueCode.TABLE_UNVERIFIED,
                f"table3: the outcome leaves do not sum to （七）总计 in columns {', '.join(leaves)} (T3-B); "
                "any leaf row of those columns may be misread",
                "table3",
                table_id="table3",
            )
        ]
    missing = any(t3.rows[k].method == RowMethod.MISSING for k in unread)
    if not unread or (not missing and all(c.holds is not None for c in columns)):
        return []
    shown = ", ".join(unread[:4]) + (" …" if len(unread) > 4 else "")
    return [
        Issue(
            IssueCode.TABLE_UNVERIFIED,
            f"table3: {len(unread)} rows not read ({shown}); its column identities (T3-A/T3-B) cannot be "
            "checked, so the rows read are unconfirmed",
            "table3",
            table_id="table3",
        )
    ]


# The outcome leaves of each group the prose counts together, by 表三 variant.
_GROUP_LEAVES = {
    variant: {g: tuple(k for k in leaves if k.startswith(g)) for g in ("withheld", "unable", "rejected")}
    for variant, leaves in V.T3_OUTCOME_LEAVES.items()
}


def check_narrative(t2: TableResult | None, t3: TableResult, doc: Compacted) -> list[Issue]:
    """Direct prose statements (X-5) vs 表三's total column and 表二's cells (not the tables' own text)."""
    prose = doc.text[: doc.origin(t2.start if t2 else t3.start)]
    table2 = table2_issues(t2, prose) if t2 else []  # narrative deciders: what the prose says of 表二
    if not t3.variant:
        return table2
    total = {k: r.cells[6].value for k, r in t3.rows.items()}

    def plus(a: str, b: str) -> float | None:
        x, y = total.get(a), total.get(b)
        return None if x is None or y is None else x + y

    groups = {g: [total.get(k) for k in keys] for g, keys in _GROUP_LEAVES[t3.variant].items()}
    expected: dict[str, list[float | None]] = {
        "received": [total.get("new_received"), plus("new_received", "carried_over")],
        "granted": [total.get("granted")],
        "partially_granted": [total.get("partially_granted")],
        "granted_or_partial": [plus("granted", "partially_granted")],
        **{g: [None if None in vals else sum(v or 0.0 for v in vals)] for g, vals in groups.items()},
    }
    issues = []
    for st in statements(prose):
        table_values = [v for v in expected[st.topic] if v is not None]
        if table_values and st.number not in table_values:
            issues.append(
                Issue(
                    IssueCode.NARRATIVE_TABLE_MISMATCH,
                    f"the text says “{st.quote}” ({st.number}) but 表三 gives {table_values[0]:g}",
                    f"text line {st.line}",
                    identity="X-5",
                    reported=float(table_values[0]),
                    recomputed=float(st.number),
                    delta=float(table_values[0] - st.number),
                )
            )
    return issues + table2
