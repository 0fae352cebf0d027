"""The typed contract: issue codes and their catalogue, the keys issues carry, the layers."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import REPO, SHARED

from dagster_project.parsing.catalogue import CATALOGUE, IssueCode, Severity
from dagster_project.parsing.files import parse_files
from dagster_project.parsing.issues import Issue

PARSING = REPO / "dagster_project" / "parsing"


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_issue_code_seed_mirrors_the_catalogue():
    writer = _load_script("write_issue_codes")
    assert writer.SEED.read_text(encoding="utf-8") == writer.render()
    codes = [line.split(",")[0] for line in writer.render().splitlines()[1:]]
    assert codes == [c.value for c in IssueCode] and set(CATALOGUE) == set(IssueCode)


def test_an_issue_takes_its_catalogue_severity_and_no_other():
    assert Issue(IssueCode.IDENTITY_BROKEN, "T3-C fails").severity == Severity.WARNING
    assert Issue(IssueCode.ROW_CUT_SHORT, "cut", severity=Severity.ERROR).severity == Severity.ERROR
    with pytest.raises(ValueError, match="never error"):
        Issue(IssueCode.IDENTITY_BROKEN, "T3-C fails", severity=Severity.ERROR)
    with pytest.raises(ValueError):
        Issue("no_such_code", "?")  # type: ignore[arg-type]


def test_every_row_issue_names_its_table_and_row():
    """On the samples and the real corpus, an issue whose place names a table row carries that
    table and row as keys (code never reads them back from the place text)."""
    files = sorted((REPO / "raw").iterdir())
    corpus = SHARED / "corpus" / "real"
    if corpus.exists():
        files += sorted(p for p in corpus.iterdir() if p.suffix != ".tsv")
    seen = 0
    for report in parse_files(files, neighbours=False):
        for issue in report.issues:
            m = re.match(r"^(table[234])\.(\w+)(?: \(|$|\.total$)", issue.place)
            if m and issue.identity != "T3-A":  # T3-A's place names a column, not a row
                assert (issue.table_id, issue.row_key) == (m.group(1), m.group(2)), issue
                seen += 1
    assert seen > 50


def test_the_parsing_layer_is_pure():
    """No Dagster, no Parquet writes, no process pools or signal handling under parsing/."""
    forbidden = re.compile(r"import dagster|from dagster|write_parquet|ProcessPool|multiprocessing|signal\.|setrlimit")
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in PARSING.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []


def test_only_the_store_names_the_warehouse_layout():
    """Paths under warehouse/ and staging/ are built by pipeline/store.py alone."""
    layout = re.compile(
        r"""["'](staging|inventory|decisions|build|dbt_target|reports|cells|issues)["']\s*/|/\s*["']part-"""
    )
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in (REPO / "dagster_project").rglob("*.py")
        if path.name != "store.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if layout.search(line)
    ]
    assert offenders == []


def test_store_paths_reach_dbt_quoted(tmp_path):
    from dagster_project.pipeline.store import Store

    store = Store(tmp_path / "raw", tmp_path / "o'brien", tmp_path / "o'brien" / "staging")
    env = store.dbt_env()
    assert env["OGI_PARTS_REPORTS"].endswith("o''brien/staging/reports/part-*.parquet")
    assert Path(env["OGI_BUILD_DB"]) == store.build_db  # a file path, not SQL: unquoted
