"""The 表二 cells (and pre-2019 pairs) decided across the staged reports, redone for the
agencies whose reports changed.

A decision reads one report's open rows and the printed rows of the same agency's other years
(`parsing.series`): what decides a report is its agency's reports, and the messages name them
by file name and year. So the decisions file is kept with the report list it was made from
(report, file, agency, year, template); when that list changes, only the agencies with an
added, removed or changed entry (and the changed reports without an agency) are decided
again, and every other row is kept. Without a list, or with one that does not match the
decisions file, everything is decided again.
"""

from __future__ import annotations

import polars as pl

from ..parsing.schema import REPORTS
from ..parsing.series import DECISIONS, decide_staged
from .store import Store

DECIDED_FROM = ("report_id", "file_name", "agency_name", "report_year", "template")
_FROM_SCHEMA = pl.Schema({name: REPORTS[name] for name in DECIDED_FROM})  # as the staged `reports` has them


def write_decisions(store: Store) -> int:
    """Decide the staged reports' open rows and rewrite the decisions table, which dbt lays
    over the staged cells and issues. Returns the number of decided cells."""
    if not store.parts("reports"):
        store.write_decisions(pl.DataFrame(schema=DECISIONS), pl.DataFrame(schema=_FROM_SCHEMA))
        return 0
    meta = store.scan("reports").select(DECIDED_FROM).unique().collect()
    previous = store.read_decisions()
    if previous is None:
        decided = _decide(store, None)
    else:
        before, decided_from = previous
        redo = _reports_to_redo(meta, decided_from)
        kept = before.filter(
            pl.col("report_id").is_in(meta["report_id"].implode()) & ~pl.col("report_id").is_in(redo.implode())
        )
        decided = pl.concat([kept, _decide(store, redo)]) if redo.len() else kept
    store.write_decisions(decided, meta)
    return decided.height


def _reports_to_redo(now: pl.DataFrame, before: pl.DataFrame) -> pl.Series:
    """The reports whose decisions may differ from `before`'s: every report of an agency with
    an entry added, removed or changed, and the changed reports that name no agency."""
    before = before.select(DECIDED_FROM).cast(_FROM_SCHEMA)  # a list written by an older parser
    changed = pl.concat(
        [
            now.join(before, on=list(DECIDED_FROM), how="anti", nulls_equal=True),
            before.join(now, on=list(DECIDED_FROM), how="anti", nulls_equal=True),
        ]
    )
    agencies = changed["agency_name"].drop_nulls().unique().implode()
    ids = changed["report_id"].unique().implode()
    redo = now.filter(pl.col("agency_name").is_in(agencies) | pl.col("report_id").is_in(ids))
    return redo["report_id"].unique().sort()


def _decide(store: Store, reports: pl.Series | None) -> pl.DataFrame:
    """decide_staged over every staged report, or over `reports` only (a filter, so each
    table's rows keep the order they have in the parts)."""
    tables = [store.scan(t) for t in ("reports", "cells", "issues", "pre2019_statistics")]
    if reports is not None:
        wanted = pl.col("report_id").is_in(reports.implode())
        tables = [t.filter(wanted) for t in tables]
    return decide_staged(*tables)
