"""Choose among candidate row readings of 表三 with the column identities.

Rows whose text allows several readings (glued digits, a lost cell) are resolved together:
a combination is accepted only if it satisfies T3-A (一+二 = 三(七)+四) and T3-B (三(七) =
sum of outcome leaves) in every column where they can be assessed. A row is fixed only when
every accepted combination agrees on it; otherwise it stays unresolved and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from .cells import Cell
from .identities import sums_to, total_of

MAX_COMBINATIONS = 200_000
MAX_SOLUTIONS = 20


@dataclass
class Resolution:
    """The 表三 rows the identities decided, and the readings of the rows they left open."""

    chosen: dict[str, tuple[Cell, ...]]
    unresolved: dict[str, list[tuple[Cell, ...]]] = field(default_factory=dict)


def _values(cells) -> list[float | None]:
    return [c.value for c in cells]


def columns_hold(grid: dict[str, tuple[Cell, ...]], leaves: tuple[str, ...]) -> bool:
    """T3-A and T3-B hold in every column where they can be assessed."""
    width = len(next(iter(grid.values())))
    head = [grid.get(k) for k in ("new_received", "carried_over", "total_handled", "carried_forward")]
    for col in range(width):
        received, carried_over, handled, carried_forward = (None if r is None else r[col].value for r in head)
        if sums_to([received, carried_over], total_of([handled, carried_forward])) is False:
            return False
        leaf_vals = [grid[k][col].value for k in leaves if k in grid]
        if len(leaf_vals) == len(leaves) and sums_to(leaf_vals, handled) is False:
            return False
    return True


def resolve_table3(
    readings: dict[str, list[tuple[Cell, ...]]],
    leaves: tuple[str, ...],
    fallbacks: dict[str, list[tuple[Cell, ...]]] | None = None,
) -> Resolution:
    """Resolve the rows; when no combination of the printed readings satisfies the identities,
    try each row's fallback readings too, and keep them only if they decide every row."""
    first = _resolve(readings, leaves)
    fallbacks = {k: v for k, v in (fallbacks or {}).items() if v and k in readings}
    if not fallbacks or _holds(first, leaves):
        return first
    widened = {k: v + fallbacks.get(k, []) for k, v in readings.items()}
    second = _resolve(widened, leaves)
    return second if not second.unresolved and _holds(second, leaves) else first


def _holds(resolution: Resolution, leaves: tuple[str, ...]) -> bool:
    return not resolution.unresolved and bool(resolution.chosen) and columns_hold(resolution.chosen, leaves)


def _resolve(readings: dict[str, list[tuple[Cell, ...]]], leaves: tuple[str, ...]) -> Resolution:
    fixed = {k: c[0] for k, c in readings.items() if len(c) == 1}
    open_rows = {k: c for k, c in readings.items() if len(c) > 1}
    if not open_rows:
        return Resolution(fixed)
    size = 1
    for c in open_rows.values():
        size *= len(c)
    if size > MAX_COMBINATIONS:
        return Resolution(fixed, open_rows)

    keys = list(open_rows)
    solutions = []
    for combo in product(*(open_rows[k] for k in keys)):
        grid = dict(fixed)
        grid.update(zip(keys, combo))
        if columns_hold(grid, leaves):
            solutions.append(combo)
            if len(solutions) >= MAX_SOLUTIONS:
                break
    complete = len(solutions) < MAX_SOLUTIONS  # otherwise unseen solutions may disagree
    chosen, unresolved = dict(fixed), {}
    for i, k in enumerate(keys):
        readings_k = {tuple(_values(s[i])): s[i] for s in solutions}
        if len(readings_k) == 1 and complete:
            chosen[k] = next(iter(readings_k.values()))
        else:
            unresolved[k] = (list(readings_k.values()) if complete else []) or open_rows[k]
    return Resolution(chosen, unresolved)
