"""Render a Report as a PDF with a text layer, the way office suites print these reports.

Prose is set in lines; the tables of `render.py` are drawn cell by cell with ruling lines (as
stroked lines, stroked rectangles or hairline filled rectangles, as different producers do),
labels wrap inside their cells, a narrow merged column prints its label one character per
line, a table that does not fit continues on the next page, and every page has a footer.
Chinese text is set in a CJK TrueType font embedded as a CID font, digits and Latin letters in
a second font, as WPS and Word print them. Written with PDFium's page editing (pypdfium2).
"""

from __future__ import annotations

import ctypes
import io
import random
import string
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .corpus import key_json, plan
from .names import Agency
from .render import SECTION_TITLES, prose, table2_grid, table3_grid, table4_grid
from .tables import Report, Series

# Fonts Debian ships (fonts-droid-fallback, fonts-dejavu-core). Two Latin fonts: ASCII in one as
# a simple TrueType font, other Latin characters in the other as a CID font (one file embedded
# both ways would make two fonts of one name).
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
)
LATIN_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)
PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 72.0
RULES = ("lines", "boxes", "hairline-rects")  # how table borders are drawn


_SUBSETS: dict[Path, tuple[frozenset[str], bytes]] = {}
_ALWAYS = frozenset(string.printable.strip() + "—第页\u3000")


