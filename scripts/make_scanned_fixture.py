"""Make the scanned-report fixtures of tests/test_ocr.py from a keyed text-layer PDF.

    python scripts/make_scanned_fixture.py [--source PDF] [--out tests/fixtures/scanned]

Each page is rendered at 200 dpi in grayscale, turned by a slight skew (the sign alternating
between pages, as sheets fed by hand) and blurred a little, then stored as a JPEG image in a
PDF with no text layer: what a scanner's 图片版 PDF holds. One page is also written as a
bilevel PNG (a black-and-white scan, slightly turned). The output is deterministic, so it is
committed beside the tests; rerun this script only to change the fixtures. `scanned_pdf`
makes the harsher variants of the slow tests the same way.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared" / "corpus" / "real" / "2023_hongzequ_qzf_1.pdf"
OUT = REPO / "tests" / "fixtures" / "scanned"
DPI = 200
SKEW_DEG = (0.7, -0.5, 0.9, -0.8, 0.6)  # per page, repeated past the fifth
BLUR_RADIUS = 0.8
JPEG_QUALITY = 40  # a web-published scan: small, with visible JPEG artefacts
STAMP = time.gmtime(1_704_067_200)  # 2024-01-01, fixed: the same bytes on every run
PNG_PAGE = 3  # the page (1-based) also written as a bilevel PNG: 表二's end and most of 表三
BILEVEL_THRESHOLD = 200


def scanned_page(page: pdfium.PdfPage, skew_deg: float, blur: float = BLUR_RADIUS, dpi: int = DPI) -> Image.Image:
    """One page as a scanner gives it: grayscale, slightly turned and (with `blur`) slightly soft."""
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    turned = image.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    return turned.filter(ImageFilter.GaussianBlur(blur)) if blur else turned


def scanned_pdf(
    source: Path,
    out: Path,
    skew: Sequence[float] = SKEW_DEG,
    blur: float = BLUR_RADIUS,
    quality: int = JPEG_QUALITY,
    dpi: int = DPI,
) -> Path:
    """`source` as a scanned PDF at `out`: one grayscale JPEG image per page, no text."""
    pdf = pdfium.PdfDocument(source)
    first, *rest = [scanned_page(pdf[i], skew[i % len(skew)], blur, dpi) for i in range(len(pdf))]
    # Pillow stores each grayscale page as one JPEG image (DCTDecode) and no text
    first.save(
        out,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=dpi,
        quality=quality,
        title=source.stem,
        creationDate=STAMP,
        modDate=STAMP,
    )
    return out


def bilevel_png(source: Path, out: Path, number: int = PNG_PAGE) -> Path:
    """Page `number` of `source` as a bilevel PNG, turned as in the scanned PDF. A black-and-white
    scan thresholds the sharp image: after the blur a thin stroke (一) would be lost."""
    page = scanned_page(pdfium.PdfDocument(source)[number - 1], SKEW_DEG[(number - 1) % len(SKEW_DEG)], blur=0)
    page.point(lambda v: 255 if v > BILEVEL_THRESHOLD else 0).convert("1").save(out, optimize=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.source.stem
    made = (
        scanned_pdf(args.source, args.out / f"{stem}_scanned.pdf"),
        bilevel_png(args.source, args.out / f"{stem}_page{PNG_PAGE}.png"),
    )
    for path in made:
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size / 1000:,.0f} kB")


if __name__ == "__main__":
    main()
