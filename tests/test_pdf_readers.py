"""The two PDF readers give one text: PDFium (`read_pdf_pdfium`, fast) and pdfplumber
(`read_pdf(..., fast=False)`, the reference) read every PDF to the same text and the same parse,
and where the PDFium reader cannot be sure it steps aside (None), never reads differently."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import SHARED

from dagster_project.parsing.readers.document import Document
from dagster_project.parsing.readers.pdf import read_pdf
from dagster_project.parsing.readers.pdfium import read_pdf_pdfium
from dagster_project.parsing.records import to_json
from dagster_project.parsing.report import ParsedReport, parse_text
from dagster_project.synth.pdf import font_files, write_pdfs

REAL = SHARED / "corpus" / "real"
REAL_PDFS = sorted(REAL.glob("*.pdf")) if REAL.exists() else []


def _parse(doc: Document) -> dict:
    """The parse a reader's text gives: cells, template, issues (as `ogi parse --json` shows it)."""
    report = ParsedReport("report.pdf", "report.pdf", "0" * 64, doc.file_format, 0)
    report.issues += doc.issues
    return dict(to_json(parse_text(report, doc.text)))


def _both(data: bytes) -> tuple[Document | None, Document]:
    """The PDFium reading (None: it stepped aside) and pdfplumber's; `read_pdf` gives the first
    when there is one, else the second."""
    fast, reference = read_pdf_pdfium(data), read_pdf(data, fast=False)
    assert read_pdf(data).text == (fast or reference).text
    return fast, reference


@pytest.mark.parametrize("path", REAL_PDFS, ids=lambda p: p.name)
def test_both_readers_give_the_same_text_and_parse_on_the_real_pdfs(path):
    fast, reference = _both(path.read_bytes())
    if fast is not None:
        assert fast.text == reference.text
        assert _parse(fast) == _parse(reference)


@pytest.mark.skipif(
    not (REAL / "2023_hongzequ_qzf_1.pdf").exists(), reason="the shared real corpus is not beside the repo"
)
def test_the_wps_report_is_read_through_pdfium_with_its_vertical_label_in_its_cells():
    fast, reference = _both((REAL / "2023_hongzequ_qzf_1.pdf").read_bytes())
    assert fast is not None, "the PDFium reader stepped aside on the corpus PDF"
    assert fast.text == reference.text
    # the rotated group label 三、本年度办理结果 is printed one character per line in its merged cell
    assert "三、本年度办理结果\t（一）予以公开\t0\t0\t0\t0\t0\t0\t0\t" in fast.text
    assert "行政许可\t550\t" in fast.text and "行政事业性收费\t7730.28\t" in fast.text
    parsed = _parse(fast)
    assert parsed == _parse(reference)
    assert parsed["table3"]["new_received"] == [21, 0, 0, 0, 0, 0, 21]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    if font_files() is None:
        pytest.skip("no CJK TrueType font to draw PDFs with: apt-get install fonts-droid-fallback fonts-dejavu-core")
    return write_pdfs(5, tmp_path_factory.mktemp("pdfs"), seed=11)


def test_both_readers_give_the_same_text_and_parse_on_generated_pdfs(generated):
    fast_count = 0
    for path in generated:
        fast, reference = _both(path.read_bytes())
        if fast is None:
            continue
        fast_count += 1
        assert fast.text == reference.text, path.name
        parsed = _parse(fast)
        assert parsed == _parse(reference), path.name
        key = json.loads((path.parent / "answers" / f"{path.stem}.json").read_text(encoding="utf-8"))
        assert parsed["table3"] == key["table3"], path.name  # the drawn tables read back to their numbers
        assert parsed["table4"] == key["table4"], path.name
    assert fast_count >= 4, "the PDFium reader stepped aside on most generated PDFs"


# -- odd and damaged PDFs: the PDFium reader steps aside, nothing raises ----------------------


def _pdf(pages: list[bytes], page_extra: bytes = b"", font: bytes | None = None, form: bytes | None = None) -> bytes:
    """A small PDF whose pages draw the given content streams with font /F1 (by default a
    non-embedded TrueType font with its widths and descriptor), and may draw form /Fm1."""
    widths = b" ".join(b"500" for _ in range(32, 127))
    font = font or (
        b"<< /Type /Font /Subtype /TrueType /BaseFont /DejaVuSans /FirstChar 32 /LastChar 126 /Widths [%s] "
        b"/Encoding /WinAnsiEncoding /FontDescriptor << /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 "
        b"/FontBBox [-665 -325 2000 1006] /ItalicAngle 0 /Ascent 905 /Descent -212 /CapHeight 716 /StemV 80 >> >>"
        % widths
    )
    n = len(pages)
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(n))
    form = form or b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
        font,
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 300 300] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Length %d >>\nstream\n%s\nendstream" % (len(form), form),
    ]
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Resources << /Font << /F1 3 0 R >> "
            b"/XObject << /Fm1 4 0 R >> >> /Contents %d 0 R %s >>" % (6 + 2 * i, page_extra)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % off for off in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _text(*runs: tuple[float, float, bytes]) -> bytes:
    return b"\n".join(b"BT /F1 10 Tf %g %g Td (%s) Tj ET" % run for run in runs)


