"""The hard accounting identities of 表三/表四, checked on the numbers as published.

Strict semantics: an identity is assessable only when every operand is a printed number (a
blank is never read as 0). Failures are reported with the reported and recomputed values;
nothing is ever corrected here.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import vocabulary as V

SIX = V.APPLICANT_COLUMNS[:6]


@dataclass(frozen=True)
class Check:
    identity: str
    place: str
    reported: float | None
    recomputed: float | None

    @property
    def assessable(self) -> bool:
        return self.reported is not None and self.recomputed is not None

    @property
    def delta(self) -> float | None:
        return self.reported - self.recomputed if self.assessable else None

    @property
    def holds(self) -> bool | None:
        return abs(self.delta) < 1e-9 if self.assessable else None


def _sum(values) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else float(sum(values))


def table3_checks(grid: dict[str, list[float | None]], template: str) -> list[Check]:
    """grid: row key → 7 values (six applicant columns, then total)."""
    checks = []
    leaves = [k for k in V.T3_OUTCOME_LEAVES[template] if k in grid]
    for c, col in enumerate(V.APPLICANT_COLUMNS):

        def v(row):
            return grid[row][c] if row in grid else None

        checks.append(
            Check(
                "T3-A",
                f"table3.{col}",
                _sum([v("total_handled"), v("carried_forward")]),
                _sum([v("new_received"), v("carried_over")]),
            )
        )
        checks.append(
            Check(
                "T3-B",
                f"table3.total_handled.{col}",
                v("total_handled"),
                _sum(v(k) for k in leaves) if leaves else None,
            )
        )
    for row, values in grid.items():
        checks.append(Check("T3-C", f"table3.{row}.total", values[6], _sum(values[:6])))
    return checks


def table4_checks(grid: dict[str, list[float | None]]) -> list[Check]:
    """grid: block key → 5 values (维持, 纠正, 其他, 尚未审结, 总计)."""
    return [Check("T4-A", f"table4.{block}.total", vals[4], _sum(vals[:4])) for block, vals in grid.items()]
