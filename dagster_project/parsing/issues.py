"""A recorded problem with a report: what, how bad, where — never silently swallowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .catalogue import CATALOGUE, IssueCode, Severity

Reading = tuple[float | None, ...]


@dataclass(frozen=True)
class Issue:
    """One issue. `place` is for people ("table2.regulations (line 12)"); `table_id` and
    `row_key` are for code: the row an issue is about, when it is about one."""

    code: IssueCode
    message: str
    place: str = ""
    table_id: str | None = None
    row_key: str | None = None
    identity: str | None = None
    reported: float | None = None
    recomputed: float | None = None
    delta: float | None = None
    candidates: tuple[Reading, ...] | None = None  # readings left open (cells_ambiguous, row_cut_short)
    severity: Severity | None = None  # None: the catalogue's severity for the code

    def __post_init__(self) -> None:
        info = CATALOGUE[IssueCode(self.code)]
        object.__setattr__(self, "code", IssueCode(self.code))
        object.__setattr__(self, "severity", Severity(self.severity or info.severity))
        if self.severity not in info.severities:
            raise ValueError(f"{self.code} is never {self.severity} (catalogue: {info.severities})")

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""} | {"code": self.code}

    @property
    def candidate_lists(self) -> list[list[float | None]] | None:
        return None if self.candidates is None else [list(c) for c in self.candidates]


def row_issue(code: IssueCode, table: str, key: str, message: str, where: str | None = None, **fields: Any) -> Issue:
    """An issue about one table row: place `table.key (line N)`, and the row's keys."""
    place = f"{table}.{key}" + (f" ({where})" if where else "")
    return Issue(code, message, place=place, table_id=table, row_key=key, **fields)


def format_values(values: Iterable[float | None]) -> str:
    """A row's values for an issue text: ``[396, 0, 181]``, a blank cell as ``·``."""
    return "[" + ", ".join("·" if v is None else f"{v:.12g}" for v in values) + "]"
