"""What a refresh has to parse, and whether the published warehouse is still current.

Staged parts written by another parser version, orphaned by a killed batch, or holding only
removed files are deleted; a batch with a part that cannot be read is moved to quarantine; only
content not yet staged is parsed, and reports that failed on a time, memory or size limit, or
for want of a tool that is installed now (LibreOffice, OCR), are parsed again (up to
`MAX_ATTEMPTS` times in all).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ..connect import connect
from ..parsing.schema import PARSER_VERSION, TABLES
from .guards import MAX_ATTEMPTS, RESOURCE_CODES
from .inventory import report_files
from .libreoffice import soffice
from .store import Store, read_parquet


@dataclass
class Plan:
    """What a refresh has to parse, and what it did to the staged parts."""

    to_parse: list[str]  # one path per content hash that has no staged rows
    reused: int  # content hashes whose staged rows are kept
    dropped_parts: int  # parts deleted (stale parser version, orphaned, or all removed)
    pruned_parts: int = 0  # parts rewritten without the reports of removed or changed files
    hashes: list[str] = field(default_factory=list)  # the content hash of each path to parse
    attempts: dict[str, int] = field(default_factory=dict)  # content hash → number of this attempt (retries)
    quarantined: list[str] = field(default_factory=list)  # "<part>: <why>" for each corrupt part set aside


def plan(inventory: pl.DataFrame, store: Store, log: Callable[[str], object] | None = None) -> Plan:
    """Reconcile the staged parts with the inventory's report files; returns what is left to parse."""
    inventory = report_files(inventory)
    store.sweep_temporaries()
    quarantined = quarantine_corrupt(store, log)
    dropped, pruned = store.drop_uncommitted(), 0
    current = set(inventory["content_hash"].to_list())
    staged: set[str] = set()
    failures = store.read_attempts()
    retries: dict[str, int] = {}
    retry_codes = RESOURCE_CODES | cured_by_installed_tools()
    for part in store.parts("reports"):
        meta = read_parquet(part, ["content_hash", "report_id", "parser_version", "parse_status"])
        hashes = set(meta["content_hash"].to_list())
        stale = meta.filter(pl.col("parser_version") != PARSER_VERSION).height > 0
        # a batch staged before a table joined the contract has no part of it: parse it again
        stale = stale or any(not store.part(t, part.name).exists() for t in TABLES)
        # a part repeating content another part holds (a batch finished by a process that
        # outlived its killed refresh) would stage a report twice: drop it, re-parse the rest
        if stale or not hashes & current or hashes & staged:
            store.drop_batch(part.name)
            dropped += 1
            continue
        retryable = _failures(store, part.name, meta, retry_codes) & current
        retry = {h for h in retryable if failures.get(h, 1) < MAX_ATTEMPTS}
        keep = (hashes & current) - retry
        if not keep:
            store.drop_batch(part.name)
            dropped += 1
        elif hashes - keep:  # some of its files were removed, changed or are parsed again: the rest stays
            store.prune_batch(part.name, keep)
            pruned += 1
        staged |= keep
        retries.update({h: failures.get(h, 1) + 1 for h in retry})
    todo = inventory.filter(~pl.col("content_hash").is_in(list(staged))).unique(
        "content_hash", keep="first", maintain_order=True
    )
    keys = todo["content_hash"].to_list()
    attempts = {h: retries[h] for h in keys if h in retries}
    return Plan(todo["path"].to_list(), len(current & staged), dropped, pruned, keys, attempts, quarantined)


def cured_by_installed_tools() -> frozenset[str]:
    """Failure codes a tool present now would cure: `soffice` on PATH, the OCR modules installed
    (found, not imported: the planner stays light)."""
    codes = set()
    if soffice():
        codes.add("doc_needs_converter")
    if all(importlib.util.find_spec(m) is not None for m in ("cv2", "onnxruntime", "rapidocr")):
        codes.add("ocr_unavailable")
    return frozenset(codes)


