"""The sidebar's filters as a value, and the SQL condition they make on `dim_report`.

The condition is built from fixed column names only; every value goes in as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Filters:
    """Report years, province and prefecture codes, agency kinds (dim_agency_kind) and templates
    to keep; an empty tuple keeps everything. Only current report versions are ever kept."""

    years: tuple[int, ...] = ()
    provinces: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()

    def where(self, alias: str = "r") -> tuple[str, list[Any]]:
        """`(condition, parameters)` selecting the current report versions these filters keep,
        on `dim_report` as `alias` (a fixed name from the caller, never user input)."""
        if not alias.isidentifier():
            raise ValueError(f"not an alias: {alias!r}")
        parts = [f"{alias}.is_current_version"]
        params: list[Any] = []
        for column, values in (
            ("{a}.report_year", self.years),
            ("{a}.province_code", self.provinces),
            ("{a}.prefecture_code", self.prefectures),
            ("{a}.agency_kind", self.kinds),
            ("coalesce({a}.template, 'none')", self.templates),
        ):
            if values:
                parts.append(f"list_contains(?, {column.format(a=alias)})")
                params.append(list(values))
        return " and ".join(parts), params

    def keep(self) -> pl.Expr:
        """The same selection as a Polars predicate, on a frame cached for the whole published
        file with columns report_year, province_code, prefecture_code, agency_kind, template."""
        expr = pl.lit(True)
        for column, values in (
            ("report_year", self.years),
            ("province_code", self.provinces),
            ("prefecture_code", self.prefectures),
            ("agency_kind", self.kinds),
            ("template", self.templates),
        ):
            if values:
                expr = expr & pl.col(column).is_in(list(values))
        return expr