PLAIN = _text((40, 250, b"Report 2023"), (40, 230, b"Table 3"))


def test_a_plain_pdf_is_read_through_pdfium():
    fast, reference = _both(_pdf([PLAIN]))
    assert fast is not None and fast.text == reference.text == "Report 2023\nTable 3"


def test_a_table_drawn_in_a_form_is_read_through_pdfium():
    """Text and ruling lines inside a form XObject, placed by a matrix (as some producers wrap
    page content): the form's matrix carries into the characters and the lines."""
    table = b"20 150 200 40 re S 20 170 m 220 170 l S 120 150 m 120 190 l S"
    cells = _text((30, 176, b"Item"), (130, 176, b"12"), (30, 156, b"Other"), (130, 156, b"3"))
    form = _text((30, 210, b"Inside the form")) + b"\n" + table + b"\n" + cells
    fast, reference = _both(_pdf([b"q 1 0 0 1 10 20 cm /Fm1 Do Q " + _text((40, 280, b"Top"))], form=form))
    assert fast is not None and fast.text == reference.text
    assert "Item\t12\t\nOther\t3\t" in fast.text


@pytest.mark.parametrize(
    "name,data",
    [
        # the 2nd run drawn 0.3 pt right of the 1st (fake bold): PDFium's text page drops it, pdfminer keeps both
        ("drawn twice", _pdf([_text((40, 250, b"Bold"), (40.3, 250, b"Bold"))])),
        # PDFium's text page merges repeated spaces; pdfplumber keeps them in prose
        ("two spaces", _pdf([_text((40, 250, b"A  B"))])),
        # B starts exactly 3 pt (the word tolerance) after A ends: which side is float rounding
        ("a gap of exactly the tolerance", _pdf([_text((40, 250, b"A"), (48, 250, b"B"))])),
        ("ActualText", _pdf([b"/Span << /ActualText (XYZ) >> BDC " + _text((40, 250, b"ABC")) + b" EMC"])),
        ("a rotated page", _pdf([PLAIN], page_extra=b"/Rotate 90")),
        ("a standard-14 font", _pdf([PLAIN], font=b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")),
        (
            "a Type3 font",
            _pdf(
                [b"BT /F1 10 Tf 40 250 Td (a) Tj ET"],
                font=b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
                b"/CharProcs << /a 9 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> "
                b"/FirstChar 97 /LastChar 97 /Widths [1000] /Resources << >> >>",
            ),
        ),
        ("a page without text among text pages", _pdf([PLAIN, b"0 0 1 rg 20 20 100 100 re f"])),
    ],
)
def test_the_pdfium_reader_steps_aside_where_it_would_read_otherwise(name, data):
    assert read_pdf_pdfium(data) is None, name
    if name != "a page without text among text pages":  # that page goes to OCR, tested there
        assert read_pdf(data).text == read_pdf(data, fast=False).text


@pytest.mark.parametrize(
    "name,damage",
    [
        ("not a PDF", lambda data: b"%PDF-1.4\n this is not a pdf"),
        ("cut in half", lambda data: data[: len(data) // 2]),
        ("a corrupted stream", lambda data: data.replace(b"stream\n", b"stream\n\x00\xff garbage", 1)),
        ("no pages", lambda data: data.replace(b"/Count 1", b"/Count 0").replace(b"/Kids [5 0 R]", b"/Kids []")),
    ],
)
def test_damaged_pdfs_are_reported_never_raised(name, damage):
    data = damage(_pdf([PLAIN]))
    fast, reference = read_pdf_pdfium(data), read_pdf(data, fast=False)
    assert fast is None or fast.text == reference.text, name
    doc = read_pdf(data)
    assert doc.text == (fast or reference).text
    assert doc.readable or doc.issues, name  # an unreadable PDF always says why


def test_a_saved_rotation_is_seen_by_both_readers(tmp_path):
    """A PDF rotated by a viewer and saved (as users do): pdfplumber rotates its coordinates; the
    PDFium reader leaves such pages to it."""
    document = pdfium.PdfDocument(_pdf([PLAIN]))
    document[0].set_rotation(90)
    out = tmp_path / "rotated.pdf"
    document.save(out)
    data = out.read_bytes()
    assert read_pdf_pdfium(data) is None
    assert read_pdf(data).text == read_pdf(data, fast=False).text
