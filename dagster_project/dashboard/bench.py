"""Query time per dashboard page, as a request pays it.

`page_query_times(db)` opens a fresh connection per page view, as a request does, and runs that
page's queries with the default filters (the agency and report pages on the busiest agency and
the report with the most issues). Two figures per page: `p50_ms`/`p95_ms`/`max_ms` over
`repeats` views whose per-filter queries are not cached but whose per-publish frames
(`PER_PUBLISH`: built once per published file and shared by every session) are — what a user
waits for on any new filter choice; and `first_view_ms`, the first view after a publish, which
builds them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from . import detail, queries
from .filters import Filters
from .source import Reader

Page = Callable[[duckdb.DuckDBPyConnection, dict[str, Any]], object]
# The frames the app caches per published file (ui.q with no argument but the file).
PER_PUBLISH: tuple[Callable[[duckdb.DuckDBPyConnection], Any], ...] = (
    queries.filter_options,
    queries.outcome_cube,
    queries.outcome_labels,
    detail.decided_all,
)
_memo: dict[Callable[..., Any], Any] = {}


def _once(fn: Callable[[duckdb.DuckDBPyConnection], Any], con: duckdb.DuckDBPyConnection) -> Any:
    """`fn(con)`, from the memo when it holds it (as the app's per-publish cache does)."""
    if fn not in _memo:
        _memo[fn] = fn(con)
    return _memo[fn]


def _sample(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    agency = con.execute(
        "select agency_id from dim_agency order by n_report_years desc, n_reports desc, agency_id limit 1"
    ).fetchone()
    report = con.execute("select report_id from dim_report order by n_quality_rows desc, report_id limit 1").fetchone()
    year = con.execute("select max(report_year) from dim_report").fetchone()
    province = con.execute(
        "select province_code from dim_report group by 1 order by count(*) desc, 1 limit 1"
    ).fetchone()
    return {
        "agency_id": agency[0] if agency else "",
        "report_id": report[0] if report else "",
        "year": year[0] if year else None,
        "province": province[0] if province else None,
    }


def _overview(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    f = Filters()
    _once(queries.filter_options, con)
    queries.overview_totals(con, f)
    queries.overview_by_year(con, f)
    queries.quality_mix(con, f)


def _outcomes(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    f = Filters()
    matrix = queries.outcome_matrix(_once(queries.outcome_cube, con), _once(queries.outcome_labels, con), f)
    queries.outcome_groups(matrix)
    queries.outcome_leaves(matrix)
    queries.outcome_by_applicant(matrix)
    queries.received_by_applicant(con, f)


def _agencies(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    f = Filters(years=(s["year"],) if s["year"] else ())
    queries.leaderboard(con, f, "disclosure", 10)
    queries.regions(con, f.years, "province")
    if s["province"]:
        queries.regions(con, f.years, "prefecture", s["province"])


def _agency(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    detail.find_agencies(con, "")
    detail.agency_info(con, s["agency_id"])
    detail.agency_years(con, s["agency_id"])
    detail.series_wide(detail.agency_series(con, s["agency_id"]))
    detail.cross_year_checks(con, s["agency_id"])


def _review(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    f = Filters()
    queries.review_blocks(con, f)
    queries.review_results(con, f)
    queries.leaderboard(con, f, "review_correction", 5)


def _quality(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    f = Filters()
    detail.quality_summary(con, f)
    detail.issue_counts(con, f)
    detail.flagged_reports(con, f)
    detail.identity_breaks(con, f)
    detail.open_cells(con, f)
    decided = _once(detail.decided_all, con)
    detail.decided_counts(decided, f)
    detail.decided_cells(decided, f)


def _report(con: duckdb.DuckDBPyConnection, s: dict[str, Any]) -> None:
    detail.find_reports(con, "")
    header = detail.report_header(con, s["report_id"])
    fmt = header["table2_format"][0] if header.height else None
    detail.form_labels(con, fmt)
    detail.report_cells(con, s["report_id"])
    detail.report_issues(con, s["report_id"])


PAGES: dict[str, Page] = {
    "overview": _overview,
    "outcomes": _outcomes,
    "agencies": _agencies,
    "agency": _agency,
    "review": _review,
    "quality": _quality,
    "report": _report,
}


def page_query_times(db: str | Path, repeats: int = 5) -> dict[str, dict[str, float]]:
    """Per page, in milliseconds: `first_view_ms` (nothing cached: the first view after a
    publish) and p50, p95 and max over `repeats` views with the per-publish frames cached (see
    the module's docstring), each view on its own connection, of the warehouse at `db`."""
    db = Path(db)
    with Reader(db) as reader:
        sample = _sample(reader.con())
        _memo.clear()
        for page in PAGES.values():  # the first queries of a process pay one-off start-up costs
            page(reader.con(), sample)
    out: dict[str, dict[str, float]] = {}
    for name, page in PAGES.items():
        _memo.clear()
        times = []
        for _ in range(repeats + 1):
            start = time.perf_counter()
            with Reader(db) as reader:
                page(reader.con(), sample)
            times.append((time.perf_counter() - start) * 1000)
        first, warm = times[0], sorted(times[1:])
        p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
        out[name] = {"p50_ms": statistics.median(warm), "p95_ms": p95, "max_ms": warm[-1], "first_view_ms": first}
    _memo.clear()
    return out


def main() -> None:
    """`python -m dagster_project.dashboard.bench [DB] [REPEATS]`: print the table."""
    import sys  # noqa: PLC0415 - only the command line needs it

    from .source import warehouse_path  # noqa: PLC0415 - only the command line needs it

    db = Path(sys.argv[1]) if len(sys.argv) > 1 else warehouse_path()
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for name, t in page_query_times(db, repeats).items():
        print(
            f"{name:10s} p50 {t['p50_ms']:7.1f} ms  p95 {t['p95_ms']:7.1f} ms  max {t['max_ms']:7.1f} ms"
            f"  first view after a publish {t['first_view_ms']:7.1f} ms"
        )


if __name__ == "__main__":
    main()
