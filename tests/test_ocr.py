"""Scanned reports read by OCR: a 图片版 PDF and a page image parse to the answer key of the
text-layer report they were made from; bad images and a missing OCR engine become issues.

The fixtures are made by scripts/make_scanned_fixture.py from the keyed corpus PDF: 200 dpi,
grayscale JPEG pages turned 0.5–0.9° and slightly blurred, no text layer (and page 3 as a
bilevel PNG). OCR takes ~5 s a page here, so each fixture is parsed once per module.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pypdfium2 as pdfium
import pytest
from conftest import REPO, SHARED, keyed_cells, wrong_cells
from PIL import Image

from dagster_project.parsing.files import parse_files
from dagster_project.parsing.readers import detect_format, is_report_name, read_document
from dagster_project.parsing.readers.ocr import INSTALL_HINT, rendered_pages
from dagster_project.parsing.records import to_json
from dagster_project.parsing.report import ParsedReport
from dagster_project.pipeline.batches import BatchJob, run_batches
from dagster_project.pipeline.guards import alarm_handler, document_budget, parse_guarded
from dagster_project.pipeline.store import Store

for _module in ("cv2", "onnxruntime", "rapidocr"):
    pytest.importorskip(_module, reason=f"OCR is not installed: {INSTALL_HINT}")

from dagster_project.parsing.readers.grid import deskew, find_tables  # after the skip: needs OpenCV
from dagster_project.parsing.readers.ocr_layout import page_text  # after the skip: needs OpenCV

FIXTURES = REPO / "tests" / "fixtures" / "scanned"
SCANNED_PDF = FIXTURES / "2023_hongzequ_qzf_1_scanned.pdf"
PAGE_PNG = FIXTURES / "2023_hongzequ_qzf_1_page3.png"
TEXT_PDF = SHARED / "corpus" / "real" / "2023_hongzequ_qzf_1.pdf"
KEY = SHARED / "answers" / "real" / "2023_hongzequ_qzf_1.json"
needs_key = pytest.mark.skipif(not KEY.exists(), reason="the shared answer keys are not beside the repo")
PAGE3_ROWS = (  # the 表三 rows printed on page 3
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "withheld_state_secret",
    "withheld_law_forbidden",
    "withheld_three_safeties",
    "withheld_third_party",
    "withheld_internal_affairs",
    "withheld_process_info",
    "withheld_enforcement_file",
    "withheld_query_matter",
    "unable_not_held",
    "unable_needs_creation",
)


def _codes(report: ParsedReport) -> list[str]:
    return [i.code.value for i in report.issues]


@pytest.fixture(scope="module")
def scanned() -> tuple[ParsedReport, dict]:
    [report] = parse_files([SCANNED_PDF], neighbours=False)
    return report, to_json(report)


@pytest.fixture(scope="module")
def page_image() -> tuple[ParsedReport, dict]:
    [report] = parse_files([PAGE_PNG], neighbours=False)
    return report, to_json(report)


@needs_key
def test_scanned_pdf_parses_to_the_answer_key_of_its_text_layer_original(scanned):
    report, record = scanned
    key = json.loads(KEY.read_text(encoding="utf-8"))
    assert len(keyed_cells(key, record)) == 189  # the scorer counts 186 cells and agency, year, template
    assert wrong_cells(key, record) == []
    assert report.file_format == "ocr"
    # the same issues as the text-layer PDF (its 表四 totals are printed 0), plus how it was read
    assert _codes(report) == ["ocr_used", "template_hybrid", "identity_broken", "identity_broken"]
    used = report.issues[0]
    assert (
        used.severity == "info"
        and "all of 5" in used.message
        and "0 with digits read with low confidence" in used.message
    )


def test_page_image_reads_the_rows_it_shows(page_image):
    report, record = page_image
    assert detect_format(PAGE_PNG.read_bytes(), ".png") == "image" and report.file_format == "ocr"
    assert report.issues[0].code == "ocr_used"
    assert record["table2"] == {"administrative_fees": {"amount_wan_yuan": 7730.28}}
    t3 = record["table3"]
    assert t3["new_received"] == [21, 0, 0, 0, 0, 0, 21]
    assert t3["partially_granted"] == [4, 0, 0, 0, 0, 0, 4]
    assert t3["unable_not_held"] == [10, 0, 0, 0, 0, 0, 10]
    if KEY.exists():
        key = json.loads(KEY.read_text(encoding="utf-8"))
        assert {r: t3[r] for r in PAGE3_ROWS} == {r: key["table3"][r] for r in PAGE3_ROWS}
    # the rest of the report is on other pages: said so, never filled in
    assert t3["total_handled"] == [None] * 7 and "table_not_found" in _codes(report)


def test_image_suffixes_are_report_names():
    assert all(is_report_name(f"scan{s}") for s in (".png", ".jpg", ".jpeg", ".tif", ".TIFF"))


def _noise_png(path: Path) -> None:
    Image.fromarray((np.random.default_rng(0).random((600, 450)) * 255).astype("uint8")).save(path)


@pytest.mark.parametrize(
    "name,make,codes",
    [
        ("noise.png", _noise_png, ["empty_document"]),
        ("cut.png", lambda p: p.write_bytes(PAGE_PNG.read_bytes()[:3000]), ["image_unreadable"]),
        ("fake.jpg", lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + b"not a jpeg" * 50), ["image_unreadable"]),
        ("fake.tif", lambda p: p.write_bytes(b"II*\x00" + b"\x00" * 64), ["image_unreadable"]),
    ],
)
def test_a_garbage_image_is_flagged_not_crashed(tmp_path, name, make, codes):
    make(tmp_path / name)
    doc = read_document(tmp_path / name)
    assert not doc.readable and doc.file_format == "image"
    assert [i.code for i in doc.issues] == codes


def test_without_ocr_a_scan_is_flagged_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # as if it were not installed
    image = read_document(PAGE_PNG)
    assert not image.readable and [i.code for i in image.issues] == ["ocr_unavailable"]
    assert "rapidocr is not installed" in image.issues[0].message
    assert "pip install rapidocr==3.10.0 onnxruntime" in image.issues[0].message
    pdf = read_document(SCANNED_PDF)
    assert not pdf.readable and [i.code for i in pdf.issues] == ["pdf_no_text_layer", "ocr_unavailable"]


@pytest.mark.skipif(not TEXT_PDF.exists(), reason="the shared real corpus is not beside the repo")
def test_a_scanned_page_among_text_pages_is_read_in_its_place(tmp_path):
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(TEXT_PDF), [0, 1, 2, 3])
    mixed.import_pages(pdfium.PdfDocument(SCANNED_PDF), [4])  # the last page, prose only
    mixed.save(tmp_path / "mixed.pdf")
    doc = read_document(tmp_path / "mixed.pdf")
    assert doc.readable and doc.file_format == "ocr"
    assert "pages 5 of 5" in doc.issues[0].message
    assert doc.text.index("五、存在的主要问题") < doc.text.index(
        "六、其他需要报告的事项"
    )  # page 5, by OCR, after page 4


def test_a_table_cut_by_the_page_edge_is_closed_where_its_rules_end():
    [(_, image)] = list(rendered_pages(SCANNED_PDF.read_bytes(), [3], []))
    upright, angle = deskew(image)
    assert abs(angle + 0.9) < 0.1  # the page was turned by 0.9°
    cut = upright[:2150]  # below the last row of 表三's first page: its bottom rule is gone
    table3 = find_tables(cut)[-1]
    assert table3.n_rows == 17 and table3.box[3] == 2150
    # the vertical label 三、本年度办理结果 spans every row from 予以公开 down, and the page edge closes it
    label = next(c for c in table3.cells if c.col == 0 and c.row == 5)
    assert (label.row_end, label.col_end) == (17, 1)


def _quad(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_ocr_boxes_go_to_the_cells_of_the_ruled_grid_and_doubtful_digits_are_reported():
    """No OCR here: a drawn table and what OCR might read on it, with its confidences."""
    page = np.full((1200, 1000), 255, np.uint8)
    for y in (300, 400, 500):  # a 2 × 3 table: rules at x 100, 400, 600, 800
        page[y - 1 : y + 2, 100:801] = 0
    for x in (100, 400, 600, 800):
        page[300:501, x - 1 : x + 2] = 0
    boxes = [
        ("规章", 0.99, _quad(120, 330, 220, 370), [("规", 0.99, _quad(120, 330, 170, 370))]),
        (
            "12",
            0.75,
            _quad(470, 330, 530, 370),
            [("1", 0.99, _quad(470, 330, 500, 370)), ("2", 0.55, _quad(500, 330, 530, 370))],
        ),
        ("行政许可", 0.98, _quad(120, 430, 300, 470), []),
        # one box read across two cells: its characters go where they stand
        (
            "35",
            0.97,
            _quad(560, 430, 640, 470),
            [("3", 0.97, _quad(560, 430, 590, 470)), ("5", 0.97, _quad(610, 430, 640, 470))],
        ),
        ("二、主动公开政府信息情况", 0.99, _quad(100, 200, 600, 240), []),
        ("- 3 -", 0.99, _quad(480, 1120, 540, 1150), []),  # the page number at its foot
    ]
    result = SimpleNamespace(
        boxes=np.array([b[2] for b in boxes], dtype=float),
        txts=tuple(b[0] for b in boxes),
        scores=tuple(b[1] for b in boxes),
        word_results=tuple(tuple(b[3]) for b in boxes),
    )
    text = page_text(page, result, 7)
    assert text.text == "二、主动公开政府信息情况\n\n规章\t12\t\t\n行政许可\t3\t5\t\n"
    [doubt] = text.issues
    assert doubt.code == "ocr_low_confidence" and doubt.severity == "warning"
    assert doubt.place == "page 7, table 1, row 1, column 2"
    assert "'12' (row 规章) with confidence 0.55" in doubt.message


def test_a_scan_gets_a_time_budget_per_page_and_the_memory_for_ocr(monkeypatch):
    assert document_budget(SCANNED_PDF, 60.0) == (160.0, 3072)  # 60 s + 5 pages × 20 s
    assert document_budget(PAGE_PNG, 60.0) == (80.0, 3072)
    monkeypatch.setenv("OGI_OCR_MAX_S", "100")
    assert document_budget(SCANNED_PDF, 60.0) == (100.0, 3072)
    assert document_budget(REPO / "pyproject.toml", 60.0) == (60.0, None)
    if TEXT_PDF.exists():
        assert document_budget(TEXT_PDF, 60.0) == (60.0, None)


def test_a_scan_over_its_budget_is_a_recorded_timeout(monkeypatch, page_image):
    monkeypatch.setenv("OGI_OCR_PAGE_S", "0.5")  # the engine is warm (page_image): OCR alone takes seconds
    with alarm_handler() as can_time:
        assert can_time
        report = parse_guarded(PAGE_PNG, 0.5)
    assert report.parse_status == "failed" and _codes(report) == ["parse_timeout"]
    assert report.issues[0].message == "parsing took longer than 1 s"


def test_the_memory_cap_is_raised_for_a_scan_and_put_back_once_the_memory_is_free():
    script = (
        "import resource\n"
        "from dagster_project.pipeline.guards import limit_memory, memory_at_least\n"
        "def cap(): return resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20\n"
        "limit_memory(2048)\n"
        "with memory_at_least(3072):\n"
        "    inside = cap()\n"
        "after = cap()\n"
        "with memory_at_least(4096):\n"
        "    kept = bytearray(2100 * 2**20)  # still mapped when the scan is done, as the OCR models are\n"
        "print(inside, after, cap())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["3072", "2048", "4096"]


def _fixture_maker():
    spec = importlib.util.spec_from_file_location("make_scanned_fixture", REPO / "scripts" / "make_scanned_fixture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@needs_key
@pytest.mark.parametrize(
    "variant",
    [
        {"skew": (2.0, -2.0)},
        {"skew": (3.0, -3.0), "blur": 1.0, "quality": 30},
        {"blur": 1.5},
        {"quality": 20},
        {"dpi": 150},
        {"dpi": 300},
    ],
    ids=["skew2", "skew3-blur1-q30", "blur1.5", "jpeg20", "150dpi", "300dpi"],
)
def test_harsher_scans_still_parse_to_the_answer_key(tmp_path, variant):
    """Each ~35 s: five pages OCR'd."""
    made = _fixture_maker().scanned_pdf(TEXT_PDF, tmp_path / "scan.pdf", **variant)
    [report] = parse_files([made], neighbours=False)
    key = json.loads(KEY.read_text(encoding="utf-8"))
    assert wrong_cells(key, to_json(report)) == []
    assert report.file_format == "ocr"


