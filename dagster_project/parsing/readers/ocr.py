"""Scanned reports (图片版 PDFs, page images) → text in the canonical layout, by OCR.

Each page is rendered (PDF) or decoded (PNG, JPEG, TIFF) at about 200 dpi in grayscale and
read by RapidOCR with the PP-OCR models shipped in its wheel, on onnxruntime with one thread
(the runtime already runs one parse per core). `ocr_layout` turns what was read into the
canonical layout, the table cells taken from the rules printed in the image. OCR is optional:
without it a scanned file is reported (`ocr_unavailable`, with the install command), never a crash.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageSequence

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document

DPI = 200
PAGE_PX = 2339  # the long side of an A4 page at 200 dpi: images are scaled to about this
MAX_IMAGE_PIXELS = 80_000_000  # past this an image is not decoded (a decompression bomb, not a page)
MAX_PAGES = 300
MIN_TEXT_CHARS = 10  # a report page holds hundreds; fewer is marks read as text
INSTALL_HINT = "pip install rapidocr==3.10.0 onnxruntime==1.32.0"
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_PDF_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_IMAGE_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)  # PIL on a damaged file


def is_image(data: bytes) -> bool:
    """PNG, JPEG or TIFF, by the file's first bytes."""
    return data.startswith(IMAGE_MAGIC)


