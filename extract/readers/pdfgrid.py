"""A page with vector graphics (which may hold ruled tables) as pdfplumber reads it, without
pdfplumber's page object model: pdfminer lays the page out (its characters' boxes are
the ones every PDF fact's box is measured in), and only what find_tables, extract_words
and extract_text_lines read is kept of each object, with pdfplumber's arithmetic:
characters (text, x0, x1, top, bottom, upright) and the edges of lines, rectangles and
curves. pdfplumber's own stages then run over them (TableFinder with its default
settings, its word extractor and text map), so the tables, words and lines are its own.
Building pdfplumber's object dictionaries (every attribute of every object resolved)
took most of such a page's time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pdfplumber.page
    import pdfplumber.table

T_obj = dict[str, Any]


@dataclass
class LightPage:
    """What pdfplumber's TableFinder and Table read of a page (edges, chars, bbox), and
    the page methods the PDF reader calls (find_tables, filter, extract_text_lines,
    extract_words), over the same characters pdfplumber's page would hold."""

    bbox: tuple[float, float, float, float]
    chars: list[T_obj]
    edges: list[T_obj]

    def find_tables(self) -> list[pdfplumber.table.Table]:
        """pdfplumber's tables, each over the characters inside its box (Table.extract
        looks for each row's characters among its page's: a row's box lies in its
        table's, so the rows find the same characters in the same order)."""
        from pdfplumber.table import TableFinder, TableSettings

        found = TableFinder(self, TableSettings()).tables  # type: ignore[arg-type]
        return [_table(LightPage(self.bbox, _inside(self.chars, t.bbox), []), t.cells) for t in found]

    def filter(self, test: Callable[[T_obj], bool]) -> LightPage:
        return LightPage(self.bbox, [c for c in self.chars if test(c)], [e for e in self.edges if test(e)])

    def extract_text_lines(self) -> list[T_obj]:
        from pdfplumber.utils import chars_to_textmap

        textmap = chars_to_textmap(self.chars, layout_bbox=self.bbox)
        return textmap.extract_text_lines(strip=True, return_chars=True)

    def extract_words(self, return_chars: bool = False) -> list[T_obj]:
        from pdfplumber.utils import extract_words

        return extract_words(self.chars, return_chars=return_chars)


def _table(page: LightPage, cells: list[tuple[float, float, float, float]]) -> pdfplumber.table.Table:
    return _light_table()(page, cells)


@lru_cache(maxsize=1)
def _light_table() -> Any:
    """pdfplumber's Table whose extract (without options) finds each row's characters
    by their middle's height (bisection over the characters sorted by it) instead of
    testing every character of the page: the same characters in the same order, the same
    tests, the same text. Made on first use (pdfplumber is imported only for PDFs)."""
    from pdfplumber.table import Table
    from pdfplumber.utils import extract_text

    class LightTable(Table):
        def extract(self, **kwargs: Any) -> list[list[str | None]]:
            if kwargs:
                return super().extract(**kwargs)
            chars = self.page.chars
            middles = sorted(((c["top"] + c["bottom"]) / 2, k) for k, c in enumerate(chars))
            heights = [m for m, _ in middles]
            out: list[list[str | None]] = []
            for row in self.rows:
                x0, top, x1, bottom = row.bbox
                near = sorted(k for _, k in middles[bisect_left(heights, top) : bisect_left(heights, bottom)])
                row_chars = [chars[k] for k in near if _centre_in(chars[k], (x0, top, x1, bottom))]
                cells: list[str | None] = []
                for cell in row.cells:
                    if cell is None:
                        cells.append(None)
                        continue
                    inside = [c for c in row_chars if _centre_in(c, cell)]
                    cells.append(extract_text(inside) if inside else "")
                out.append(cells)
            return out

    return LightTable


def _centre_in(c: T_obj, box: tuple[float, float, float, float]) -> bool:
    """pdfplumber's Table.extract test: the character's middle in BOX (left and top
    edges in, right and bottom out)."""
    v_mid = (c["top"] + c["bottom"]) / 2
    h_mid = (c["x0"] + c["x1"]) / 2
    x0, top, x1, bottom = box
    return bool((h_mid >= x0) and (h_mid < x1) and (v_mid >= top) and (v_mid < bottom))


def _inside(chars: list[T_obj], box: tuple[float, float, float, float]) -> list[T_obj]:
    """The characters whose centre is in BOX, as pdfplumber's Table.extract tests it
    (left and top edges in, right and bottom out)."""
    return [c for c in chars if _centre_in(c, box)]