def _failures(store: Store, batch_file: str, meta: pl.DataFrame, codes: frozenset[str]) -> set[str]:
    """The content hashes of a part's failed reports with an issue of one of `codes`."""
    failed = meta.filter(pl.col("parse_status") == "failed")
    issues = store.part("issues", batch_file)
    if failed.is_empty() or not issues.exists():
        return set()
    found = read_parquet(issues, ["report_id", "code"]).filter(pl.col("code").is_in(sorted(codes)))
    ids = set(found["report_id"].to_list())
    return {h for h, r in failed.select("content_hash", "report_id").iter_rows() if r in ids}


def quarantine_corrupt(store: Store, log: Callable[[str], object] | None = None) -> list[str]:
    """Move every batch with a part that cannot be read (truncated, overwritten, not Parquet)
    to the quarantine folder, so its reports are parsed again; a corrupt decisions file is
    deleted (it is rewritten). Returns one "<file>: <why>" line per corrupt file."""
    found = []
    for table in TABLES:
        for part in store.parts(table):
            why = store.corrupt_part(table, part)
            if why is None:
                continue
            folder = store.quarantine_batch(part.name)
            found.append(f"{part}: {why}")
            if log:
                log(f"corrupt staging part {part} ({why}): its batch moved to {folder}, its reports are parsed again")
    decisions = store.decisions_file
    if decisions.exists():
        try:
            read_parquet(decisions, ["report_id"])
        except Exception as exc:  # noqa: BLE001 - any damage: the file is rewritten from the parts
            decisions.unlink()
            found.append(f"{decisions}: {type(exc).__name__}")
            if log:
                log(f"corrupt staging file {decisions} ({type(exc).__name__}): deleted, it is rewritten")
    return found


def fingerprint(inventory: pl.DataFrame, dbt_dir: Path, staged: Iterable[str] = ()) -> str:
    """What the published warehouse is a function of: the files (path and content), the parser
    version, the dbt project and the staged parts (by name: a report parsed again, after a
    failure or a quarantine, is a new part). Equal fingerprints mean a rebuild would produce the
    same marts."""
    h = hashlib.sha256(PARSER_VERSION.encode())
    for name in sorted(staged):
        h.update(f"part\0{name}\n".encode())
    entries = inventory.select("path", pl.col("content_hash").fill_null(""), pl.col("reason").fill_null(""))
    for path, digest, reason in sorted(entries.iter_rows()):
        h.update(f"{path}\0{digest}\0{reason}\n".encode())
    h.update(project_fingerprint(dbt_dir).encode())
    return h.hexdigest()


def project_fingerprint(dbt_dir: Path) -> str:
    """The dbt project's own fingerprint (models, seeds, macros, tests, settings) and the
    versions that run it: a build made by another project, or by another dbt or DuckDB, cannot
    be continued incrementally (an incremental build keeps its seeds and unit-test verdicts)."""
    h = hashlib.sha256(_runtime_versions().encode())
    project = [p for sub in ("models", "seeds", "macros", "tests") for p in (dbt_dir / sub).rglob("*") if p.is_file()]
    for path in [*sorted(project), dbt_dir / "dbt_project.yml", dbt_dir / "profiles.yml"]:
        h.update(str(path.relative_to(dbt_dir)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache  # installed packages do not change under a running process
def _runtime_versions() -> str:
    return "".join(f"{p}=={importlib.metadata.version(p)}\n" for p in ("dbt-core", "dbt-duckdb", "duckdb"))


def published_fingerprint(db_path: Path) -> str | None:
    """The fingerprint stamped into a published warehouse (None when absent or unreadable)."""
    if not db_path.exists():
        return None
    try:
        with connect(db_path) as con:  # not `duckdb.connect`: it may hand out a stale instance
            row = con.execute("select fingerprint from meta.build_info").fetchone()
            return None if row is None else str(row[0])
    except (duckdb.Error, OSError):
        return None