def _font_data(path: Path, chars: frozenset[str]) -> bytes:
    """The font reduced to the characters drawn (as PDF producers embed fonts: a full CJK font
    is megabytes, and every reader would load all of it), when fontTools is installed."""
    try:
        from fontTools import subset  # noqa: PLC0415 - optional: without it the whole font is embedded
        from fontTools.ttLib import TTFont  # noqa: PLC0415
    except ImportError:
        return path.read_bytes()
    done = _SUBSETS.get(path)
    if done and chars <= done[0]:
        return done[1]
    chars = chars | _ALWAYS | (done[0] if done else frozenset())
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    font = TTFont(str(path), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    _SUBSETS[path] = (chars, out.getvalue())
    return out.getvalue()


def font_files() -> tuple[Path, Path, Path] | None:
    """The CJK font and the two Latin fonts to embed, or None when this machine lacks them."""
    cjk = next((p for p in CJK_FONTS if p.exists()), None)
    if cjk is None or not all(p.exists() for p in LATIN_FONTS):
        return None
    return cjk, LATIN_FONTS[0], LATIN_FONTS[1]


def _script(ch: str) -> int:
    """Which font sets a character: 0 ASCII (a simple TrueType font), 1 other Latin-font
    characters such as “ ” — (the Latin font as a CID font), 2 CJK (the CJK CID font). Spaces
    are not drawn but leave a gap (PDFium's font writer gives them no width or no Unicode)."""
    return 0 if ord(ch) < 0x80 else 1 if ord(ch) < 0x2E80 else 2


class _Writer:
    """One PDF being written: fonts, the current page, the pen's position."""

    def __init__(self, fonts: tuple[Path, Path, Path], chars: frozenset[str], rng: random.Random):
        self.rng = rng
        self.doc = pdfium.PdfDocument.new()
        self._buffers: list = []  # the font data must outlive the document
        cjk, ascii, latin = (_font_data(path, chars) for path in fonts)
        self.fonts = [self._font(data, cid) for data, cid in ((ascii, False), (latin, True), (cjk, True))]
        self.size = rng.choice((9.0, 10.5, 12.0))
        self.per_char = rng.random() < 0.5  # WPS writes every character as its own text object
        self.rule = rng.choice(RULES)
        self.widths: dict[tuple[str, float], float] = {}
        self.pages: list = []
        self.page = None
        self.y = 0.0
        self.new_page()

    def _font(self, data: bytes, cid: bool):
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self._buffers.append(buffer)
        return pdfium_c.FPDFText_LoadFont(self.doc, buffer, len(data), pdfium_c.FPDF_FONT_TRUETYPE, cid)

    # -- pages ------------------------------------------------------------------------------
    def new_page(self) -> None:
        self.pages.append(pdfium_c.FPDFPage_New(self.doc, len(self.pages), PAGE_W, PAGE_H))
        self.page = self.pages[-1]
        self.y = PAGE_H - MARGIN

    def finish(self) -> bytes:
        for number, page in enumerate(self.pages, start=1):
            self.page = page
            label = self.rng.choice((f"- {number} -", f"— {number} —", f"第{number}页", str(number)))
            self.text(label, (PAGE_W - self.width(label, 9.0)) / 2, 40.0, 9.0)
            pdfium_c.FPDFPage_GenerateContent(page)
        out = _Bytes()
        self.doc.save(out)
        return out.data

    # -- text -------------------------------------------------------------------------------
    def width(self, text: str, size: float) -> float:
        total = 0.0
        for ch in text:
            key = (ch, size)
            if key not in self.widths:
                w = ctypes.c_float()
                ok = ch != " " and pdfium_c.FPDFFont_GetGlyphWidth(
                    self.fonts[_script(ch)], ord(ch), size, ctypes.byref(w)
                )
                self.widths[key] = w.value if ok and w.value > 0 else size * (0.3 if _script(ch) < 2 else 1.0)
            total += self.widths[key]
        return total

    def text(self, text: str, x: float, baseline: float, size: float | None = None) -> None:
        """Text at a baseline, in runs of one font (or one object per character)."""
        size = size or self.size
        runs: list[str] = []
        for ch in text:
            if runs and not self.per_char and " " not in (ch, runs[-1][-1]) and _script(ch) == _script(runs[-1][-1]):
                runs[-1] += ch
            else:
                runs.append(ch)
        for run in runs:
            if run != " ":
                obj = pdfium_c.FPDFPageObj_CreateTextObj(self.doc, self.fonts[_script(run[0])], size)
                units = run.encode("utf-16-le") + b"\0\0"
                wide = (ctypes.c_ushort * (len(units) // 2)).from_buffer_copy(units)
                pdfium_c.FPDFText_SetText(obj, wide)
                pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, baseline)
                pdfium_c.FPDFPage_InsertObject(self.page, obj)
            x += self.width(run, size)

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        lines, line = [], ""
        for ch in text:
            if line and self.width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
        return [*lines, line] if line else lines

    def paragraph(self, text: str, size: float | None = None, indent: bool = True, centre: bool = False) -> None:
        size = size or self.size
        lead = size * self.rng.choice((1.5, 1.75, 2.0))
        first = 2 * size if indent else 0.0  # a two-character first-line indent
        width = PAGE_W - 2 * MARGIN
        lines = self.wrap(text, width - first, size)
        if len(lines) > 1:
            lines = lines[:1] + self.wrap("".join(lines[1:]), width, size)
        for n, line in enumerate(lines):
            if self.y - lead < MARGIN:
                self.new_page()
            self.y -= lead
            x = (PAGE_W - self.width(line, size)) / 2 if centre else MARGIN + (first if n == 0 else 0.0)
            self.text(line, x, self.y, size)

    # -- rules ------------------------------------------------------------------------------
    def rule_line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        weight = 0.5
        if self.rule == "hairline-rects":  # a thin filled rectangle, as WPS draws cell borders
            x, y = min(x0, x1) - weight / 2, min(y0, y1) - weight / 2
            obj = pdfium_c.FPDFPageObj_CreateNewRect(x, y, abs(x1 - x0) + weight, abs(y1 - y0) + weight)
            pdfium_c.FPDFPageObj_SetFillColor(obj, 0, 0, 0, 255)
            pdfium_c.FPDFPath_SetDrawMode(obj, pdfium_c.FPDF_FILLMODE_ALTERNATE, False)
        else:
            obj = pdfium_c.FPDFPageObj_CreateNewPath(x0, y0)
            pdfium_c.FPDFPath_LineTo(obj, x1, y1)
            pdfium_c.FPDFPageObj_SetStrokeColor(obj, 0, 0, 0, 255)
            pdfium_c.FPDFPageObj_SetStrokeWidth(obj, weight)
            pdfium_c.FPDFPath_SetDrawMode(obj, pdfium_c.FPDF_FILLMODE_NONE, True)
        pdfium_c.FPDFPage_InsertObject(self.page, obj)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.rule == "boxes":  # one stroked rectangle per cell
            obj = pdfium_c.FPDFPageObj_CreateNewRect(x0, y0, x1 - x0, y1 - y0)
            pdfium_c.FPDFPageObj_SetStrokeColor(obj, 0, 0, 0, 255)
            pdfium_c.FPDFPageObj_SetStrokeWidth(obj, 0.5)
            pdfium_c.FPDFPath_SetDrawMode(obj, pdfium_c.FPDF_FILLMODE_NONE, True)
            pdfium_c.FPDFPage_InsertObject(self.page, obj)
            return
        for a, b, c, d in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
            self.rule_line(a, b, c, d)

    # -- tables ---------------------------------------------------------------------------
    def table(self, grid: list[list]) -> None:
        cells = list(_place(grid))
        n_cols = max(c + span for _, c, _, span, _ in cells)
        size = self.size * (0.85 if n_cols > 10 else 1.0)
        total = PAGE_W - 2 * MARGIN
        labels = {10: 3, 4: 1, 15: 0}.get(n_cols, 1)  # the columns holding row labels get the room
        value_w = total / (n_cols + 2 * labels + 1)
        widths = [value_w] * n_cols
        if labels:
            rest = total - value_w * (n_cols - labels)
            widths[:labels] = [rest * share for share in ((0.1, 0.38, 0.52) if labels == 3 else (1.0,))]
        lefts = [MARGIN + sum(widths[:i]) for i in range(n_cols + 1)]
        pad, lead = self.rng.choice((2.5, 4.0)), size * 1.3
        lines = {(r, c): self.wrap(text, lefts[c + cs] - lefts[c] - 2 * pad, size) for r, c, _, cs, text in cells}
        need = [size + 2 * pad] * len(grid)
        for r, c, rs, _, _ in cells:
            height = (len(lines[(r, c)]) * lead + 2 * pad) / rs
            for k in range(r, r + rs):
                need[k] = max(need[k], height)
        rows = []  # (page, top, bottom) of every row
        for r in range(len(grid)):
            if self.y - need[r] < MARGIN:
                self.new_page()
            rows.append((len(self.pages) - 1, self.y, self.y - need[r]))
            self.y -= need[r]
        current = self.page
        for r, c, rs, cs, _ in cells:
            span = rows[r : r + rs]
            for page in dict.fromkeys(p for p, _, _ in span):  # a merged cell cut by a page break continues
                on_page = [row for row in span if row[0] == page]
                self.page = self.pages[page]
                self.box(lefts[c], on_page[-1][2], lefts[c + cs], on_page[0][1])
            self.page, baseline = self.pages[rows[r][0]], rows[r][1] - pad - size
            for line in lines[(r, c)]:
                self.text(line, lefts[c] + pad, baseline, size)
                baseline -= lead
        self.page = current
        self.y -= size


class _Bytes:
    """A file-like sink for `PdfDocument.save`."""

    def __init__(self):
        self.data = b""

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)


def _place(grid: list[list]) -> Iterator[tuple[int, int, int, int, str]]:
    """(row, column, rowspan, colspan, text) of every cell of a `render.py` grid, laid out as
    an HTML table lays out its cells (None: a slot covered by a merged cell from above)."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            if cell is None:
                continue
            while (r, c) in taken:
                c += 1
            text, cs, rs = (cell, 1, 1) if isinstance(cell, str) else cell
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            yield r, c, rs, cs, text
            c += cs


def render_pdf(r: Report, agency: Agency, rng: random.Random, fonts: tuple[Path, Path, Path]) -> bytes:
    """The report as a PDF: title, the six sections' prose, 表二/表三/表四 after sections 二–四."""
    paras = prose(r, agency, rng)
    heads = [rng.choice(titles) for titles in SECTION_TITLES]
    grids = {1: table2_grid(r), 2: table3_grid(r), 3: table4_grid(r)}
    sign = [agency.name, f"{r.year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    title = [agency.name, f"{r.year}年政府信息公开工作年度报告"]
    texts = [*title, *sign, *heads, *(p for ps in paras for p in ps)]
    texts += [cell if isinstance(cell, str) else cell[0] for g in grids.values() for row in g for cell in row if cell]
    w = _Writer(fonts, frozenset("".join(texts)), rng)
    for line in title:
        w.paragraph(line, w.size * 1.6, indent=False, centre=True)
    for p in paras[0]:
        w.paragraph(p)
    for s, head in enumerate(heads):
        w.paragraph(head, indent=False)
        for p in paras[s + 1]:
            w.paragraph(p)
        if s in grids:
            w.table(grids[s])
    for line in sign:
        w.paragraph(line, indent=False)
    return w.finish()


def write_pdfs(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """n report PDFs in out_dir and their answer keys in out_dir/answers (seeded)."""
    fonts = font_files()
    if fonts is None:
        raise FileNotFoundError("no CJK + Latin TrueType fonts: apt-get install fonts-droid-fallback fonts-dejavu-core")
    out_dir = Path(out_dir)
    (out_dir / "answers").mkdir(parents=True, exist_ok=True)
    paths = []
    for p in plan(n, seed):
        rng = random.Random(p.seed)
        series = Series(rng, p.agency)
        for j in range(p.n_reports):
            r = series.next_year(p.start_year + j)
            r.notes.insert(0, "layout: pdf")
            stem = f"{p.first + j:06d}_{rng.getrandbits(64):016x}"
            path = out_dir / f"{stem}.pdf"
            path.write_bytes(render_pdf(r, p.agency, rng, fonts))
            (out_dir / "answers" / f"{stem}.json").write_text(key_json(path.name, p.agency.name, r), encoding="utf-8")
            paths.append(path)
    return paths
