"""Which reports a build has to redo: incremental dbt builds by report.

A build starts from a copy of the published warehouse and redoes only the rows of the reports
whose staged rows changed: the large per-report models (cells, facts, quality) are dbt
`incremental` models that delete those reports' rows and insert them anew (strategy
`by_report`, dbt/macros/incremental_by_report.sql). What spans reports (versions, agencies,
regions, summaries) is rebuilt whole: it is small.

A report's *signature* hashes everything its per-report rows are a function of: its rows in the
staged `reports` parts (every file holding its content, with the part it was parsed into: a
report parsed again is a new part) and its rows in the decisions table. A build stores the
signatures it was made from (`meta.report_signatures`); the next build compares. The dbt
project and the parser version are not in it: when either changed, the build is full.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass

import duckdb
import polars as pl

from ..connect import connect
from ..parsing.schema import PARSER_VERSION
from .plan import project_fingerprint
from .publish import checksum_problem
from .store import DBT_PROJECT_DIR, Store

SIGNATURES = {"report_id": pl.Utf8, "signature": pl.UInt64}
CHANGED = {"report_id": pl.Utf8}


@dataclass
class BuildPlan:
    """How dbt builds: `full`, from the staged parts, or incremental, from a copy of the
    published warehouse with the `changed` reports (added, changed or removed) redone."""

    full: bool
    reason: str  # why full, or what the incremental build redoes
    changed: int = 0
    parts: int = 0  # staged parts read for the changed reports' rows


def plan_build(store: Store, full: bool = False) -> BuildPlan:
    """Decide how dbt builds and lay the build out for it: the changed reports and the
    signatures of this staging (under build/changes/), and for an incremental build a copy of
    the published warehouse as the build file."""
    signatures = report_signatures(store)
    why = "a full build was asked for" if full else _why_full(store)
    store.build_db.unlink(missing_ok=True)
    if why:
        build = BuildPlan(True, why)
        store.write_build_changes(asdict(build), pl.DataFrame(schema=CHANGED), [], signatures)
        return build
    with connect(store.published_db) as con:
        before = con.execute("select report_id, signature from meta.report_signatures").pl()
    shutil.copyfile(store.published_db, store.build_db)
    with duckdb.connect(str(store.build_db)) as con:  # where the models keep the rows they redo
        con.execute("create schema if not exists delta")
    changed = changed_reports(before.cast(SIGNATURES), signatures)  # type: ignore[arg-type]
    parts = parts_holding(store, changed)
    build = BuildPlan(False, f"{changed.height} reports added, changed or removed", changed.height, len(parts))
    store.write_build_changes(asdict(build), changed, parts, signatures)
    return build


def report_signatures(store: Store) -> pl.DataFrame:
    """One signature per staged report (see the module docstring)."""
    parts = store.parts("reports")
    if not parts:
        return pl.DataFrame(schema=SIGNATURES)
    reports = pl.scan_parquet(parts, glob=False, include_file_paths="part")
    per_report = _row_hashes(reports.with_columns(pl.col("part").str.extract(r"([^/]+)$")), "reports")
    decisions = store.decisions_file
    if decisions.exists():
        per_report = per_report.join(
            _row_hashes(pl.scan_parquet(decisions, glob=False), "decided"), "report_id", "left"
        )
    else:
        per_report = per_report.with_columns(pl.lit(None, pl.UInt64).alias("decided"))
    signed = per_report.select("report_id", pl.struct("reports", "decided").hash().alias("signature"))
    return signed.collect().cast(SIGNATURES)  # type: ignore[arg-type]


def _row_hashes(rows: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Per report_id, one hash of all its rows, in whatever order they were written."""
    hashed = rows.select("report_id", pl.struct(pl.all()).hash().alias("row"))
    return hashed.group_by("report_id").agg(pl.col("row").sort().hash().alias(name))


def changed_reports(before: pl.DataFrame, now: pl.DataFrame) -> pl.DataFrame:
    """The report_ids added, removed or signed differently between two signature tables."""
    joined = before.join(now, on="report_id", how="full", coalesce=True, suffix="_now")
    return joined.filter(pl.col("signature").ne_missing(pl.col("signature_now"))).select("report_id").sort("report_id")


def parts_holding(store: Store, changed: pl.DataFrame) -> list[str]:
    """The names of the staged parts holding rows of the changed reports (a batch's parts of
    every table share its name)."""
    parts = store.parts("reports")
    if changed.is_empty() or not parts:
        return []
    found = (
        pl.scan_parquet(parts, glob=False, include_file_paths="part")
        .select("report_id", "part")
        .join(changed.lazy(), on="report_id", how="semi")
        .select(pl.col("part").str.extract(r"([^/]+)$").unique().sort())
        .collect()
    )
    return found["part"].to_list()


def _why_full(store: Store) -> str | None:
    """Why the build cannot start from the published warehouse (None: it can)."""
    if not store.published_db.exists():
        return "there is no published warehouse"
    if problem := checksum_problem(store):
        return problem
    if not store.parts("reports"):
        return "nothing is staged"
    try:
        with connect(store.published_db) as con:
            stamp = con.execute("select parser_version, project_fingerprint from meta.build_info").fetchone()
            con.execute("select count(*) from meta.report_signatures").fetchone()
    except duckdb.Error:
        return "the published warehouse was not stamped with report signatures"
    if stamp is None or stamp[0] != PARSER_VERSION:
        return "the parser version changed"
    if stamp[1] != project_fingerprint(DBT_PROJECT_DIR):
        return "the dbt project changed"
    return None