def light_page(page: pdfplumber.page.Page) -> LightPage | None:
    """PAGE's characters and edges as pdfplumber would make them; None for a page
    pdfplumber reads in another geometry (rotated, or cropped: its objects are then
    moved or cut), or one pdfminer cannot lay out here (pdfplumber then tries, and says
    why it cannot)."""
    from pdfplumber.page import Page

    if type(page) is not Page or page.rotation != 0 or tuple(page.bbox) != tuple(page.mediabox):
        return None
    laid = _layout(page)
    if laid is None:
        return None
    characters, layout = laid
    x_shift, top_shift = page.mediabox[0], page.mediabox[1]
    height = page.height
    doctop = page.initial_doctop
    chars: list[T_obj] = []
    for text, x0, y0, x1, y1, upright in characters:
        top = (height - y1) + top_shift
        chars.append(
            {
                "text": text,
                "x0": x0 + x_shift if x_shift != 0 else x0,
                "x1": x1 + x_shift if x_shift != 0 else x1,
                "top": top,
                "bottom": (height - y0) + top_shift,
                "doctop": doctop + top,
                "upright": upright,
            }
        )
    lines: list[T_obj] = []
    rects: list[T_obj] = []
    curves: list[T_obj] = []
    kinds = {"LTLine": lines, "LTRect": rects, "LTCurve": curves}
    for obj in _leaves(layout):
        found = kinds.get(type(obj).__name__)
        if found is None:
            continue
        top = (height - obj.y1) + top_shift
        item = {
            "x0": obj.x0 + x_shift if x_shift != 0 else obj.x0,
            "x1": obj.x1 + x_shift if x_shift != 0 else obj.x1,
            "y0": obj.y0,
            "y1": obj.y1,
            "top": top,
            "bottom": (height - obj.y0) + top_shift,
            "doctop": doctop + top,
            "width": obj.width,
            "height": obj.height,
        }
        if found is curves:
            item["pts"] = [(x_shift + x, top_shift + height - y) for x, y in obj.pts]
        found.append(item)
    return LightPage(tuple(page.bbox), chars, _edges(lines, rects, curves))  # type: ignore[arg-type]


# A character as pdfminer's LTChar places it: text, x0, y0, x1, y1 (PDF space), upright.
_Char = tuple[str, float, float, float, float, bool]


def _layout(page: pdfplumber.page.Page) -> tuple[list[_Char], Any] | None:
    """pdfminer's layout of PAGE as pdfplumber runs it (its resource manager, no layout
    analysis), with each character recorded as the numbers LTChar computes instead of an
    LTChar; None when pdfplumber analyses layouts or the page fails (or has vertical
    writing, which LTChar places otherwise)."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    if page.pdf.laparams is not None:
        return None
    device = _recorder()(page.pdf.rsrcmgr, pageno=page.page_number, laparams=None)
    try:
        PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception:
        return None
    return device.chars, device.get_result()


@lru_cache(maxsize=1)
def _recorder() -> Any:
    """pdfminer's PDFPageAggregator whose render_char keeps LTChar's numbers (the same
    arithmetic: advance, descent, rise, the text matrix) in a list instead of an object
    in the layout."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.utils import apply_matrix_rect

    class CharRecorder(PDFPageAggregator):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.chars: list[_Char] = []

        def render_char(
            self,
            matrix: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            rise: float,
            cid: int,
            ncs: Any,
            graphicstate: Any,
        ) -> float:
            if font.is_vertical():
                raise ValueError("vertical writing")  # the page is left to pdfplumber
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = self.handle_undefined_char(font, cid)
            assert isinstance(text, str), str(type(text))
            adv = font.char_width(cid) * fontsize * scaling
            descent = font.get_descent() * fontsize
            (a, b, c, d, _e, _f) = matrix
            upright = a * d * scaling > 0 and b * c <= 0
            (x0, y0, x1, y1) = apply_matrix_rect(matrix, (0, descent + rise, adv, descent + rise + fontsize))
            if x1 < x0:
                (x0, x1) = (x1, x0)
            if y1 < y0:
                (y0, y1) = (y1, y0)
            self.chars.append((text, x0, y0, x1, y1, upright))
            return adv

    return CharRecorder


def _leaves(container: Any) -> Iterator[Any]:
    """The layout's objects in pdfplumber's order: a figure's (or any container's)
    children in its place (pdfplumber reads no container itself without LAParams)."""
    from pdfminer.layout import LTContainer

    for obj in container._objs:
        if isinstance(obj, LTContainer):
            yield from _leaves(obj)
        else:
            yield obj


def _edges(lines: list[T_obj], rects: list[T_obj], curves: list[T_obj]) -> list[T_obj]:
    """pdfplumber's page.edges: the lines', then the rectangles', then the curves'."""
    from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

    out = [line_to_edge({**ln, "object_type": "line"}) for ln in lines]
    for r in rects:
        out.extend(rect_to_edges({**r, "object_type": "rect"}))
    for c in curves:
        out.extend(curve_to_edges({**c, "object_type": "curve"}))
    return out
