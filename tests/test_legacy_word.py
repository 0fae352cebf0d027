"""Legacy Word (.doc, .wps, RTF) read through LibreOffice: the keyed sample saved as .doc reads
as its answer key, a batch goes to one soffice call, a misnamed file is read by its content,
and damage, a stalled conversion or a missing converter are flagged."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docx
import polars as pl
import pytest
from conftest import RAW, REPO, SHARED, subprocess_env, wrong_cells

from dagster_project.parsing.catalogue import Severity
from dagster_project.parsing.files import parse_files, parse_safely
from dagster_project.parsing.records import to_json
from dagster_project.pipeline.batches import stage_batch
from dagster_project.pipeline.inventory import take_inventory
from dagster_project.pipeline.libreoffice import convert_to_docx
from dagster_project.pipeline.plan import cured_by_installed_tools, plan
from dagster_project.pipeline.store import Store

FIXTURES = REPO / "tests" / "fixtures" / "legacy_word"
SAMPLE = "003_2baf5ee0490418e5"  # a keyed sample: its tables saved as a Word 97 document
KEY = json.loads((REPO / "tests" / "fixtures" / "expected" / f"{SAMPLE}.json").read_text(encoding="utf-8"))
SHANGHAI_HTML = SHARED / "corpus" / "real" / "2019_shanghai_szfbgt_1.html"
NO_SOFFICE = "soffice not found: apt-get install libreoffice-writer-nogui"
TITLE = "郏县人民政府2021年政府信息公开工作年度报告"


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.skip(NO_SOFFICE)
    return found


def _counting_soffice(folder: Path, real: str) -> tuple[Path, Path]:
    """A `soffice` that writes each call's arguments to a log, then runs LibreOffice itself."""
    log, shim = folder / "soffice-calls.log", folder / "soffice"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return shim, log


def _calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def _tables(record: dict) -> tuple:
    return tuple(record[k] for k in ("agency", "year", "template", "table2", "table3", "table4"))


def _rtf(text: str) -> bytes:
    r"""A minimal RTF document: one paragraph, every character a \uN escape (N a signed 16-bit number)."""
    escaped = "".join(f"\\u{ord(c) - 65536 if ord(c) > 32767 else ord(c)}?" for c in text)
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil SimSun;}}\\f0 " + escaped + "\\par}").encode()


