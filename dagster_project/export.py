"""Every mart of the published warehouse as files (Parquet or CSV), with a README.md describing them.

What is exported: every table (or view) of schema `main` — the marts and the seeds beside them
(dim_outcome, dim_issue_code, ref_regions, …) — and nothing from the build's own layers (schemas
`staging` and `intermediate`) or `meta`, its bookkeeping (read only for the README's header). The
rule needs no dbt manifest (an export runs on a published file alone) and picks up a new mart or
seed without a change here.

Atomic: every file is written into a hidden temporary folder inside `out`, then renamed over its
target (`os.replace`) once all of them are written, the README last; a failed export renames
nothing and leaves the previous files as they were.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import yaml  # type: ignore[import-untyped, unused-ignore]  # PyYAML ships no stubs (some installs add them)

from .connect import connect, sql_string
from .pipeline.store import DBT_PROJECT_DIR

FORMATS = ("parquet", "csv")
BOM = b"\xef\xbb\xbf"


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The analysts' tables of the attached warehouse `ogi` (see the module docstring), sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = 'ogi' and table_schema = 'main' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def dbt_descriptions(project: Path = DBT_PROJECT_DIR) -> dict[str, tuple[str, dict[str, str]]]:
    """Model and seed name → (description, column → description), from the dbt project's YAML."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in sorted([*project.glob("models/**/*.yml"), *project.glob("seeds/*.yml")]):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in [*(doc.get("models") or []), *(doc.get("seeds") or [])]:
            columns = {c["name"]: _one_line(c.get("description")) for c in node.get("columns") or [] if "name" in c}
            found[node["name"]] = (_one_line(node.get("description")), columns)
    return found


def _one_line(text: Any) -> str:
    """A YAML description as one line of text ('' when there is none)."""
    return " ".join(str(text or "").split())


def _summary(text: str) -> str:
    """The first sentence of a description (an "e.g." does not end it)."""
    return re.split(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)", text, maxsplit=1)[0]


def _ident(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _cell(text: str) -> str:
    """`text` fit for a Markdown table cell."""
    return text.replace("|", "\\|") or "—"


def _write_file(con: duckdb.DuckDBPyConnection, table: str, target: Path, fmt: str, bom: bool) -> None:
    """COPY `table` to `target` (Parquet keeps the column types; CSV is UTF-8 with a header)."""
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
    plain = target.with_name(target.name + ".plain") if bom else target
    con.execute(f"copy (select * from {_ident(table)}) to {sql_string(str(plain))} ({options})")
    if bom:  # the byte-order mark first, then the CSV DuckDB wrote
        with target.open("wb") as dst, plain.open("rb") as src:
            dst.write(BOM)
            shutil.copyfileobj(src, dst, 1 << 20)
        plain.unlink()


def _readme(con: duckdb.DuckDBPyConnection, files: dict[str, Path], fmt: str, bom: bool) -> str:
    """The README.md of an export: what it is, then one section per file with its columns."""
    built_at, fingerprint, n_reports = con.execute(
        "select built_at, fingerprint, n_reports from meta.build_info"
    ).fetchone() or (None, None, None)
    described = dbt_descriptions()
    kind = "Parquet (column types kept)" if fmt == "parquet" else "CSV, UTF-8" + (" with BOM" if bom else "")
    lines = [
        "# OGI Warehouse export",
        "",
        "Every mart of the published OGI warehouse (China's government information-disclosure annual",
        "reports), one file per table. Blank cells stay null; never add the `total` applicant column",
        "to the six others.",
        "",
        f"- built at: {built_at}",
        f"- fingerprint: `{fingerprint}`",
        f"- reports: {n_reports}",
        f"- format: {kind}",
        "",
        "| file | rows | what |",
        "|---|---|---|",
    ]
    sections: list[str] = []
    for table, path in files.items():
        description, columns = described.get(table, ("", {}))
        (rows,) = con.execute(f"select count(*) from {_ident(table)}").fetchone() or (0,)
        lines.append(f"| [{path.name}](#{table}) | {rows} | {_cell(_summary(description))} |")
        sections += ["", f"## {table}", "", f"`{path.name}`, {rows} rows. {description}".rstrip(), ""]
        sections += ["| column | type | description |", "|---|---|---|"]
        for name, dtype in con.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = 'ogi'"
            " and table_schema = 'main' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall():
            sections.append(f"| `{name}` | {dtype} | {_cell(columns.get(name, ''))} |")
    return "\n".join([*lines, *sections, ""])


def export_marts(db: Path, out: Path, fmt: str, bom: bool = False) -> list[Path]:
    """Write every mart of `db` into `out` as `<mart>.<fmt>` plus a README.md; returns the files
    (data files sorted, then the README). Raises FileNotFoundError when `db` does not exist."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (parquet or csv)")
    with connect(db) as con:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".export-", suffix=".tmp", dir=out))
        try:
            files = {table: out / f"{table}.{fmt}" for table in exported_tables(con)}
            for table, target in files.items():
                _write_file(con, table, tmp / target.name, fmt, bom)
            (tmp / "README.md").write_text(_readme(con, files, fmt, bom), encoding="utf-8")
            for target in [*files.values(), out / "README.md"]:  # README last
                os.replace(tmp / target.name, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return [*sorted(files.values()), out / "README.md"]