@pytest.mark.slow
@needs_key
def test_a_multipage_tiff_reads_a_table_across_its_page_break(tmp_path):
    """表三 runs from page 3 onto page 4 and 表四 is on page 4: a two-frame TIFF of those pages."""
    maker = _fixture_maker()
    source = pdfium.PdfDocument(TEXT_PDF)
    frames = [maker.scanned_page(source[n - 1], maker.SKEW_DEG[n - 1]) for n in (3, 4)]
    frames[0].save(tmp_path / "scan.tif", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    [report] = parse_files([tmp_path / "scan.tif"], neighbours=False)
    record, key = to_json(report), json.loads(KEY.read_text(encoding="utf-8"))
    assert record["table3"] == key["table3"] and record["table4"] == key["table4"]
    assert "all of 2" in report.issues[0].message


@pytest.mark.slow
def test_refresh_workers_give_a_scan_its_page_budget_and_memory(tmp_path):
    """A worker capped below what OCR needs, with a budget a five-page scan cannot meet alone:
    the scan gets 20 s a page more and a 3 GB cap while it is read, and is staged."""
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    jobs = [BatchJob("scan", [str(SCANNED_PDF), str(PAGE_PNG)])]
    [result] = run_batches(jobs, store, workers=1, timeout_s=5, memory_mb=1536)
    assert result.statuses == {"flagged": 2}
    reports = pl.read_parquet(store.part("reports", "part-scan.parquet"))
    assert reports["file_format"].to_list() == ["ocr", "ocr"]
    issues = pl.read_parquet(store.part("issues", "part-scan.parquet"))
    assert "parse_timeout" not in issues["code"].to_list() and "parse_out_of_memory" not in issues["code"].to_list()
