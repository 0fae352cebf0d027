"""The accounting identities, and the one place their arithmetic is done.

Strict semantics: an identity is assessable only when every operand is a printed number (a
blank is never read as 0). Failures are reported with the reported and recomputed values;
nothing is ever corrected here. Every module that tests an identity — the row readers
(`cells`), the 表三 solver, the cross-year series — uses `total_of` / `sums_to` below, so
they all agree on what "holds" means.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from . import vocabulary as V

TOLERANCE = 1e-9  # values are whole counts or money rounded to 6 places: any real gap is larger

Value = float | None


def total_of(values: Iterable[Value]) -> float | None:
    """The sum, or None when any operand is not a number."""
    values = values if isinstance(values, _SEQUENCES) else list(values)
    try:
        return float(sum(values))  # (summing first: looking for None costs as much as the sum)
    except TypeError:
        if None in values:
            return None
        raise


_SEQUENCES = (list, tuple)


def equal(a: Value, b: Value) -> bool | None:
    """a = b within the tolerance; None when either side is not a number."""
    return None if a is None or b is None else abs(a - b) <= TOLERANCE


def sums_to(parts: Iterable[Value], total: Value) -> bool | None:
    """sum(parts) = total; None when not assessable."""
    return equal(total_of(parts), total)


class Check(NamedTuple):
    """One identity evaluated at one place: what the report prints and what its parts sum to.
    (A named tuple: a report makes some sixty, and a tuple is built at a fraction of a frozen
    dataclass's cost.)"""

    identity: str
    place: str
    reported: float | None
    recomputed: float | None
    table_id: str | None = None
    row_key: str | None = None  # the row it is about (null for a column identity such as T3-A)

    @property
    def assessable(self) -> bool:
        return self.reported is not None and self.recomputed is not None

    @property
    def delta(self) -> float | None:
        if self.reported is None or self.recomputed is None:
            return None
        return self.reported - self.recomputed

    @property
    def holds(self) -> bool | None:
        return equal(self.reported, self.recomputed)

    @classmethod
    def of(
        cls,
        identity: str,
        place: str,
        reported: float | None,
        recomputed: float | None,
        table_id: str | None = None,
        row_key: str | None = None,
    ) -> Check:
        """`Check(...)` without the keyword handling of the named tuple's own constructor."""
        return _new(cls, (identity, place, reported, recomputed, table_id, row_key))


_new = tuple.__new__


def broken(checks: Iterable[Check]) -> list[Check]:
    """The checks that fail (`holds is False`, a NaN gap too), tested at once."""
    return [
        c
        for c in checks
        if c.reported is not None and c.recomputed is not None and not abs(c.reported - c.recomputed) <= TOLERANCE
    ]


# Where each check is reported, built once.
_T3_A_PLACES = tuple(f"table3.{col}" for col in V.APPLICANT_COLUMNS)
_T3_B_PLACES = tuple(f"table3.total_handled.{col}" for col in V.APPLICANT_COLUMNS)
_ROW_PLACES: dict[str, dict[str, str]] = {}  # table → row → "table.row.total"; rows are the vocabulary's


def table3_checks(grid: dict[str, list[Value]], template: str) -> list[Check]:
    """T3-A, T3-B per applicant column and T3-C per row. grid: row key → 7 values (six
    applicant columns, then total)."""
    checks: list[Check] = []
    leaves = [grid[k] for k in V.T3_OUTCOME_LEAVES[template] if k in grid]
    absent: list[Value] = [None] * len(V.APPLICANT_COLUMNS)
    handled, carried_forward, received, carried_over = (
        grid.get(k, absent) for k in ("total_handled", "carried_forward", "new_received", "carried_over")
    )
    leaf_columns = list(zip(*leaves, strict=False)) if leaves else None
    for c in range(len(V.APPLICANT_COLUMNS)):  # (`Check.of` inlined, as in `_row_checks`)
        a = (
            "T3-A",
            _T3_A_PLACES[c],
            _total2(handled[c], carried_forward[c]),
            _total2(received[c], carried_over[c]),
            "table3",
            None,
        )
        b = (
            "T3-B",
            _T3_B_PLACES[c],
            handled[c],
            total_of(leaf_columns[c]) if leaf_columns else None,
            "table3",
            "total_handled",
        )
        checks += (_new(Check, a), _new(Check, b))
    return checks + _row_checks("T3-C", "table3", grid, 6)


def _total2(a: Value, b: Value) -> float | None:
    """`total_of((a, b))` without the exception a blank operand costs it."""
    return None if a is None or b is None else float(sum((a, b)))


def _row_checks(identity: str, table_id: str, grid: dict[str, list[Value]], total_at: int) -> list[Check]:
    """One check per row: its cell `total_at` against the sum of the cells before it. (`Check.of`
    inlined: a report makes some thirty of these.)"""
    places = _ROW_PLACES.setdefault(table_id, {})
    checks = []
    for row, values in grid.items():
        place = places.get(row) or places.setdefault(row, f"{table_id}.{row}.total")
        checks.append(_new(Check, (identity, place, values[total_at], total_of(values[:total_at]), table_id, row)))
    return checks


def table4_checks(grid: dict[str, list[Value]]) -> list[Check]:
    """T4-A per block. grid: block key → 5 values (维持, 纠正, 其他, 尚未审结, 总计)."""
    return _row_checks("T4-A", "table4", grid, 4)
