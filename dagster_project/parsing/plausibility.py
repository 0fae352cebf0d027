"""Choose among the readings of a glued 表二 row that no identity decides.

表二 has no identity inside the report, so crawler text such as ``规范性文件898989`` or
``行政强制126025`` often leaves several cuts. A person reading such a row takes the cut that
makes sense of what the columns mean; these rules write that reasoning down. Each rule keeps
the readings that pass it, unless none would; a row is chosen only when exactly one reading
is left, and the choice is always reported (``cells_chosen_by_plausibility``), with the other
readings, so it can be told apart from a printed or an identity-decided value.

Bounds (what the column definitions imply) come before preferences (what most reports show):

- 2019 items (上一年项目数量, 本年增/减, 处理决定数量): the item count cannot fall below zero;
  decisions stay within 1/100 to 1000 times the item count; most years change by 0.
- 2019 documents (本年新制作, 本年新公开, 对外公开总数): the total published includes this
  year's; what is made is usually what is published.
- 2021 documents (本年制发, 本年废止, 现行有效): documents issued this year are still in force;
  most years repeal none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

from . import vocabulary as V

Values = tuple[float | None, ...]
Complete = tuple[float, ...]  # a reading with every cell read; the only kind the rules see
Rule = tuple[str, Callable[[Complete], bool]]

_ITEMS_2019: list[Rule] = [
    ("本年增/减 does not take the item count below zero", lambda v: v[0] + v[1] >= 0),
    (
        "处理决定数量 within 1/100 to 1000 times the item count",
        lambda v: len(v) < 3 or v[2] == 0 or max(v[0], 1) / 100 <= v[2] <= 1000 * max(v[0], 1),
    ),
    ("本年增/减 is 0", lambda v: v[1] == 0),
]
_DOCS_2019: list[Rule] = [
    ("对外公开总数 includes this year's 本年新公开", lambda v: v[1] <= v[2]),
    ("本年新制作 equals 本年新公开", lambda v: v[0] == v[1]),
]
_DOCS_2021: list[Rule] = [
    ("现行有效 includes this year's 本年制发", lambda v: v[0] <= v[2]),
    ("本年废止 is 0", lambda v: v[1] == 0),
]

RULES: dict[tuple[str, str], list[Rule]] = {
    **{("2019", item): _ITEMS_2019 for item in V.T2_2019_PROJECT_ITEMS},
    **{("2019", item): _DOCS_2019 for item in V.T2_DOCUMENT_ITEMS},
    **{("2021", item): _DOCS_2021 for item in V.T2_DOCUMENT_ITEMS},
}


def _complete(reading: Values) -> TypeGuard[Complete]:
    return None not in reading


def choose(variant: str | None, item: str, readings: list[Values]) -> tuple[Values, list[str]] | None:
    """The one reading the rules leave, with the rules that narrowed it down; None when the
    rules leave several (or the row has no rules)."""
    rules = RULES.get((variant or "", item))
    live = [r for r in readings if _complete(r)]
    if not rules or len(readings) < 2 or len(live) < len(readings):
        return None
    used: list[str] = []
    for name, passes in rules:
        kept = [r for r in live if passes(r)]
        if kept and len(kept) < len(live):
            live, used = kept, used + [name]
        if len(live) == 1:
            return live[0], used
    return None
