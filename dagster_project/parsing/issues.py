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

    def __init__(
        self,
        code: IssueCode,
        message: str,
        place: str = "",
        table_id: str | None = None,
        row_key: str | None = None,
        identity: str | None = None,
        reported: float | None = None,
        recomputed: float | None = None,
        delta: float | None = None,
        candidates: tuple[Reading, ...] | None = None,
        severity: Severity | None = None,
    ) -> None:
        # The dataclass's own __init__ and a __post_init__, in one: a frozen dataclass sets each
        # field through object.__setattr__, and enum calls are slow (a flagged report makes dozens).
        code = code if type(code) is IssueCode else IssueCode(code)
        info = CATALOGUE[code]
        severity = severity or info.severity
        severity = severity if type(severity) is Severity else Severity(severity)
        _set(
            self,
            "__dict__",
            {
                "code": code,
                "message": message,
                "place": place,
                "table_id": table_id,
                "row_key": row_key,
                "identity": identity,
                "reported": reported,
                "recomputed": recomputed,
                "delta": delta,
                "candidates": candidates,
                "severity": severity,
            },
        )
        if severity != info.severity and severity not in info.also:
            raise ValueError(f"{code} is never {severity} (catalogue: {info.severities})")

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""} | {"code": self.code}

    @property
    def candidate_lists(self) -> list[list[float | None]] | None:
        return None if self.candidates is None else [list(c) for c in self.candidates]


_set = object.__setattr__


def row_issue(code: IssueCode, table: str, key: str, message: str, where: str | None = None, **fields: Any) -> Issue:
    """An issue about one table row: place `table.key (line N)`, and the row's keys."""
    place = f"{table}.{key}" + (f" ({where})" if where else "")
    return Issue(code, message, place=place, table_id=table, row_key=key, **fields)


def format_values(values: Iterable[float | None]) -> str:
    """A row's values for an issue text: ``[396, 0, 181]``, a blank cell as ``·``."""
    return "[" + ", ".join("·" if v is None else f"{v:.12g}" for v in values) + "]"