def _missing_module() -> str | None:
    """Why OCR cannot run here (a module not installed, or not loading), or None."""
    for name in ("cv2", "onnxruntime", "rapidocr"):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            try:
                installed = importlib.util.find_spec(name) is not None
            except ValueError:  # a module set to None in sys.modules: taken as absent
                installed = False
            if not installed:
                return f"{name} is not installed"
            return f"{name} cannot be loaded ({exc})"
    return None


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR  # noqa: PLC0415 - optional dependency, imported once a scan is read

    return RapidOCR(
        params={
            "Global.log_level": "error",
            # every box found is kept: a digit dropped for its score would read as a blank cell,
            # a doubtful one is kept and reported (ocr_low_confidence)
            "Global.text_score": 0.0,
            "EngineConfig.onnxruntime.intra_op_num_threads": int(os.environ.get("OGI_OCR_THREADS") or 1),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


@dataclass
class Scan:
    """What OCR made of the pages of one file: a text per page read, and the issues."""

    texts: dict[int, str] = field(default_factory=dict)  # page number → its text
    issues: list[Issue] = field(default_factory=list)
    cells: int = 0
    doubtful: int = 0

    @property
    def found_text(self) -> bool:
        """Did OCR find text? A few marks (a logo, a stamp, a filled box) read as 2 characters are none."""
        return sum(len("".join(t.split())) for t in self.texts.values()) >= MIN_TEXT_CHARS

    def used(self, of: int) -> Issue:
        """The `ocr_used` issue: which pages, which engine, how many cells and doubtful cells."""
        pages = "all" if len(self.texts) == of else "pages " + ", ".join(map(str, self.texts))
        return Issue(
            IssueCode.OCR_USED,
            f"text read by OCR ({pages} of {of}; rapidocr {version('rapidocr')}, {DPI} dpi): "
            f"{self.cells} table cells, {self.doubtful} with digits read with low confidence",
        )


def ocr_images(images: Iterator[tuple[int, np.ndarray]], scan: Scan) -> Scan:
    """OCR page images (page number, 8-bit grayscale) into `scan`, each straightened first; a
    page OCR fails on is an issue."""
    import cv2  # noqa: PLC0415 - OpenCV is optional: imported once a scan is read

    from .grid import deskew  # noqa: PLC0415 - the same
    from .ocr_layout import page_text  # noqa: PLC0415 - the same

    engine = _engine()
    for number, image in images:
        try:
            upright, _angle = deskew(image)
            result = engine(upright, return_word_box=True, return_single_char_box=True)
            page = page_text(upright, result, number)
        except (RuntimeError, cv2.error) as exc:  # onnxruntime's and OpenCV's errors
            if "alloc" in str(exc).lower() or "memory" in str(exc).lower():  # the memory cap was reached
                raise MemoryError(str(exc)) from exc
            scan.issues.append(
                Issue(IssueCode.PDF_PAGE_UNREADABLE, f"OCR failed on page {number}: {exc}", f"page {number}")
            )
            continue
        scan.texts[number] = page.text
        scan.issues += page.issues
        scan.cells += page.cells
        scan.doubtful += sum(i.code == IssueCode.OCR_LOW_CONFIDENCE for i in page.issues)
    return scan


def pages_without_text(data: bytes, text_layer: bool = True) -> list[int]:
    """The 1-based numbers of the PDF's pages to OCR: those that draw something and have no
    text (with `text_layer=False`, every page that draws something). None if PDFium cannot open it."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    numbers = []
    try:
        for i in range(len(pdf)):
            try:
                page = pdf[i]  # held while PDFium reads it: a page collected mid-call is freed memory
            except pdfium.PdfiumError:
                continue  # a damaged page: the text reader reports it
            draws = pdfium.raw.FPDFPage_CountObjects(page.raw) > 0
            if draws and not (text_layer and page.get_textpage().count_chars() > 0):
                numbers.append(i + 1)
            page.close()
    finally:
        pdf.close()
    return numbers


def _too_many(numbers: list[int], issues: list[Issue]) -> list[int]:
    if len(numbers) > MAX_PAGES:
        message = f"only the first {MAX_PAGES} of {len(numbers)} scanned pages were read by OCR"
        issues.append(Issue(IssueCode.PDF_PAGE_UNREADABLE, message, f"pages {numbers[MAX_PAGES]}–{numbers[-1]}"))
    return numbers[:MAX_PAGES]


def rendered_pages(data: bytes, numbers: list[int], issues: list[Issue]) -> Iterator[tuple[int, np.ndarray]]:
    """PDF pages rendered in grayscale at 200 dpi (a poster-sized page at most twice A4); a
    page PDFium cannot render is an issue."""
    pdf = pdfium.PdfDocument(data)
    try:
        for number in _too_many(numbers, issues):
            try:
                page = pdf[number - 1]
                scale = min(DPI / 72, 2 * PAGE_PX / max(*page.get_size(), 1.0))
                pixels = np.array(page.render(scale=scale, grayscale=True).to_numpy())  # a copy: PDFium frees it
                page.close()
            except pdfium.PdfiumError as exc:
                issues.append(
                    Issue(IssueCode.PDF_PAGE_UNREADABLE, f"page {number} cannot be rendered: {exc}", f"page {number}")
                )
                continue
            yield number, pixels if pixels.ndim == 2 else pixels[..., 0]
    finally:
        pdf.close()


def _unavailable(missing: str, what: str) -> Issue:
    return Issue(IssueCode.OCR_UNAVAILABLE, f"{what}: reading it needs OCR, but {missing} ({INSTALL_HINT})")


def _page_count(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def read_scanned_pdf(data: bytes) -> Document:
    """A PDF without a text layer: every page that draws something read by OCR."""
    no_text = Issue(IssueCode.PDF_NO_TEXT_LAYER, "the PDF has no text layer (a scanned image)")
    if missing := _missing_module():
        return Document("", "pdf", None, [no_text, _unavailable(missing, "the PDF's pages are images")], readable=False)
    scan = Scan()
    ocr_images(rendered_pages(data, pages_without_text(data, text_layer=False), scan.issues), scan)
    if not scan.found_text:
        no_text = Issue(IssueCode.PDF_NO_TEXT_LAYER, "the PDF has no text layer, and OCR found no text on its pages")
        return Document("", "pdf", None, [no_text, *scan.issues], readable=False)
    return Document("\n".join(scan.texts.values()), "ocr", None, [scan.used(_page_count(data)), *scan.issues])


def with_scanned_pages(data: bytes, parts: list[str], scanned: list[tuple[int, int]], issues: list[Issue]) -> Document:
    """A text-layer PDF some of whose pages have no text: those that draw something (scans) read
    by OCR into their places. `parts`: the blocks of text read; `scanned`: (page number, index
    in `parts` where the page's text belongs) of each page without text."""
    numbers = sorted(set(pages_without_text(data)) & {number for number, _ in scanned})
    if not numbers:  # blank pages
        return Document("\n".join(parts), "pdf", None, issues)
    if missing := _missing_module():
        pages = _unavailable(missing, f"pages {', '.join(map(str, numbers))} of the PDF are images")
        return Document("\n".join(parts), "pdf", None, [*issues, pages])
    scan = Scan()
    ocr_images(rendered_pages(data, numbers, scan.issues), scan)
    if not scan.found_text:
        return Document("\n".join(parts), "pdf", None, [*issues, *scan.issues])
    merged = list(parts)
    for number, at in sorted(scanned, reverse=True):  # from the end: the earlier places stay valid
        if number in scan.texts:
            merged.insert(at, scan.texts[number])
    return Document("\n".join(merged), "ocr", None, [*issues, scan.used(_page_count(data)), *scan.issues])


def _decoded(image: Image.Image, issues: list[Issue]) -> Iterator[tuple[int, np.ndarray]]:
    """The frames of an image (a TIFF's pages), in grayscale, scaled to about 200 dpi."""
    try:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > MAX_PAGES:
                issues.append(
                    Issue(IssueCode.PDF_PAGE_UNREADABLE, f"only the first {MAX_PAGES} pages were read by OCR")
                )
                return
            page = frame.convert("L")
            long_side = max(page.size)
            if not 0.6 * PAGE_PX <= long_side <= 1.4 * PAGE_PX:  # a photo or a thumbnail, not 200 dpi
                scale = PAGE_PX / long_side
                page = page.resize((round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS)
            yield number, np.asarray(page)
    except _IMAGE_ERRORS as exc:
        issues.append(Issue(IssueCode.IMAGE_UNREADABLE, f"the image cannot be decoded: {type(exc).__name__}: {exc}"))


def read_image(data: bytes) -> Document:
    """A page image (PNG, JPEG, or TIFF with a page per frame), read by OCR."""
    if missing := _missing_module():
        return Document("", "image", None, [_unavailable(missing, "the file is a page image")], readable=False)
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            message = f"the image is {image.width}×{image.height} pixels, above the limit of {MAX_IMAGE_PIXELS:,}"
            return Document("", "image", None, [Issue(IssueCode.RESOURCE_LIMIT, message)], readable=False)
        n_frames = min(getattr(image, "n_frames", 1), MAX_PAGES)
    except _IMAGE_ERRORS as exc:
        issue = Issue(IssueCode.IMAGE_UNREADABLE, f"the image cannot be decoded: {type(exc).__name__}: {exc}")
        return Document("", "image", None, [issue], readable=False)
    scan = Scan()
    ocr_images(_decoded(image, scan.issues), scan)
    if not scan.found_text:
        damaged = any(i.code == IssueCode.IMAGE_UNREADABLE for i in scan.issues)
        empty = [] if damaged else [Issue(IssueCode.EMPTY_DOCUMENT, "OCR found no text in the image")]
        return Document("", "image", None, [*empty, *scan.issues], readable=False)
    return Document("\n".join(scan.texts.values()), "ocr", None, [scan.used(n_frames), *scan.issues])


def ocr_page_count(path: Path) -> int:
    """How many pages parsing this file will OCR (0: none), cheaply, for the runtime's budgets.
    A PDF holding no image XObject (its `/Subtype /Image` is never compressed) has no scanned page."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
        if is_image(head):
            with Image.open(path) as image:
                return min(getattr(image, "n_frames", 1), MAX_PAGES)
        if head.startswith(b"%PDF-"):
            data = path.read_bytes()
            return min(len(pages_without_text(data)), MAX_PAGES) if _PDF_IMAGE.search(data) else 0
    except Exception:  # noqa: BLE001 - an estimate: a file it cannot look into gets the plain budget
        return 0
    return 0
