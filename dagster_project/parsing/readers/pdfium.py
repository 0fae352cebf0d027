"""PDF text layer read through PDFium: the page objects pdfplumber would build, in C.

pdfplumber interprets every content stream in Python (pdfminer); PDFium parses it in C. This
module rebuilds, from PDFium's characters and path objects, the characters (boxes computed as
pdfminer computes them: origin, advance, the font descriptor's descent, the text matrix) and
the lines, rects and curves pdfminer would make of the paths, then hands the page to the same
text assembly as pdfplumber's pages (`pdf.page_blocks`).

It never guesses. Where PDFium reads a file another way than pdfminer — a font kind, text
PDFium's text page merges, drops or rewrites, a rotated or offset page — or where a box lies
within a hair of a decision the assembly takes (a cell edge, a tolerance, a line bucket), the
reader returns None and the caller reads the file with pdfplumber.
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.container import Container
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import obj_to_bbox

from .document import Document
from .pdf import page_blocks

log = logging.getLogger(__name__)

# A box this close to a decision boundary may fall on either side in pdfminer's arithmetic
# (PDFium computes in float32): such a page is left to pdfplumber. Real layouts sit far from it.
_MARGIN = 2e-3
_TOLERANCE = 3  # pdfplumber's default x/y, snap, join and intersection tolerances
_RTL = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))  # scripts PDFium reorders


class Unsure(Exception):
    """PDFium's page may differ from pdfminer's here: read the file with pdfplumber."""


def _address(pointer: object) -> int:
    """A PDFium handle as a plain address."""
    address = ctypes.cast(pointer, ctypes.c_void_p).value  # type: ignore[arg-type]
    if not address:
        raise Unsure("a null PDFium handle")
    return address


def _fn(name: str, restype, *argtypes):
    """A PDFium function taking and returning plain addresses (pypdfium2's typed pointers are
    several times slower per call, and a page makes thousands of calls)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(_address(getattr(pdfium_c, name)))


