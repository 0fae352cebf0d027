"""Cross-year decisions redone by agency (pipeline/decisions.py) equal decisions made from
scratch, after reports are added, removed and copied under another name."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from dagster_project.pipeline.batches import stage_batch
from dagster_project.pipeline.decisions import DECIDED_FROM, _reports_to_redo, write_decisions
from dagster_project.pipeline.store import Store
from dagster_project.synth import generate_corpus


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all(), nulls_last=True)


def _from_scratch(store: Store) -> pl.DataFrame:
    store.decided_from_file.unlink()
    write_decisions(store)
    return _sorted(pl.read_parquet(store.decisions_file))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # 240 synthetic reports: ~50 agencies over several years, many 表二 rows open
    return generate_corpus(240, tmp_path_factory.mktemp("decisions") / "raw", seed=5)


def test_redone_by_agency_equals_from_scratch(corpus, tmp_path):
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    stage_batch(corpus[:160], store, "first")
    decided_first = write_decisions(store)
    assert decided_first > 0, "the corpus should leave 表二 rows open for the neighbouring years"

    # added: 80 reports, some of agencies already staged
    stage_batch(corpus[160:], store, "second")
    meta = store.scan("reports").select(DECIDED_FROM).unique().collect()
    before = pl.read_parquet(store.decided_from_file)
    redo = _reports_to_redo(meta, before)
    assert 80 <= redo.len() < meta.height  # the new reports and their agencies' others, not all
    write_decisions(store)
    incremental = _sorted(pl.read_parquet(store.decisions_file))
    assert incremental.height > decided_first
    assert incremental.equals(_from_scratch(store))

    # removed: the first batch's parts gone (its reports' decisions must go, their agencies' others change)
    for table in ("reports", "cells", "issues", "pre2019_statistics"):
        store.part(table, store.part_name("first")).unlink()
    write_decisions(store)
    incremental = _sorted(pl.read_parquet(store.decisions_file))
    first_ids = set(pl.read_parquet(store.decided_from_file)["report_id"].to_list())
    assert set(incremental["report_id"].to_list()) <= first_ids
    assert incremental.equals(_from_scratch(store))

    # a copy of a staged file under a new name: same report, one more file name for the messages
    copy = tmp_path / "copy" / f"renamed_{corpus[170].name}"
    copy.parent.mkdir()
    shutil.copy(corpus[170], copy)
    stage_batch([copy], store, "third")
    write_decisions(store)
    assert _sorted(pl.read_parquet(store.decisions_file)).equals(_from_scratch(store))


def test_a_decisions_file_without_its_list_is_decided_whole(corpus, tmp_path):
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    stage_batch(corpus[:60], store, "only")
    write_decisions(store)
    whole = _sorted(pl.read_parquet(store.decisions_file))
    # a write cut short between the two files: the list is gone, the decisions are stale
    pl.DataFrame(schema=pl.read_parquet(store.decisions_file).schema).write_parquet(store.decisions_file)
    store.decided_from_file.unlink()
    write_decisions(store)
    assert _sorted(pl.read_parquet(store.decisions_file)).equals(whole)
