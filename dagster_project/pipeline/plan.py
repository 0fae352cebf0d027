"""What a refresh has to parse, and whether the published warehouse is still current.

Staged parts written by another parser version, orphaned by a killed batch, or holding only
removed files are deleted; only content not yet staged is parsed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ..parsing.schema import PARSER_VERSION
from .store import Store


@dataclass
class Plan:
    """What a refresh has to parse, and what it did to the staged parts."""

    to_parse: list[str]  # one path per content hash that has no staged rows
    reused: int  # content hashes whose staged rows are kept
    dropped_parts: int  # parts deleted (stale parser version, orphaned, or all removed)
    pruned_parts: int = 0  # parts rewritten without the reports of removed or changed files


def plan(inventory: pl.DataFrame, store: Store) -> Plan:
    """Reconcile the staged parts with the inventory; returns what is left to parse."""
    store.sweep_temporaries()
    dropped, pruned = store.drop_uncommitted(), 0
    current = set(inventory["content_hash"].to_list())
    staged: set[str] = set()
    for part in store.parts("reports"):
        meta = pl.read_parquet(part, columns=["content_hash", "parser_version"])
        hashes = set(meta["content_hash"].to_list())
        stale = meta.filter(pl.col("parser_version") != PARSER_VERSION).height > 0
        # a part repeating content another part holds (a batch finished by a process that
        # outlived its killed refresh) would stage a report twice: drop it, re-parse the rest
        if stale or not hashes & current or hashes & staged:
            store.drop_batch(part.name)
            dropped += 1
        else:
            if hashes - current:  # some of its files were removed or changed: only the rest stays
                store.prune_batch(part.name, hashes & current)
                pruned += 1
            staged |= hashes & current
    todo = inventory.filter(~pl.col("content_hash").is_in(list(staged))).unique(
        "content_hash", keep="first", maintain_order=True
    )
    return Plan(todo["path"].to_list(), len(current & staged), dropped, pruned)


def fingerprint(inventory: pl.DataFrame, dbt_dir: Path) -> str:
    """What the published warehouse is a function of: the files (path and content), the parser
    version and the dbt project. Equal fingerprints mean a rebuild would produce the same marts."""
    h = hashlib.sha256(PARSER_VERSION.encode())
    for path, digest in sorted(inventory.select("path", "content_hash").iter_rows()):
        h.update(f"{path}\0{digest}\n".encode())
    project = [p for sub in ("models", "seeds", "macros", "tests") for p in (dbt_dir / sub).rglob("*") if p.is_file()]
    for path in [*sorted(project), dbt_dir / "dbt_project.yml", dbt_dir / "profiles.yml"]:
        h.update(str(path.relative_to(dbt_dir)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def published_fingerprint(db_path: Path) -> str | None:
    """The fingerprint stamped into a published warehouse (None when absent or unreadable)."""
    if not db_path.exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute("select fingerprint from meta.build_info").fetchone()
            return None if row is None else str(row[0])
    except duckdb.Error:
        return None