_P, _I, _F, _D = ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_double
_PF, _PD = ctypes.POINTER(_F), ctypes.POINTER(_D)
_PM = ctypes.POINTER(pdfium_c.FS_MATRIX)
_PR = ctypes.POINTER(pdfium_c.FS_RECTF)
_count_objects = _fn("FPDFPage_CountObjects", _I, _P)
_get_object = _fn("FPDFPage_GetObject", _P, _P, _I)
_form_count = _fn("FPDFFormObj_CountObjects", _I, _P)
_form_object = _fn("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_object_type = _fn("FPDFPageObj_GetType", _I, _P)
_object_matrix = _fn("FPDFPageObj_GetMatrix", _I, _P, _PM)
_count_marks = _fn("FPDFPageObj_CountMarks", _I, _P)
_get_mark = _fn("FPDFPageObj_GetMark", _P, _P, ctypes.c_ulong)
_mark_value_type = _fn("FPDFPageObjMark_GetParamValueType", _I, _P, ctypes.c_char_p)
_object_bounds = _fn("FPDFPageObj_GetBounds", _I, _P, _PF, _PF, _PF, _PF)
_text_font = _fn("FPDFTextObj_GetFont", _P, _P)
_text_font_size = _fn("FPDFTextObj_GetFontSize", _I, _P, _PF)
_font_name = _fn("FPDFFont_GetBaseFontName", ctypes.c_size_t, _P, ctypes.c_char_p, ctypes.c_size_t)
_glyph_width = _fn("FPDFFont_GetGlyphWidth", _I, _P, ctypes.c_uint, _F, _PF)
_font_descent = _fn("FPDFFont_GetDescent", _I, _P, _F, _PF)
_count_chars = _fn("FPDFText_CountChars", _I, _P)
_unicode = _fn("FPDFText_GetUnicode", ctypes.c_uint, _P, _I)
_generated = _fn("FPDFText_IsGenerated", _I, _P, _I)
_map_error = _fn("FPDFText_HasUnicodeMapError", _I, _P, _I)
_char_object = _fn("FPDFText_GetTextObject", _P, _P, _I)
_char_origin = _fn("FPDFText_GetCharOrigin", _I, _P, _I, _PD, _PD)
_loose_box = _fn("FPDFText_GetLooseCharBox", _I, _P, _I, _PR)
_tight_box = _fn("FPDFText_GetCharBox", _I, _P, _I, _PD, _PD, _PD, _PD)
_count_segments = _fn("FPDFPath_CountSegments", _I, _P)
_segment = _fn("FPDFPath_GetPathSegment", _P, _P, _I)
_segment_point = _fn("FPDFPathSegment_GetPoint", _I, _P, _PF, _PF)
_segment_type = _fn("FPDFPathSegment_GetType", _I, _P)
_segment_close = _fn("FPDFPathSegment_GetClose", _I, _P)
_TEXT, _PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
_MOVETO, _BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO


# -- fonts: what pdfminer reads from the font dictionaries --------------------------------------


@dataclass(frozen=True)
class _Font:
    descent: float  # the descriptor's Descent as pdfminer keeps it (negative), per unit of font size
    vertical: bool
    vertical_metrics: tuple[float, float]  # DW2 (vy, w1y) of a vertical font
    ascii_only: bool = False  # text found through StandardEncoding: only where it is plain ASCII


def _name(value: object) -> bytes:
    value = resolve1(value)
    name = value.name if isinstance(value, PSLiteral) else value
    return name if isinstance(name, bytes) else str(name).encode("utf-8")


def _number(value: object) -> float:
    value = resolve1(value)
    if not isinstance(value, (int, float)):
        raise Unsure("a non-numeric font metric")
    return float(value)


def _font(spec: dict) -> _Font:
    """pdfminer's reading of one font dictionary (`PDFResourceManager.get_font`), for the fonts
    PDFium reads the same way; any other font makes the page Unsure."""
    subtype = _name(spec.get("Subtype", "Type1")).decode("latin-1")
    vertical, metrics = False, (880.0, -1000.0)
    # Without a ToUnicode map pdfminer and PDFium find a character's text each their own way
    # (cmap files, glyph names, the font program) except through a standard encoding; pdfminer
    # takes a simple font without an encoding as StandardEncoding, plain ASCII but for ' and `.
    ascii_only = False
    if spec.get("ToUnicode") is None:
        encoding = resolve1(spec.get("Encoding"))
        descriptor = resolve1(spec.get("FontDescriptor"))
        flags = resolve1(descriptor.get("Flags", 0)) if isinstance(descriptor, dict) else 0
        if subtype == "Type0" or not (encoding is None or isinstance(encoding, PSLiteral)):
            raise Unsure("a font without a ToUnicode map or a named encoding")
        if not isinstance(flags, int) or flags & 4:
            raise Unsure("a symbolic font without a ToUnicode map")
        ascii_only = encoding is None
    if subtype == "Type0":
        encoding = resolve1(spec.get("Encoding"))
        if not isinstance(encoding, PSLiteral):
            raise Unsure("a Type0 font with an embedded CMap")
        vertical = _name(encoding).endswith(b"-V")
        descendants = resolve1(spec.get("DescendantFonts"))
        descendant = resolve1(descendants[0]) if isinstance(descendants, list) and descendants else None
        if not isinstance(descendant, dict):
            raise Unsure("a Type0 font without a descendant")
        spec = descendant
        if vertical:
            if resolve1(spec.get("W2")):
                raise Unsure("a vertical font with per-glyph metrics")
            vy, w1y = resolve1(spec.get("DW2", [880, -1000]))
            metrics = (_number(vy), _number(w1y))
    elif subtype in ("Type1", "MMType1", "TrueType"):
        if _name(spec.get("BaseFont", "unknown")).decode("latin-1") in FONT_METRICS:
            raise Unsure("a font pdfminer reads with its built-in metrics (the standard 14 and aliases)")
        if not resolve1(spec.get("Widths")):
            raise Unsure("a simple font without widths")
    else:
        raise Unsure(f"a {subtype} font")
    descriptor = resolve1(spec.get("FontDescriptor")) or {}
    descent = _number(descriptor.get("Descent", 0)) if isinstance(descriptor, dict) else 0.0
    return _Font(-abs(descent) * 0.001, vertical, metrics, ascii_only)


def _fonts(data: bytes) -> tuple[dict[bytes, set[_Font]], int]:
    """Every font of every page (and of the forms pages draw), by BaseFont; and how many pages
    pdfminer finds (a damaged file may be repaired differently by PDFium)."""
    fonts: dict[bytes, set[_Font]] = {}
    seen: set[int] = set()

    def walk(resources: object, depth: int) -> None:
        resources = resolve1(resources)
        if not isinstance(resources, dict) or depth > 8:
            return
        for ref in (resolve1(resources.get("Font")) or {}).values():
            spec = resolve1(ref)
            if isinstance(spec, dict) and id(spec) not in seen:
                seen.add(id(spec))
                fonts.setdefault(_name(spec.get("BaseFont", b"")), set()).add(_font(spec))
        for ref in (resolve1(resources.get("XObject")) or {}).values():
            xobject = resolve1(ref)
            if isinstance(xobject, PDFStream) and _name(xobject.get("Subtype", b"")) == b"Form":
                walk(xobject.get("Resources"), depth + 1)

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    pages = 0
    for page in PDFPage.create_pages(document):
        walk(page.resources, 0)
        pages += 1
    return fonts, pages


# -- one page -------------------------------------------------------------------------------------


def _objects(page: int) -> list[tuple[int, int, tuple[float, ...]]]:
    """The page's text and path objects in content order, forms flattened: (address, type, matrix)."""
    out: list = []
    matrix = pdfium_c.FS_MATRIX()

    def walk(count: int, get, outer: tuple | None, depth: int) -> None:
        for i in range(count):
            obj = get(i)
            kind = _object_type(obj)
            if kind not in (_TEXT, _PATH, _FORM):
                continue
            _object_matrix(obj, ctypes.byref(matrix))
            m = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
            if outer is not None:
                m = _multiply(m, outer)
            if kind == _FORM:
                if depth > 8:
                    raise Unsure("forms nested too deep")
                walk(_form_count(obj), lambda j, o=obj: _form_object(o, j), m, depth + 1)
            else:
                out.append((obj, kind, m))

    walk(_count_objects(page), lambda i: _get_object(page, i), None, 0)
    return out


def _multiply(m: tuple, n: tuple) -> tuple:
    """m then n (pdfminer's `mult_matrix(m, n)`)."""
    a, b, c, d, e, f = m
    a1, b1, c1, d1, e1, f1 = n
    return (
        a * a1 + b * c1,
        a * b1 + b * d1,
        c * a1 + d * c1,
        c * b1 + d * d1,
        e * a1 + f * c1 + e1,
        e * b1 + f * d1 + f1,
    )


def _box(m: tuple, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """pdfminer's `apply_matrix_rect`."""
    a, b, c, d, e, f = m
    xs = (a * x0 + c * y0 + e, a * x1 + c * y0 + e, a * x1 + c * y1 + e, a * x0 + c * y1 + e)
    ys = (b * x0 + d * y0 + f, b * x1 + d * y0 + f, b * x1 + d * y1 + f, b * x0 + d * y1 + f)
    return min(xs), min(ys), max(xs), max(ys)


def _rewritten(codes: np.ndarray) -> bool:
    """Code points PDFium rewrites or pdfminer prints otherwise: controls (PDFium turns an end-
    of-line hyphen into U+0002), surrogates, non-characters, right-to-left scripts (reordered)."""
    bad = (codes < 0x20) | ((codes >= 0xD800) & (codes <= 0xDFFF)) | (codes >= 0xFFFD)
    for low, high in _RTL:
        bad |= (codes >= low) & (codes <= high)
    return bool(bad.any())


class _Chars:
    """The characters of one page in content order, as pdfminer's LTChar → pdfplumber's dicts."""

    def __init__(self, text_page: int, objects: list, fonts: dict[bytes, set[_Font]], height: float, doctop: float):
        self.text_page, self.fonts = text_page, fonts
        order = {obj: n for n, (obj, kind, _) in enumerate(objects) if kind == _TEXT}
        self.font_of: dict[int, tuple] = {}  # PDFium font → what pdfminer reads of it
        self._size = _F()
        self._size_out = ctypes.byref(self._size)
        self.widths: dict[tuple[int, int], float] = {}
        rows = []
        x, y = _D(), _D()
        px, py = ctypes.byref(x), ctypes.byref(y)
        for k in range(_count_chars(text_page)):
            code = _unicode(text_page, k)
            if code in (0x20, 0x0D, 0x0A) and _generated(text_page, k):
                continue
            if _map_error(text_page, k):
                raise Unsure("a character without a Unicode mapping")
            obj = _char_object(text_page, k)
            _char_origin(text_page, k, px, py)
            rows.append((order.get(obj, -1), k, code, obj, x.value, y.value))
        if not rows:
            self.chars: list[dict] = []
            return
        rows.sort()  # PDFium orders the runs of a line by x; pdfminer keeps content order
        run, index, code, obj = (list(col) for col in zip(*(r[:4] for r in rows)))
        if run[0] < 0:
            raise Unsure("a character outside the page's text objects")
        codes = np.array(code, dtype=np.int64)
        if _rewritten(codes):
            raise Unsure("a character PDFium rewrites")
        # the character's matrix: its run's (text matrix and CTM), moved to where the glyph is drawn
        matrices = [objects[n][2][:4] + r[4:] for n, r in zip(run, rows)]
        runs = {n: self._run(o, u) for n, o, u in zip(run, obj, code)}  # the first character of each run
        run_font = [runs[n][0] for n in run]
        width = self.widths
        for i, key in enumerate(zip(run_font, code)):
            if key not in width:
                width[key] = self._width(key, index[i], matrices[i], runs[run[i]])
        advance = np.array([width[key] for key in zip(run_font, code)])
        size, descent, vertical, vy, w1y, ascii_only = np.array([runs[n][1:] for n in run], dtype=float).T
        plain = (codes >= 0x20) & (codes < 0x7F) & (codes != 0x27) & (codes != 0x60)
        if (ascii_only.astype(bool) & ~plain).any():
            raise Unsure("a character beyond ASCII in a font without an encoding")
        if vertical.any():
            # PDFium's origin of a vertical glyph is shifted by the glyph's own vertical origin;
            # a run of one glyph is drawn at the run's origin, which is what pdfminer takes
            alone = np.bincount(run, minlength=len(objects))[run] == 1
            if not alone[vertical == 1].all():
                raise Unsure("a vertical run of several glyphs")
            matrices = [objects[n][2] if v else m for n, v, m in zip(run, vertical.tolist(), matrices)]
        a, b, c, d, e, f = np.array(matrices, dtype=float).T
        # pdfminer's LTChar box: horizontal (0, descent) → (advance, descent + size); vertical
        # (-size/2, vy + w1y) → (size/2, vy), both through the character's matrix
        upright = vertical == 0
        low = np.where(upright, descent * size, (1000 - vy) * size * 0.001 + w1y * 0.001 * size)
        high = np.where(upright, descent * size + size, (1000 - vy) * size * 0.001)
        left = np.where(upright, 0.0, -size * 0.5)
        right = np.where(upright, advance * size, -size * 0.5 + size)
        xs = [a * x + c * y + e for x, y in ((left, low), (right, low), (right, high), (left, high))]
        ys = [b * x + d * y + f for x, y in ((left, low), (right, low), (right, high), (left, high))]
        x0, x1 = np.minimum.reduce(xs), np.maximum.reduce(xs)
        y0, y1 = np.minimum.reduce(ys), np.maximum.reduce(ys)
        top, bottom = height - y1, height - y0
        char_size = np.where(upright, y1 - y0, x1 - x0)
        is_upright = (a * d > 0) & (b * c <= 0)
        columns = (x0, x1, y0, y1, top, bottom, doctop + top, x1 - x0, y1 - y0, char_size)
        self.chars = [
            {
                "object_type": "char",
                "text": chr(u),
                "x0": v[0],
                "x1": v[1],
                "y0": v[2],
                "y1": v[3],
                "top": v[4],
                "bottom": v[5],
                "doctop": v[6],
                "width": v[7],
                "height": v[8],
                "size": v[9],
                "upright": up,
                "matrix": m,
            }
            for u, v, up, m in zip(code, zip(*(col.tolist() for col in columns)), is_upright.tolist(), matrices)
        ]
        self.runs = run
        self._check_runs(objects)

    def _run(self, obj: int, code: int) -> tuple:
        """(font, font size, descent, vertical, DW2 vy, DW2 w1y, ASCII only) of a text run."""
        font = _text_font(obj)
        facts = self.font_of.get(font)
        if facts is None:
            found = self._facts(font, code)
            facts = self.font_of[font] = (
                found.descent,
                int(found.vertical),
                *found.vertical_metrics,
                int(found.ascii_only),
            )
        _text_font_size(obj, self._size_out)
        return (font, self._size.value, *facts)

    def _width(self, key: tuple[int, int], k: int, m: tuple, run: tuple) -> float:
        """A glyph's advance per unit of font size (checked against its loose box, horizontally)."""
        width = _F()
        if not _glyph_width(key[0], key[1], 1000.0, ctypes.byref(width)):
            raise Unsure("a character without a width")
        if not run[3]:
            self._check_width(k, m, width.value / 1000 * run[1])
        return width.value / 1000

    def _facts(self, font: int, code: int) -> _Font:
        """What pdfminer read from the dictionary of this PDFium font (found by BaseFont)."""
        n = _font_name(font, None, 0)
        name = ctypes.create_string_buffer(n)
        _font_name(font, name, n)
        facts = self.fonts.get(name.value)
        if not facts:
            raise Unsure("a font not found in the page resources")
        if len(facts) > 1:  # one name, several dictionaries: tell them apart
            width, descent = _F(), _F()  # PDFium gives a vertical font's advance downwards, negative
            _glyph_width(font, code, 1.0, ctypes.byref(width))
            _font_descent(font, 1000.0, ctypes.byref(descent))  # the descriptor's, as an integer
            facts = {x for x in facts if x.vertical == (width.value < 0) and abs(x.descent * 1000 - descent.value) < 1}
            if len({(x.descent, x.vertical, x.vertical_metrics) for x in facts}) != 1:
                raise Unsure("fonts sharing a name with different metrics")
            if len(facts) > 1:  # only the encoding differs: keep the stricter reading
                return next(x for x in facts if x.ascii_only)
        return next(iter(facts))

    def _check_width(self, k: int, m: tuple, advance: float) -> None:
        """The width PDFium gives for the character's Unicode value belongs to this glyph: its
        loose box spans origin → origin + advance (widened only where the glyph itself sticks out)."""
        loose = pdfium_c.FS_RECTF()
        _loose_box(self.text_page, k, ctypes.byref(loose))
        x0, _, x1, _ = _box(m, 0, 0, advance, 0)
        if abs(x0 - loose.left) <= 1e-3 and abs(x1 - loose.right) <= 1e-3:
            return
        left, bottom, right, top = (_D() for _ in range(4))
        _tight_box(self.text_page, k, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
        for ours, theirs, glyph in ((x0, loose.left, left.value), (x1, loose.right, right.value)):
            if abs(ours - theirs) > 1e-3 and abs(glyph - theirs) > 1e-3:
                raise Unsure("a glyph width PDFium gives for another glyph of the same character")

    def _check_runs(self, objects: list) -> None:
        """PDFium's text page skips a run drawn twice, drops a glyph drawn over itself and merges
        repeated spaces: every text run must keep its characters, the first at the run's own
        origin, and no space may be followed by a gap or end its run short of the run's end."""
        first: dict[int, dict] = {}
        last: dict[int, dict] = {}
        previous: dict = {}
        previous_run = -1
        for run, char in zip(self.runs, self.chars):
            first.setdefault(run, char)
            last[run] = char
            after_space = previous_run == run and previous["text"] == " " and previous["width"] > 0
            if after_space and char["upright"] and abs(char["x0"] - previous["x1"]) >= 0.5 * previous["width"]:
                raise Unsure("a gap after a space (spaces PDFium may have merged)")
            previous, previous_run = char, run
        for n, (obj, kind, m) in enumerate(objects):
            if kind != _TEXT:
                continue
            for i in range(_count_marks(obj)):
                if _mark_value_type(_get_mark(obj, i), b"ActualText"):
                    raise Unsure("marked content with an ActualText (PDFium prints that instead)")
            if n not in first:
                raise Unsure("a text run without characters in PDFium's text page")
            origin = first[n]["matrix"][4:]
            if abs(origin[0] - m[4]) > 1e-3 or abs(origin[1] - m[5]) > 1e-3:
                raise Unsure("a text run whose first character PDFium dropped")
            if last[n]["text"] == " " and m[0] > 0 and m[1] == m[2] == 0:  # does the run reach past it?
                left, bottom, right, top = (_F() for _ in range(4))
                _object_bounds(obj, *(ctypes.byref(v) for v in (left, bottom, right, top)))
                if right.value > last[n]["matrix"][4] + 1e-3:
                    raise Unsure("a text run whose last space PDFium merged")


def _paths(objects: list, height: float, doctop: float) -> dict[str, list[dict]]:
    """pdfminer's `paint_path` over PDFium's path objects: lines, rects and curves."""
    found: dict[str, list[dict]] = {"line": [], "rect": [], "curve": []}
    x, y = _F(), _F()
    px_, py_ = ctypes.byref(x), ctypes.byref(y)
    for obj, kind, m in objects:
        if kind != _PATH:
            continue
        a, b, c, d, e, f = m
        ops: list[tuple[str, float, float]] = []
        n = _count_segments(obj)
        i = 0
        while i < n:
            seg = _segment(obj, i)
            kind_ = _segment_type(seg)
            if kind_ == _BEZIERTO:  # three points: two controls, the end
                seg = _segment(obj, i + 2)
                i += 2
            _segment_point(seg, px_, py_)
            px, py = x.value, y.value
            ops.append(
                (
                    "m" if kind_ == _MOVETO else "c" if kind_ == _BEZIERTO else "l",
                    a * px + c * py + e,
                    b * px + d * py + f,
                )
            )
            if kind_ != _MOVETO and _segment_close(seg):
                ops.append(("h", math.nan, math.nan))
            i += 1
        start = 0
        for j in range(1, len(ops) + 1):  # one shape per subpath, as pdfminer splits on "m"
            if j == len(ops) or ops[j][0] == "m":
                if j - start > 1 and ops[start][0] == "m":
                    _shape(ops[start:j], found, height, doctop)
                start = j
    return found


def _shape(ops: list[tuple[str, float, float]], found: dict[str, list[dict]], height: float, doctop: float) -> None:
    shape = "".join(op for op, _, _ in ops)
    pts = [(px, py) if op != "h" else (ops[0][1], ops[0][2]) for op, px, py in ops]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        kind, pts = "line", pts[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            kind, (px0, py0), (px1, py1) = "rect", pts[0], pts[2]
            pts = [(px0, py0), (px1, py0), (px1, py1), (px0, py1)]
        else:
            kind = "curve"
    else:
        kind = "curve"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    top = height - y1
    found[kind].append(
        {
            "object_type": kind,
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "width": x1 - x0,
            "height": y1 - y0,
            "top": top,
            "bottom": height - y0,
            "doctop": doctop + top,
            "pts": [(px, height - py) for px, py in pts],
        }
    )


def _cells(intersections: dict) -> list[tuple]:
    """pdfplumber's `intersections_to_cells`, with each point's edges made sets once rather than
    at every comparison: the same search, in the same order, for the same cells."""
    points = sorted(intersections)
    v_edges = {p: {obj_to_bbox(e) for e in found["v"]} for p, found in intersections.items()}
    h_edges = {p: {obj_to_bbox(e) for e in found["h"]} for p, found in intersections.items()}
    column: dict[float, list] = {}
    row: dict[float, list] = {}
    for p in points:
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)
    cells = []
    for pt in points[:-1]:
        below = [p for p in column[pt[0]] if p[1] > pt[1]]
        right = [p for p in row[pt[1]] if p[0] > pt[0]]
        found = None
        for below_pt in below:
            if v_edges[pt].isdisjoint(v_edges[below_pt]):
                continue
            for right_pt in right:
                if h_edges[pt].isdisjoint(h_edges[right_pt]):
                    continue
                corner = (right_pt[0], below_pt[1])
                if (
                    corner in intersections
                    and not v_edges[corner].isdisjoint(v_edges[right_pt])
                    and not h_edges[corner].isdisjoint(h_edges[below_pt])
                ):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


class _TableFinder(TableFinder):
    """pdfplumber's table finder with default settings, searching cells with `_cells`."""

    def __init__(self, page: Container):
        self.page = page  # type: ignore[assignment]  # any page offering chars and edges
        self.settings = TableSettings()
        self.edges = self.get_edges()
        tolerance = (self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
        self.intersections = edges_to_intersections(self.edges, *tolerance)
        self.cells = _cells(self.intersections)
        self.tables = [Table(page, group) for group in cells_to_tables(self.cells)]  # type: ignore[arg-type]


class _Page(Container):
    """A page as pdfplumber's Page offers it to `page_blocks`: objects, bbox, find_tables."""

    def __init__(self, objects: dict[str, list[dict]], width: float, height: float):
        self._page_objects = objects
        self.bbox = (0, 0, width, height)

    @property
    def objects(self) -> dict[str, list[dict]]:
        return self._page_objects

    def find_tables(self) -> list:
        finder = _TableFinder(self)
        _check_edges(self.edges, finder.edges)
        _check_chars(self.chars, finder.tables)
        return finder.tables


# -- the margins: nothing may sit on a boundary ---------------------------------------------------


def _near(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which values lie within the margin of some target (both 1-D)."""
    if not len(values) or not len(targets):
        return np.zeros(len(values), dtype=bool)
    targets = np.sort(targets)
    i = np.searchsorted(targets, values)
    below = targets[np.clip(i - 1, 0, len(targets) - 1)]
    above = targets[np.clip(i, 0, len(targets) - 1)]
    return np.minimum(np.abs(values - below), np.abs(values - above)) < _MARGIN


def _spans(edges: list[dict], orientation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position, start and end of the edges of one orientation."""
    pos, lo, hi = ("x0", "top", "bottom") if orientation == "v" else ("top", "x0", "x1")
    group = [e for e in edges if e["orientation"] == orientation]
    return tuple(np.array([e[k] for e in group], dtype=float) for k in (pos, lo, hi))  # type: ignore[return-value]


def _check_edges(raw: list[dict], merged: list[dict]) -> None:
    """The table finder snaps edges whose positions are a tolerance apart, joins edges of one
    position a tolerance from each other, drops short ones and intersects the rest within a
    tolerance: no edge may sit on one of these thresholds."""
    for orientation in ("v", "h"):
        pos, start, end = _spans(raw, orientation)
        if _near(end - start, np.array([1.0])).any():
            raise Unsure("a ruling line as long as the length threshold")
        kept = end - start >= 1
        pos, start, end = pos[kept], start[kept], end[kept]
        positions = np.unique(pos)
        gaps = np.diff(positions)
        if _near(gaps, np.array([float(_TOLERANCE)])).any():
            raise Unsure("ruling lines a snapping tolerance apart")
        cluster = np.concatenate([[0], np.cumsum(gaps > _TOLERANCE)])[np.searchsorted(positions, pos)]
        if any(cluster[i] == cluster[j] for i, j in _pairs(end, start, _TOLERANCE - _MARGIN, _TOLERANCE + _MARGIN)):
            raise Unsure("ruling lines a joining tolerance apart")
        _, start, end = _spans(merged, orientation)
        if _near(end - start, np.array([float(_TOLERANCE)])).any():
            raise Unsure("a ruling line as long as the length threshold")
    vx, v_top, v_bottom = _spans(merged, "v")
    hy, h_x0, h_x1 = _spans(merged, "h")
    if (
        _near(hy, np.concatenate([v_top - _TOLERANCE, v_bottom + _TOLERANCE])).any()
        or _near(vx, np.concatenate([h_x0 - _TOLERANCE, h_x1 + _TOLERANCE])).any()
    ):
        raise Unsure("a ruling line ending an intersection tolerance from another")


def _pairs(a: np.ndarray, b: np.ndarray, low: float, high: float):
    """Index pairs (i, j) with low <= b[j] - a[i] <= high."""
    order = np.argsort(b, kind="stable")
    sorted_b = b[order]
    first = np.searchsorted(sorted_b, a + low)
    last = np.searchsorted(sorted_b, a + high, side="right")
    for i in np.flatnonzero(last > first):
        for j in order[first[i] : last[i]]:
            yield i, j


def _groups(chars: list[dict], tables: list) -> np.ndarray:
    """Which word extraction reads each character: -1 the prose, n ≥ 0 the n-th cell (in table
    order), -2 none (inside a table but in no cell). The characters' boxes must not touch a
    table's edge, nor their centres a cell's edge."""
    x0, x1, top, bottom = (np.array([c[k] for c in chars], dtype=float) for k in ("x0", "x1", "top", "bottom"))
    mid_x, mid_y = (x0 + x1) / 2, (top + bottom) / 2
    group = np.full(len(chars), -1)
    first_cell = 0
    for table in tables:
        t_x0, t_top, t_x1, t_bottom = table.bbox
        width = np.minimum(x1, t_x1) - np.maximum(x0, t_x0)
        height = np.minimum(bottom, t_bottom) - np.maximum(top, t_top)
        if (
            ((np.abs(width) < _MARGIN) & (height > -_MARGIN)) | ((np.abs(height) < _MARGIN) & (width > -_MARGIN))
        ).any():
            raise Unsure("a character touching a table's edge")
        group[(height >= 0) & (width >= 0) & (height + width > 0)] = -2
        cells = np.array(table.cells, dtype=float)
        across = (mid_x > t_x0 - _MARGIN) & (mid_x < t_x1 + _MARGIN)
        down = (mid_y > t_top - _MARGIN) & (mid_y < t_bottom + _MARGIN)
        if (down & _near(mid_x, cells[:, [0, 2]].ravel())).any() or (
            across & _near(mid_y, cells[:, [1, 3]].ravel())
        ).any():
            raise Unsure("a character centred on a cell edge")
        inside = (mid_x >= cells[:, 0:1]) & (mid_x < cells[:, 2:3]) & (mid_y >= cells[:, 1:2]) & (mid_y < cells[:, 3:4])
        if (inside.sum(axis=0) > 1).any():
            raise Unsure("a character in two cells")
        hit = inside.any(axis=0)
        group[hit] = first_cell + inside.argmax(axis=0)[hit]
        first_cell += len(cells)
    return group


def _check_chars(chars: list[dict], tables: list) -> None:
    """What the assembly decides from character boxes — the cell a character's centre falls in,
    whether it touches a table, the grouping into lines (tolerance 3) and words (a gap of 3)
    within one cell or the prose, the order along a line, the prose line buckets (top / 3) —
    must not hang on the margin."""
    if not chars:
        return
    x0, x1, top = (np.array([c[k] for c in chars], dtype=float) for k in ("x0", "x1", "top"))
    group = _groups(chars, tables)
    prose = group == -1
    bucket = top[prose] / _TOLERANCE
    if (np.abs(bucket - np.floor(bucket) - 0.5) < _MARGIN / _TOLERANCE).any():
        raise Unsure("a prose line on the edge of a line bucket")
    if _near(top[prose], np.array([t.bbox[1] for t in tables], dtype=float)).any():
        raise Unsure("a prose line level with a table's top")
    # lines: consecutive distinct tops of one extraction a tolerance apart
    order = np.lexsort((top, group))
    same = np.diff(group[order]) == 0
    if (same & _near(np.diff(top[order]), np.array([float(_TOLERANCE)]))).any():
        raise Unsure("two lines a line tolerance apart")
    # order along a line: two different characters of one extraction at (almost) one position
    order = np.lexsort((x0, group))
    run = np.concatenate([[0], np.cumsum((np.diff(x0[order]) >= _MARGIN) | (np.diff(group[order]) != 0))])
    if (np.bincount(run) > 1).any():
        order = order[np.lexsort((top[order], run))]
        run = np.sort(run)
        text = np.array([chars[i]["text"] for i in order], dtype=object)
        close = (np.diff(run) == 0) & (np.diff(top[order]) <= _TOLERANCE + _MARGIN) & (text[1:] != text[:-1])
        if close.any():
            raise Unsure("two characters at one position (their order may flip)")
    # words: a gap of the tolerance between a character and the next one of its line
    for i, j in _pairs(x1, x0, _TOLERANCE - _MARGIN, _TOLERANCE + _MARGIN):
        if group[i] != group[j] or group[i] == -2 or abs(top[j] - top[i]) > _TOLERANCE + _MARGIN:
            continue
        between = (group == group[i]) & (x0 > x0[i]) & (x0 < x0[j]) & (np.abs(top - top[i]) < _MARGIN)
        if not between.any():
            raise Unsure("two characters a word tolerance apart")


# -- the document ---------------------------------------------------------------------------------


def _pages(data: bytes) -> list[_Page]:
    fonts, n_pages = _fonts(data)
    document = pdfium.PdfDocument(data)
    try:
        if len(document) != n_pages:
            raise Unsure("PDFium and pdfminer find a different number of pages")
        pages, doctop = [], 0.0
        for index in range(len(document)):
            page = document[index]
            try:
                if page.get_rotation() % 360:
                    raise Unsure("a rotated page")
                left, bottom, right, top = page.get_mediabox()
                if left or bottom:
                    raise Unsure("a page whose media box does not start at 0, 0")
                width, height = right - left, top - bottom
                objects = _objects(_address(page.raw))
                text_page = page.get_textpage()
                try:
                    chars = _Chars(_address(text_page.raw), objects, fonts, height, doctop)
                finally:
                    text_page.close()
                if not chars.chars:
                    raise Unsure("a page without text (left to the no-text-layer path)")
                found = _paths(objects, height, doctop)
                found["char"] = chars.chars
                pages.append(_Page(found, width, height))
                doctop += height
            finally:
                page.close()
        return pages
    finally:
        document.close()


def read_pdf_pdfium(data: bytes) -> Document | None:
    """The text `read_pdf` gives a text-layer PDF, read through PDFium; None where this reader
    cannot be sure to give exactly that text (the caller then reads the file with pdfplumber)."""
    try:
        parts = [text for page in _pages(data) for _, text in page_blocks(page)]
    except Unsure as why:
        log.debug("PDFium reader steps aside: %s", why)
        return None
    except Exception as exc:  # noqa: BLE001 - anything unexpected: pdfplumber reads the file (and reports)
        log.debug("PDFium reader failed: %r", exc)
        return None
    return Document("\n".join(parts), "pdf", None, [])
