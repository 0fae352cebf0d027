"""Parse a batch of report files and write one staging part per table (Parquet).

The batch function is the unit of parallel work: it takes a list of files and writes one
part per staging table, so the same function can run in a process pool here or on a
distributed engine later. A file that crashes the parser becomes a failed report with an
issue; it never sinks the batch.
"""
from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .issues import Issue
from .records import cell_rows, issue_rows, report_row
from .report import ParsedReport, parse_file
from .schema import TABLES


@dataclass
class BatchResult:
    batch_id: str
    n_reports: int
    n_cells: int
    n_issues: int
    statuses: dict[str, int]


def parse_safely(path: Path) -> ParsedReport:
    try:
        return parse_file(path)
    except Exception as exc:  # a parser bug must not sink the batch: record it instead
        data = path.read_bytes() if path.exists() else b""
        report = ParsedReport(path.name, str(path.resolve()), hashlib.sha256(data).hexdigest(),
                              path.suffix.lstrip(".").lower() or "unknown", len(data))
        where = traceback.extract_tb(exc.__traceback__)[-1]
        report.issues.append(Issue("parser_crash", "error", f"{type(exc).__name__}: {exc}",
                                   f"{Path(where.filename).name}:{where.lineno}"))
        return report


def frames(reports: list[ParsedReport]) -> dict[str, pl.DataFrame]:
    rows = {
        "reports": [report_row(r) for r in reports],
        "cells": [c for r in reports for c in cell_rows(r)],
        "issues": [i for r in reports for i in issue_rows(r)],
    }
    return {name: pl.DataFrame(rows[name], schema=schema, orient="row") for name, schema in TABLES.items()}


def write_part(tables: dict[str, pl.DataFrame], staging_dir: Path, batch_id: str) -> None:
    """Write each table's part atomically (temp file + rename) so readers never see half a file."""
    for name, df in tables.items():
        folder = staging_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".part-{batch_id}.parquet.tmp"
        df.write_parquet(tmp)
        tmp.replace(folder / f"part-{batch_id}.parquet")


def stage_batch(files: list[Path], staging_dir: Path, batch_id: str) -> BatchResult:
    reports = [parse_safely(Path(f)) for f in files]
    tables = frames(reports)
    write_part(tables, staging_dir, batch_id)
    statuses = tables["reports"].group_by("parse_status").len()
    return BatchResult(batch_id, tables["reports"].height, tables["cells"].height, tables["issues"].height,
                       dict(zip(statuses["parse_status"], statuses["len"])))
