"""The warehouse directory: every path the pipeline uses, and the protocol of its files.

One `Store` owns the layout; nothing else builds a path under raw/ or warehouse/.

    raw/                                  the report files (OGI_RAW_DIR)
    warehouse/                            (OGI_WAREHOUSE_DIR)
      ogi.duckdb                          the published warehouse: readers open it read-only
      build/ogi.duckdb (+ .fingerprint)   the build dbt writes; renamed over ogi.duckdb to publish
      build/changes/                      what an incremental build redoes: changed reports, their
                                          parts; the report signatures the build is made from
      dbt_target/                         dbt's target folder (kept: partial parsing)
      docs/ogi.duckdb, docs/target/       the copy `ogi docs` documents, and the docs
      staging/                            (OGI_STAGING_DIR) the parsers' Parquet, dbt's sources
        inventory/inventory.parquet       raw/ by content hash; published.parquet: what was published
        <table>/part-<batch>.parquet      one part per parsed batch (reports, cells, issues, pre2019_statistics)
        decisions/decisions.parquet       表二 cells, pre-2019 pairs decided across years (redone by agency);
        decisions/decided_from.parquet    the staged reports they were decided from
        quarantine/<batch>/<table>.parquet  the parts of a batch with a corrupt part, set aside
        attempts/attempts.json            content hash → parses that failed on a resource limit
      ogi.duckdb.sha256                   the published file's SHA-256 (stamped when publishing)
      .refresh.lock, .refresh.children    one refresh at a time; the subprocesses of the one running

A batch's parts are written each atomically (temporary file, then rename), `reports` last: the
`reports` part is the batch's commit record, and parts without one are debris of a killed batch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from ..parsing.schema import TABLES

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DAGSTER_HOME_DIR = REPO_ROOT / ".dagster_home"  # the run history and settings when DAGSTER_HOME is unset
DB_FILE_NAME = "ogi.duckdb"  # the same name for build and published file: dbt names its database after it
COMMIT_ORDER = ("cells", "issues", "pre2019_statistics", "reports")  # `reports` last: it commits the batch


def _env_path(var: str, default: Path) -> Path:
    return Path(os.environ.get(var) or default).resolve()


def read_parquet(path: Path, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """One Parquet file, its path taken literally (a `[` or `*` in a folder name is no glob)."""
    return pl.read_parquet(path, columns=list(columns) if columns else None, glob=False)


def sql_glob_escape(path: Path) -> str:
    """`path` as DuckDB reads it as a glob: the glob metacharacters of its folders escaped
    (`[` → `[[]`), so only the file-name pattern globs."""
    folder = str(path.parent).replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")
    return f"{folder}/{path.name}"


def sql_literal_glob(path: Path) -> str:
    """`sql_glob_escape(path)` for a SQL string literal (quotes doubled)."""
    return sql_glob_escape(path).replace("'", "''")


def _atomic_bytes(data: bytes, path: Path) -> None:
    """Write `path` so that no reader ever sees half of it (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def _atomic_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write `path` so that no reader ever sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    df.write_parquet(tmp)
    tmp.replace(path)


@dataclass(frozen=True)
class Store:
    """The files of one warehouse: raw/, the warehouse folder and its staging folder."""

    raw_dir: Path
    warehouse_dir: Path
    staging_dir: Path

    @classmethod
    def from_env(cls) -> Store:
        """The store the environment names (OGI_RAW_DIR, OGI_WAREHOUSE_DIR, OGI_STAGING_DIR),
        defaulting to raw/ and warehouse/ of this repository."""
        warehouse = _env_path("OGI_WAREHOUSE_DIR", REPO_ROOT / "warehouse")
        return cls(
            _env_path("OGI_RAW_DIR", REPO_ROOT / "raw"),
            warehouse,
            _env_path("OGI_STAGING_DIR", warehouse / "staging"),
        )

    # -- the warehouse files --------------------------------------------------------------------
    @property
    def published_db(self) -> Path:
        """Readers open this file read-only; the publish step replaces it atomically."""
        return self.warehouse_dir / DB_FILE_NAME

    @property
    def build_db(self) -> Path:
        """dbt writes here; readers never open it."""
        return self.warehouse_dir / "build" / DB_FILE_NAME

    @property
    def build_fingerprint(self) -> Path:
        """The fingerprint of what the build file is being built from (read when publishing)."""
        return self.build_db.with_suffix(".fingerprint")

    @property
    def published_checksum(self) -> Path:
        """The SHA-256 digests the published file may have (one; two while a publish renames)."""
        return self.published_db.with_name(f"{DB_FILE_NAME}.sha256")

    def write_checksum(self, digests: list[str]) -> None:
        _atomic_bytes("".join(f"{d}  {DB_FILE_NAME}\n" for d in digests).encode("ascii"), self.published_checksum)

    def read_checksum(self) -> list[str] | None:
        """The digests stamped for the published file (None when it has no checksum file)."""
        try:
            text = self.published_checksum.read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        return [line.split()[0] for line in text.splitlines() if line.strip()]

    def build_leftovers(self) -> list[Path]:
        """What a killed build leaves behind: the file, its write-ahead log, its stamp and the
        lists of what it redoes."""
        changes = [self.changed_reports_file, self.changed_parts_file, self.build_signatures_file, self.build_plan_file]
        return [self.build_db, self.build_db.with_suffix(".duckdb.wal"), self.build_fingerprint, *changes]

    # -- what an incremental build redoes (see incremental.py) ----------------------------------
    @property
    def changed_reports_file(self) -> Path:
        """The report_ids the build redoes (added, changed or removed since the published build)."""
        return self.build_db.parent / "changes" / "changed_reports.parquet"

    @property
    def changed_parts_file(self) -> Path:
        """The staged parts holding the changed reports' rows: `table_name` and `path` (escaped
        for DuckDB's globbing), read by dbt when it runs (dbt/macros/incremental_by_report.sql).
        A table with none of them lists one part: dbt needs a file to read the columns from."""
        return self.build_db.parent / "changes" / "changed_parts.parquet"

    @property
    def build_signatures_file(self) -> Path:
        """The report signatures the build is made from (stamped into it when publishing)."""
        return self.build_db.parent / "changes" / "report_signatures.parquet"

    @property
    def build_plan_file(self) -> Path:
        """How the build is made (full or incremental, and why), as JSON."""
        return self.build_db.parent / "changes" / "plan.json"

    def read_build_plan(self) -> dict:
        try:
            data = json.loads(self.build_plan_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_build_changes(
        self, plan: dict, changed: pl.DataFrame, parts: list[str], signatures: pl.DataFrame
    ) -> None:
        """Lay out what an incremental build redoes (`plan` last: it says the layout is complete)."""
        _atomic_parquet(changed, self.changed_reports_file)
        rows = [
            (table, sql_glob_escape(path))
            for table in TABLES
            for path in [self.part(table, name) for name in parts] or self.parts(table)[:1] or [self.part_glob(table)]
        ]
        parts_schema = {"table_name": pl.Utf8, "path": pl.Utf8}
        _atomic_parquet(pl.DataFrame(rows, schema=parts_schema, orient="row"), self.changed_parts_file)
        _atomic_parquet(signatures, self.build_signatures_file)
        _atomic_bytes(json.dumps(plan).encode(), self.build_plan_file)

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse, kept between refreshes: dbt re-parses only what
        changed (partial parsing), and runs do not pile up folders under dbt/target/."""
        return self.warehouse_dir / "dbt_target"

    @property
    def dbt_log(self) -> Path:
        """dbt's log of the last `ogi refresh` (printed instead with --verbose)."""
        return self.warehouse_dir / "logs" / "dbt.log"

    @property
    def lock_file(self) -> Path:
        return self.warehouse_dir / ".refresh.lock"

    @property
    def children_file(self) -> Path:
        return self.warehouse_dir / ".refresh.children"

    @property
    def docs_db(self) -> Path:
        """A copy of the published warehouse for `dbt docs generate` (which opens it read-write)."""
        return self.warehouse_dir / "docs" / DB_FILE_NAME

    @property
    def docs_target(self) -> Path:
        """Where `ogi docs` writes dbt's docs (static_index.html)."""
        return self.docs_db.parent / "target"

    def pause_marker(self, phase: str) -> Path:
        return self.warehouse_dir / f".paused-{phase}"

    # -- the inventory --------------------------------------------------------------------------
    @property
    def inventory_file(self) -> Path:
        return self.staging_dir / "inventory" / "inventory.parquet"

    @property
    def published_inventory_file(self) -> Path:
        """The inventory the published warehouse was built from (written when publishing)."""
        return self.inventory_file.with_name("published.parquet")

    def read_inventory(self, published: bool = False) -> pl.DataFrame | None:
        path = self.published_inventory_file if published else self.inventory_file
        return read_parquet(path) if path.exists() else None

    def write_inventory(self, inventory: pl.DataFrame) -> None:
        _atomic_parquet(inventory, self.inventory_file)

    def mark_inventory_published(self) -> None:
        """Record the current inventory as the one the published warehouse was built from."""
        if self.inventory_file.exists():
            _atomic_parquet(read_parquet(self.inventory_file), self.published_inventory_file)

    # -- staging parts --------------------------------------------------------------------------
    def table_dir(self, table: str) -> Path:
        return self.staging_dir / table

    def part(self, table: str, batch_file: str) -> Path:
        return self.table_dir(table) / batch_file

    @staticmethod
    def part_name(batch_id: str) -> str:
        return f"part-{batch_id}.parquet"

    def parts(self, table: str) -> list[Path]:
        """The committed and uncommitted parts of one staging table, in name order."""
        folder = self.table_dir(table)
        return sorted(folder.glob("part-*.parquet")) if folder.exists() else []

    def part_glob(self, table: str) -> Path:
        return self.table_dir(table) / "part-*.parquet"

    def write_part(self, tables: dict[str, pl.DataFrame], batch_id: str) -> None:
        """Write one batch's part of every staging table, `reports` last (the commit record)."""
        for name in COMMIT_ORDER:
            _atomic_parquet(tables[name], self.part(name, self.part_name(batch_id)))

    def sweep_temporaries(self) -> int:
        """Remove what writes killed mid-way left (temporary part files); returns how many."""
        leftovers = list(self.staging_dir.glob("*/.*.tmp")) if self.staging_dir.exists() else []
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        return len(leftovers)

    def drop_uncommitted(self) -> int:
        """Delete cells/issues parts of batches that never wrote their `reports` part."""
        committed = {p.name for p in self.parts("reports")}
        dropped = 0
        for table in COMMIT_ORDER[:-1]:
            for part in self.parts(table):
                if part.name not in committed:
                    part.unlink()
                    dropped += 1
        return dropped

    def drop_batch(self, batch_file: str) -> None:
        for table in TABLES:
            self.part(table, batch_file).unlink(missing_ok=True)

    def prune_batch(self, batch_file: str, keep: Iterable[str]) -> None:
        """Rewrite a batch's parts with only the reports whose content hash is in `keep`
        (part by part, `reports` last: a prune killed half-way is simply done again)."""
        reports = read_parquet(self.part("reports", batch_file)).filter(pl.col("content_hash").is_in(list(keep)))
        ids = reports["report_id"].to_list()
        for table in COMMIT_ORDER:
            path = self.part(table, batch_file)
            if path.exists():
                df = reports if table == "reports" else read_parquet(path).filter(pl.col("report_id").is_in(ids))
                _atomic_parquet(df, path)

    def scan(self, table: str) -> pl.LazyFrame:
        """All committed rows of one staging table, lazily (the parts listed, not globbed)."""
        return pl.scan_parquet(self.parts(table), glob=False)

    def corrupt_part(self, table: str, part: Path) -> str | None:
        """Why a staged part cannot be read (its Parquet footer and schema; the data pages are
        not read), or None when it can."""
        try:
            names = set(pq.read_schema(part).names)
        except Exception as exc:  # noqa: BLE001 - any damage to the file is the answer, not an error
            return f"{type(exc).__name__}: {exc}"
        missing = set(TABLES[table]) - names
        return f"columns missing: {sorted(missing)}" if missing else None

    @property
    def quarantine_dir(self) -> Path:
        """Where the parts of a batch with a corrupt part are moved (kept for a person to look at)."""
        return self.staging_dir / "quarantine"

    def quarantine_batch(self, batch_file: str) -> Path:
        """Move every part of one batch out of the tables dbt reads, `reports` (the commit record)
        first; returns the folder they are in now."""
        folder = self.quarantine_dir / Path(batch_file).stem
        folder.mkdir(parents=True, exist_ok=True)
        for table in reversed(COMMIT_ORDER):
            part = self.part(table, batch_file)
            if part.exists():
                part.replace(folder / f"{table}.parquet")
        return folder

    # -- parses that failed on a resource limit (retried a few times) ---------------------------
    @property
    def attempts_file(self) -> Path:
        return self.staging_dir / "attempts" / "attempts.json"

    def read_attempts(self) -> dict[str, int]:
        """Content hash → how many parses of it failed on a time, memory or size limit."""
        try:
            data = json.loads(self.attempts_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def write_attempts(self, attempts: dict[str, int]) -> None:
        _atomic_bytes(json.dumps(attempts, sort_keys=True).encode(), self.attempts_file)

    # -- cross-year decisions -------------------------------------------------------------------
    @property
    def decisions_file(self) -> Path:
        return self.staging_dir / "decisions" / "decisions.parquet"

    @property
    def decided_from_file(self) -> Path:
        """The staged reports the decisions were made from (see pipeline/decisions.py)."""
        return self.staging_dir / "decisions" / "decided_from.parquet"

    def write_decisions(self, decisions: pl.DataFrame, decided_from: pl.DataFrame) -> None:
        """The decisions, then the list they were made from: a decisions file without its
        list (a write cut short) is decided again whole."""
        self.decided_from_file.unlink(missing_ok=True)
        _atomic_parquet(decisions, self.decisions_file)
        _atomic_parquet(decided_from, self.decided_from_file)

    def read_decisions(self) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The decisions and the report list they were made from (None: either is missing or unreadable)."""
        try:
            return read_parquet(self.decisions_file), read_parquet(self.decided_from_file)
        except (OSError, pl.exceptions.PolarsError):
            return None

    # -- what dbt reads -------------------------------------------------------------------------
    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt invocation: where to build and where each staging table's parts
        are (globs, quoted for a SQL string literal: dbt pastes them into `read_parquet('…')`;
        DuckDB globs every path it reads, so the folders' glob characters are escaped)."""

        def literal(path: Path) -> str:
            return str(path).replace("'", "''")

        return {
            "OGI_BUILD_DB": str(self.build_db),
            "OGI_STAGING_DIR": literal(self.staging_dir),
            **{f"OGI_PARTS_{t.upper()}": sql_literal_glob(self.part_glob(t)) for t in TABLES},
            "OGI_PARTS_DECISIONS": sql_literal_glob(self.decisions_file),
            "OGI_PARTS_INVENTORY": sql_literal_glob(self.inventory_file),
            # constant paths: a value dbt reads at parse time that changed would make it parse again
            "OGI_CHANGED_REPORTS": sql_literal_glob(self.changed_reports_file),
            "OGI_CHANGED_PARTS": sql_literal_glob(self.changed_parts_file),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # dbt's log file without its debug events (every query and connection): writing them
            # is a tenth of an incremental build; DBT_LOG_LEVEL_FILE=debug brings them back
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
        }