def _to_html(text: str) -> str:
    spec = importlib.util.spec_from_file_location("make_doc_fixture", REPO / "scripts" / "make_doc_fixture.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.to_html(text)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Every file of these tests parsed as `ogi parse` does, in one `parse_files` call: the
    parsed reports by role, and the soffice calls it made."""
    real = _soffice()
    folder = tmp_path_factory.mktemp("legacy_word")
    shim, log = _counting_soffice(folder, real)
    sample_doc = (FIXTURES / f"{SAMPLE}.doc").read_bytes()
    word = docx.Document()
    word.add_paragraph(TITLE)
    word.save(folder / "word2007.doc")  # a DOCX under a .doc name
    files = {
        "doc": (f"{SAMPLE}.doc", sample_doc),
        "wps": (f"{SAMPLE}.wps", (FIXTURES / f"{SAMPLE}.wps").read_bytes()),
        "shanghai": ("shanghai.doc", (FIXTURES / "2019_shanghai_szfbgt_1.doc").read_bytes()),
        "corrupt": ("corrupt.doc", sample_doc[:20000]),  # cut short, as a broken download is
        "html_as_doc": ("page.doc", _to_html((RAW / f"{SAMPLE}.txt").read_text(encoding="utf-8")).encode()),
        "html_as_wps": ("page.wps", _to_html((RAW / f"{SAMPLE}.txt").read_text(encoding="utf-8")).encode()),
        "docx_as_doc": ("word2007.doc", (folder / "word2007.doc").read_bytes()),
        "ole_as_txt": ("shanghai.txt", (FIXTURES / "2019_shanghai_szfbgt_1.doc").read_bytes()),
        "rtf_as_doc": ("rich.doc", _rtf(TITLE)),
    }
    paths = []
    for name, data in files.values():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGI_SOFFICE", str(shim))
        started = time.monotonic()
        reports = parse_files(paths, neighbours=False, convert=convert_to_docx)
        print(f"parse_files over {len(paths)} files: {time.monotonic() - started:.1f} s")
    return dict(zip(files, reports, strict=True)), _calls(log)


def test_the_keyed_sample_saved_as_doc_reads_as_its_answer_key(batch):
    reports, _ = batch
    report = reports["doc"]
    got = to_json(report)
    assert report.file_format == "doc" and report.parse_status == "flagged"
    assert wrong_cells(KEY, got) == []
    assert got["table3"]["granted"] == [14, 0, 0, 0, 0, 0, 14]
    note, *rest = report.issues
    assert (note.code, note.severity) == ("converted_by_libreoffice", Severity.INFO)
    # the conversion is the only difference from the sample's own text
    assert [i.code for i in rest] == [i.code for i in parse_safely(RAW / f"{SAMPLE}.txt").issues]


def test_a_wps_in_word97_format_reads_as_the_doc(batch):
    reports, _ = batch
    assert reports["wps"].file_format == "wps"
    assert reports["wps"].issues[0].code == "converted_by_libreoffice"
    assert wrong_cells(KEY, to_json(reports["wps"])) == []


def test_one_soffice_call_converts_the_batch_and_keeps_each_file_apart(batch):
    reports, calls = batch
    word_calls = [c for c in calls if "--infilter=MS Word 97" in c]
    rtf_calls = [c for c in calls if "--infilter=Rich Text Format" in c]
    assert len(calls) == 2 and len(word_calls) == 1 and len(rtf_calls) == 1
    # each content once: the sample as .doc and .wps, the Shanghai report as .doc and .txt, the cut file
    assert word_calls[0].count(".doc") == 3
    shanghai = to_json(reports["shanghai"])
    assert shanghai["agency"] == "上海市人民政府办公厅" and shanghai["year"] == 2019
    assert to_json(reports["doc"])["agency"] == "郏县人民政府"
    assert _tables(to_json(reports["ole_as_txt"])) == _tables(shanghai)
    if not SHANGHAI_HTML.exists():
        pytest.skip(f"{SHANGHAI_HTML} is missing: the .doc is not compared with its HTML source")
    [source] = parse_files([SHANGHAI_HTML], neighbours=False)
    assert _tables(shanghai) == _tables(to_json(source))  # 198 cells, blanks kept blank
    assert [i.code for i in reports["shanghai"].issues[1:]] == [i.code for i in source.issues]


def test_a_misnamed_file_is_read_by_its_content(batch):
    reports, _ = batch
    formats = {role: reports[role].file_format for role in ("html_as_doc", "html_as_wps", "docx_as_doc", "ole_as_txt")}
    assert formats == {"html_as_doc": "html", "html_as_wps": "html", "docx_as_doc": "docx", "ole_as_txt": "doc"}
    assert wrong_cells(KEY, to_json(reports["html_as_doc"])) == []
    assert to_json(reports["docx_as_doc"])["agency"] == "郏县人民政府"
    rtf = reports["rtf_as_doc"]
    assert rtf.file_format == "rtf" and rtf.issues[0].code == "converted_by_libreoffice"
    assert (rtf.agency_name, rtf.year) == ("郏县人民政府", 2021)


def test_a_corrupt_doc_is_flagged(batch):
    reports, _ = batch
    report = reports["corrupt"]
    assert report.parse_status == "failed" and report.table3 is None
    assert [i.code for i in report.issues] == ["doc_conversion_failed", "unreadable"]
    assert report.issues[0].severity == Severity.ERROR and "LibreOffice could not open it" in report.issues[0].message


def test_without_soffice_a_doc_is_flagged_doc_needs_converter(tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which no soffice is found
    [report] = parse_files([FIXTURES / f"{SAMPLE}.doc"], neighbours=False, convert=convert_to_docx)
    issue = report.issues[0]
    assert (issue.code, issue.severity, report.parse_status) == ("doc_needs_converter", Severity.ERROR, "failed")
    assert "apt-get install libreoffice-writer-nogui" in issue.message
    # read by a caller that converts nothing, the file says so
    assert parse_safely(FIXTURES / f"{SAMPLE}.doc").issues[0].code == "doc_legacy_format"


def test_ogi_parse_converts_its_files_in_one_call(tmp_path):
    shim, log = _counting_soffice(tmp_path, _soffice())
    files = [FIXTURES / f"{SAMPLE}.doc", FIXTURES / "2019_shanghai_szfbgt_1.doc"]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ogi")), "parse", "--json", "--alone", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        env=subprocess_env(tmp_path, OGI_SOFFICE=str(shim)),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["agency"] for r in records] == ["郏县人民政府", "上海市人民政府办公厅"]
    assert wrong_cells(KEY, records[0]) == []
    assert len(_calls(log)) == 1 and _calls(log)[0].count(".doc") == 2


def test_a_staging_batch_converts_its_files_in_one_call(tmp_path, monkeypatch):
    shim, log = _counting_soffice(tmp_path, _soffice())
    monkeypatch.setenv("OGI_SOFFICE", str(shim))
    files = [FIXTURES / f"{SAMPLE}.doc", FIXTURES / "2019_shanghai_szfbgt_1.doc", RAW / f"{SAMPLE}.txt"]
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    result = stage_batch(files, store, "legacy", timeout_s=60)
    assert len(_calls(log)) == 1 and result.n_reports == 3
    reports = pl.read_parquet(store.part("reports", store.part_name("legacy")))
    assert reports["file_format"].to_list() == ["doc", "doc", "txt"]
    cells = pl.read_parquet(store.part("cells", store.part_name("legacy")))
    per_report = dict(cells.group_by("report_id").len().iter_rows())
    doc_id, _, txt_id = reports["report_id"].to_list()
    assert per_report[doc_id] == per_report[txt_id]  # the .doc stages every cell its text source does


def _stand_in(folder: Path, script: str) -> Path:
    """An executable standing in for soffice where LibreOffice cannot be made to misbehave on cue."""
    path = folder / "soffice"
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"  # ended, waiting to be reaped by whoever adopted it


def test_a_stalled_conversion_is_ended_and_flagged(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    monkeypatch.setenv("OGI_SOFFICE", str(_stand_in(tmp_path, f'#!/bin/sh\necho $$ >> "{pids}"\nexec sleep 600\n')))
    sample = (FIXTURES / f"{SAMPLE}.doc").read_bytes()
    files = [tmp_path / "a.doc", tmp_path / "b.doc"]
    for i, path in enumerate(files):
        path.write_bytes(sample + bytes(i + 1))  # two contents
    started = time.monotonic()
    done = convert_to_docx(files, timeout_s=1)
    assert time.monotonic() - started < 15
    assert sorted(c.issue.code for c in done.values() if c.issue) == ["parse_timeout", "parse_timeout"]
    assert all(c.docx is None for c in done.values())
    started_pids = [int(p) for p in pids.read_text().split()]
    assert len(started_pids) == 2 and all(_gone(p) for p in started_pids)  # one call per stalled file, each ended


def test_an_empty_conversion_is_flagged(tmp_path, monkeypatch):
    writes_empty_files = (
        f"#!{sys.executable}\nimport pathlib, sys\nargs = sys.argv[1:]\nout = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "for name in args[args.index('--outdir') + 2:]:\n    (out / (pathlib.Path(name).stem + '.docx')).write_bytes(b'')\n"
    )
    monkeypatch.setenv("OGI_SOFFICE", str(_stand_in(tmp_path, writes_empty_files)))
    [report] = parse_files([FIXTURES / f"{SAMPLE}.doc"], neighbours=False, convert=convert_to_docx)
    assert [i.code for i in report.issues] == ["doc_conversion_failed", "unreadable"]
    assert "empty DOCX" in report.issues[0].message and report.parse_status == "failed"


def test_a_batch_without_legacy_word_starts_no_converter(tmp_path, monkeypatch):
    marker = tmp_path / "started"
    monkeypatch.setenv("OGI_SOFFICE", str(_stand_in(tmp_path, f'#!/bin/sh\ntouch "{marker}"\n')))
    (tmp_path / "page.doc").write_text("<html><body><p>x</p><table><tr><td>1</td></tr></table></body></html>")
    files = [RAW / f"{SAMPLE}.txt", tmp_path / "page.doc", tmp_path / "missing.doc"]
    assert convert_to_docx(files) == {} and not marker.exists()


def test_a_doc_flagged_for_want_of_soffice_is_parsed_again_once_it_is_installed(tmp_path, monkeypatch):
    soffice = _soffice()
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / f"{SAMPLE}.doc", raw)
    store = Store(raw, tmp_path / "warehouse", tmp_path / "staging")
    inventory = take_inventory(raw)
    monkeypatch.setenv("OGI_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert "doc_needs_converter" not in cured_by_installed_tools()
    stage_batch([raw / f"{SAMPLE}.doc"], store, "b1", timeout_s=60)
    assert plan(inventory, store).to_parse == []  # still no converter: nothing to retry
    monkeypatch.setenv("OGI_SOFFICE", soffice)
    again = plan(inventory, store)
    assert [Path(p).name for p in again.to_parse] == [f"{SAMPLE}.doc"] and again.attempts
