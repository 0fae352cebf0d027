"""A recorded problem with a report: what, how bad, where — never silently swallowed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    message: str
    place: str = ""
    identity: str | None = None
    reported: float | None = None
    recomputed: float | None = None
    delta: float | None = None
    candidates: tuple[tuple[float | None, ...], ...] | None = None  # readings left open (cells_ambiguous)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""} | {"code": self.code}

    @property
    def candidate_lists(self) -> list[list[float | None]] | None:
        return None if self.candidates is None else [list(c) for c in self.candidates]


def format_values(values) -> str:
    """A row's values for an issue text: ``[396, 0, 181]``, a blank cell as ``·``."""
    return "[" + ", ".join("·" if v is None else f"{v:.12g}" for v in values) + "]"
