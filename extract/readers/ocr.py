"""OCR with Tesseract's Vietnamese model: scanned PDF pages and images -> text lines with a
mean word confidence per page. Pages are OCR'd in parallel, one thread each: Tesseract is
loaded in this process (libtesseract's C API, one engine per thread, kept for later pages),
or run as a `tesseract` process per reading where that library cannot stand in for the
command (tesseract_reader). Settings: rules/ocr.yaml.

A text layer is used when it reads as Vietnamese; a page without one, or with a garbage
one (legacy-font mojibake, diacritics split by spaces), is OCR'd (`--ocr auto`)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from ..boxes import Glyph
from ..layout import LayoutSettings, Word, median, page_settings, table_text_lines
from ..vnnumbers import parse_vn_number
from .base import PageProblem, ReadError, join_cell_lines, plain_error
from .limits import PageLimits, measure

if TYPE_CHECKING:
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    from ..rules import Rules

OCR_MODES = ("auto", "always", "never")
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"
INK = 160  # grey levels below this are ink (rulings, text lines when levelling)


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]
    confidence: float | None  # mean word confidence, 0-100 (None: no words)
    # per line, the figures on it in order: (text as read, word confidence)
    figures: tuple[tuple[tuple[str, float], ...], ...] = ()
    rereads: tuple[str, ...] = ()  # figures a digits-only second look read again, said in words
    # per line, the words it was written from, in points (72 an inch) from the page's top left
    glyphs: tuple[tuple[Glyph, ...], ...] = ()
    size: tuple[float, float] | None = None  # the page's (width, height) in points


@dataclass(frozen=True)
class OcrSettings:
    language: str
    dpi: int
    psm: int
    table_psm: int
    min_confidence: float
    min_letters: int
    min_common_share: float
    common_words: frozenset[str]
    mojibake_chars: str = ""
    max_mojibake_share: float = 0.03
    deskew: bool = True
    binarise: bool = False
    ruling_min_inches: float = 0.6
    repairs: tuple[tuple[str, regex.Pattern, str], ...] = ()
    # a figure read with a word confidence below this gets a digits-only second look (0: none)
    reread_below: float = 0.0
    reread_characters: str = "0123456789.,"
    layout: LayoutSettings | None = None  # un-ruled tables: gaps in heights of the words

    @classmethod
    def from_rules(cls, rules: Rules) -> "OcrSettings":
        o = rules.section("ocr")
        layer = o.get("text_layer", {})
        legacy = rules.section("legacy_encodings")
        return cls(
            language=o.get("language", "vie"),
            dpi=int(o.get("dpi", 300)),
            psm=int(o.get("page_segmentation", 4)),
            table_psm=int(o.get("table_page_segmentation", 6)),
            min_confidence=float(o.get("min_confidence", 75)),
            min_letters=int(layer.get("min_letters", 20)),
            min_common_share=float(layer.get("min_common_share", 0.12)),
            common_words=frozenset(legacy.get("common_words", [])),
            mojibake_chars="".join(legacy.get("mojibake_chars", [])),
            max_mojibake_share=float(layer.get("max_mojibake_share", 0.03)),
            deskew=bool(o.get("deskew", True)),
            binarise=bool(o.get("binarise", False)),
            ruling_min_inches=float(o.get("ruling_min_inches", 0.6)),
            repairs=tuple(
                (r["name"], regex.compile(r["pattern"]), r["replace"]) for r in o.get("repairs", [])
            ),
            reread_below=float(o.get("reread", {}).get("below_confidence", 0)),
            reread_characters=str(o.get("reread", {}).get("characters", "0123456789.,")),
            layout=page_settings(rules, 1.0),
        )

    def text_layer_usable(self, text: str) -> bool:
        if len(regex.findall(r"\p{L}", text)) < self.min_letters:
            return False
        if sum(text.count(c) for c in self.mojibake_chars) > self.max_mojibake_share * len(text):
            return False  # a legacy font (TCVN3, VNI) shown as Unicode
        words = regex.findall(r"\w+", text.lower())
        letters = [w for w in words if not w.isdigit()]
        return (
            bool(letters)
            and sum(w in self.common_words for w in letters) / len(letters) >= self.min_common_share
        )


@lru_cache(maxsize=1)
def tesseract_languages() -> frozenset[str]:
    if shutil.which("tesseract") is None:
        return frozenset()
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def ocr_available(language: str) -> bool:
    return language in tesseract_languages()


@dataclass(frozen=True)
class LoadedPage:
    """A page image ready for OCR (None: refused), with what was done to it."""

    image: Any | None
    problems: tuple[PageProblem, ...] = ()


@dataclass(frozen=True)
class OcrResult:
    number: int
    page: OcrPage | None  # None: the page could not be read
    problems: list[PageProblem] = field(default_factory=list)


def ocr_pages(
    numbers: list[int], load: Callable[[int], LoadedPage], settings: OcrSettings
) -> list[OcrResult]:
    """OCR the pages NUMBERS, in parallel, results in order. Each worker loads (renders or
    decodes) its own page just before reading it, so no more page images exist at once
    than there are workers, whatever the page count. LOAD runs under a lock: pdfium and
    an image file's frame pointer are not thread-safe. A page that fails is reported
    (unreadable_page) and the others go on."""
    if not ocr_available(settings.language):
        raise ReadError(
            f"OCR needs Tesseract with the '{settings.language}' model, which is not installed "
            f"(install it with: {INSTALL_HINT})"
        )
    # one thread per Tesseract process: pages run in parallel instead
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    loading = threading.Lock()

    def read(number: int) -> OcrResult:
        problems: list[PageProblem] = []
        try:
            with loading:
                loaded = load(number)
            problems.extend(loaded.problems)
            if loaded.image is None:
                return OcrResult(number, None, problems)
            if _blank(loaded.image):  # nothing to read: Tesseract would find no words either
                return OcrResult(number, OcrPage([], None), problems)
            with tesseract_reader(settings.language) as tesseract:
                return OcrResult(number, _ocr_one(loaded.image, settings, tesseract), problems)
        except Exception as exc:  # one bad page must not lose the others
            problems.append(
                PageProblem(
                    "unreadable_page", number, f"page {number} could not be OCR'd ({plain_error(exc)})"
                )
            )
            return OcrResult(number, None, problems)

    workers = max(1, min(len(numbers), os.cpu_count() or 1))
    if workers == 1:
        return [read(n) for n in numbers]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(read, numbers))


def _blank(image: Image.Image) -> bool:
    """No pixel dark enough to be ink."""
    darkest = (image if image.mode == "L" else image.convert("L")).getextrema()[0]
    return isinstance(darkest, int | float) and darkest >= INK


def _ocr_one(image: Image.Image, settings: OcrSettings, tesseract: Reader | None = None) -> OcrPage:
    """One page: levelled, its ruled tables found from their lines and read cell by cell,
    the rest read as text; lines in page order, table rows as tab-separated cells. TESSERACT
    reads images (default: a `tesseract` process per call)."""
    import numpy as np
    from PIL import Image

    if tesseract is None:
        tesseract = _cli_reader(settings.language)

    dpi = int(round(float(image.info.get("dpi", (settings.dpi,))[0] or settings.dpi)))
    grey = image.convert("L")
    if settings.deskew:
        grey = _deskew(grey)
    pixels = np.asarray(grey)
    if settings.binarise:
        pixels = np.where(pixels < _otsu(pixels), 0, 255).astype(np.uint8)
    dark = pixels < INK
    min_run = int(dpi * settings.ruling_min_inches)
    across, down = _long_runs(dark, min_run), _long_runs(dark.T, min_run).T
    cleaned = pixels.copy()
    cleaned[_widen(across | down)] = 255  # rulings read as "|" and "—" glued to the figures
    grid = _Grid.find(across, down)
    confidences: list[float] = []
    placed: list[tuple[float, int, str]] = []  # (top, order, text): merged in page order
    line_words: dict[int, list[_Word]] = {}  # order -> the words of that line
    rereads: list[str] = []
    looks: list[_Looks] = []
    if grid is not None:
        table = Image.fromarray(cleaned[grid.top : grid.bottom, grid.left : grid.right])
        words = _words(
            tesseract, table, settings, dpi, settings.table_psm, confidences, dx=grid.left, dy=grid.top
        )
        looks.append(_doubted_figures(table, words, settings, (grid.left, grid.top), grid.xs))
        cleaned[grid.top : grid.bottom, grid.left : grid.right] = 255
    page = Image.fromarray(cleaned)
    # a page that was all table has nothing left to read: no second Tesseract run
    rest = (
        []
        if grid is not None and _blank(page)
        else _words(tesseract, page, settings, dpi, settings.psm, confidences)
    )
    looks.append(_doubted_figures(page, rest, settings, (0, 0)))
    *table_words, words = _take_second_looks(tesseract, looks, settings, dpi, rereads)
    if grid is not None:
        bands = _band_words(grid, table_words[0])
        for k, (top, row) in enumerate(grid.rows(table_words[0], down)):
            placed.append((top, k, row))
            line_words[k] = grid.reading_order(bands.get(top, []))
    lines: dict[tuple, list[_Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    texts = _text_lines(list(lines.values()), settings)
    previous, last = None, None
    for k, (key, words_of_line) in enumerate(lines.items()):
        text = texts[k]
        if text is None:  # the ends of figures wrapped from the line above, now joined to it
            if last is not None:
                line_words[last] = line_words[last] + words_of_line
            continue
        if previous is not None and key[:2] != previous[:2]:
            placed.append((min(w.top for w in words_of_line) - 0.5, 10_000 + k, ""))  # a new paragraph
        placed.append((min(w.top for w in words_of_line), 10_000 + k, text))
        line_words[10_000 + k] = words_of_line
        previous, last = key, 10_000 + k
    placed.sort()
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    figures = tuple(
        tuple(
            (w.text, w.confidence)
            for w in line_words.get(order, [])
            if w.confidence is not None and _FIGURE_WORD.search(w.text)
        )
        for _, order, _ in placed
    )
    points = 72 / dpi
    glyphs = tuple(
        tuple(
            Glyph(w.text, w.left, w.top, w.left + w.width, w.top + w.height, w.confidence).scaled(points)
            for w in line_words.get(order, [])
        )
        for _, order, _ in placed
    )
    return OcrPage(
        [text for _, _, text in placed],
        confidence,
        figures,
        tuple(rereads),
        glyphs,
        (image.width * points, image.height * points),
    )


# A word holding a figure (or the start or end of one): "592,3", "1.254,0trđ", "(12,5".
_FIGURE_WORD = regex.compile(r"\d(?:[\d.,]*\d)?")
# A word a digits-only look may read better: digits, separators, and the letters and
# specks OCR puts for digits ("1.O25", "12o‡g", "1....-"); not a number of a document
# ("90/QĐ-TTg"), a percentage, a formula ("3=4+7") or a figure glued to its unit.
_DIGITS_READ_AS = regex.compile(
    r"^(?!\d+/\d+$)(?!.*/.*/)[(]?(?=[^\d]{0,2}\d)[\d.,;:/OoIlSBgZ|‡†'’ˆ_~\-]{2,}[)]?$"
)
# A figure of four digits or more written without separators: on a page whose sure
# figures all have them, a separator was probably lost ("352,2" read as 3522).
_BARE = regex.compile(r"^\d{4,}$")


@dataclass(frozen=True)
class _Looks:
    """The second looks one reading (a page, or its ruled table) asks for: the words read,
    how the page's sure figures are written, and for each doubted word (by its index) the
    box looked at again, as a crop, with the pieces of its figure that box covers."""

    words: list["_Word"]
    styles: set[tuple[bool, bool]]
    doubted: dict[int, tuple[int, list["_Word"]]]  # word index -> (index in crops, pieces)
    crops: list[Image.Image]


def _doubted_figures(
    image: Image.Image,
    words: list["_Word"],
    settings: OcrSettings,
    origin: tuple[int, int],
    columns: list[int] | None = None,
) -> _Looks:
    """Figures read with a low word confidence, and bare figures ("3522") on a page whose
    sure figures carry separators, get a second, digits-only look (Tesseract allowed
    only digits and separators, on the word's box). In a ruled table (COLUMNS: the x of
    its vertical lines) the look takes the whole width of the word's cell, since a
    misread figure's box may hold only part of it. The boxes do not depend on what the
    looks read, so every look of a page is taken by one Tesseract process
    (_take_second_looks)."""
    if settings.reread_below <= 0:
        return _Looks(words, set(), {}, [])
    stripped = [(w, w.text.strip("(),.;:")) for w in words]
    sure = [
        t
        for w, t in stripped
        if w.confidence is not None and w.confidence >= settings.reread_below and _FIGURE_WORD.fullmatch(t)
    ]
    styles = {_style(t) for t in sure if parse_vn_number(t).status == "ok"}
    separated = [t for t in sure if len(regex.sub(r"\D", "", t)) >= 3 and not _YEAR_LIKE.match(t)]
    bare_is_odd = bool(separated) and sum(_style(t) != (False, False) for t in separated) >= ODD_SHARE * len(
        separated
    )
    doubted: dict[int, tuple[int, list[_Word]]] = {}
    crops: list[Image.Image] = []
    for k, w in enumerate(words):
        if w.confidence is None or not (
            w.confidence < settings.reread_below
            and _DIGITS_READ_AS.match(w.text)
            or bare_is_odd
            and _BARE.match(w.text)
            and not _YEAR_LIKE.match(w.text)
        ):
            continue
        pad = max(2, w.height // 4)
        left, right, pieces = (
            _cell_span(w, words, columns) if columns else (w.left - pad, w.left + w.width + pad, [])
        )
        box = (
            left - origin[0],
            w.top - origin[1] - pad,
            right - origin[0],
            w.top - origin[1] + w.height + pad,
        )
        doubted[k] = (len(crops), pieces)
        crops.append(image.crop(box))
    return _Looks(words, styles, doubted, crops)


def _take_second_looks(
    tesseract: Reader, looks: list[_Looks], settings: OcrSettings, dpi: int, rereads: list[str]
) -> list[list["_Word"]]:
    """Every crop of LOOKS read in one call of TESSERACT (the model loaded once), then
    each reading's words with the second looks that agree put in place (_reread_figures)."""
    options = ["--psm", "7", "--dpi", str(dpi), "-c", f"tessedit_char_whitelist={settings.reread_characters}"]
    data = tesseract([c for look in looks for c in look.crops], options)
    out, start = [], 0
    for look in looks:
        out.append(_reread_figures(look, data[start : start + len(look.crops)], settings, rereads))
        start += len(look.crops)
    return out


def _reread_figures(
    looks: _Looks, data: list[dict[str, list]], settings: OcrSettings, rereads: list[str]
) -> list["_Word"]:
    """The words with their second looks (DATA: Tesseract's reading of each crop) put in
    place. The new reading replaces the first only when it agrees with the figure's
    context: a well-formed Vietnamese number, with the digits first read (only separators
    changed) unless the first reading was no number at all, and written as the page's
    sure figures are (decimal comma, thousands dots)."""
    styles = looks.styles
    out: list[_Word] = []
    covered: set[int] = set()  # pieces of a figure a cell-wide look read with it
    for k, w in enumerate(looks.words):
        if id(w) in covered:
            continue
        if k not in looks.doubted:
            out.append(w)
            continue
        crop, pieces = looks.doubted[k]
        read = [
            (t.strip(), float(c)) for t, c in zip(data[crop]["text"], data[crop]["conf"]) if t and t.strip()
        ]
        text = _comma_for_point("".join(t for t, _ in read).rstrip(".,"), styles)
        first = w.text.strip("(),;:")
        unsure = (w.confidence or 0) < settings.reread_below / 2 and all(
            c >= settings.reread_below for _, c in read
        )
        if read and min(c for _, c in read) >= REREAD_FLOOR and _agrees(first, text, styles, unsure):
            tail = w.text[len(w.text.rstrip("),;:")) :]
            head = w.text[: len(w.text) - len(w.text.lstrip("("))]
            rereads.append(
                f"'{w.text}' (confidence {w.confidence:g}) read again with digits only as '{text}'"
            )
            w = _Word(
                head + text + tail,
                w.left,
                w.top,
                w.width,
                w.height,
                w.line,
                min(c for _, c in read) if all(c >= 0 for _, c in read) else w.confidence,
            )
            covered.update(id(p) for p in pieces)
            out = [o for o in out if id(o) not in covered]
        out.append(w)
    return out


_YEAR_LIKE = regex.compile(r"^(?:19|20)\d\d$")
# The least confidence a second look must have to be taken at all.
REREAD_FLOOR = 60
# Share of a page's sure figures written with separators from which a bare one is doubted.
ODD_SHARE = 2 / 3


def _cell_span(word: "_Word", words: list["_Word"], columns: list[int]) -> tuple[int, int, list["_Word"]]:
    """The x-extent of the word's cell (inside its vertical lines) and the other pieces of
    figures on its line there, when every word of its line in that cell is one; else the
    word's own box."""
    from bisect import bisect_right

    own: tuple[int, int, list[_Word]] = (word.left - 2, word.left + word.width + 2, [])
    c = bisect_right(columns, word.centre[0]) - 1
    if not 0 <= c < len(columns) - 1:
        return own
    left, right = columns[c] + RULING_MARGIN, columns[c + 1] - RULING_MARGIN
    beside = [o for o in words if o is not word and o.line == word.line and left <= o.centre[0] <= right]
    if not all(_DIGITS_READ_AS.match(o.text) or not regex.search(r"\w", o.text) for o in beside):
        return own
    return left, right, beside


# Pixels kept clear of a table's vertical lines when a cell is read again.
RULING_MARGIN = 4


def _comma_for_point(text: str, styles: set[tuple[bool, bool]]) -> str:
    """ "352.2" as "352,2" where the page writes decimal commas: a dot before one or two
    last digits cannot group thousands, and a speck under the line reads as a dot."""
    if any(decimal for _, decimal in styles) and regex.fullmatch(r"\d{1,3}(?:\.\d{3})*\.\d{1,2}", text):
        return text[: text.rindex(".")] + "," + text[text.rindex(".") + 1 :]
    return text


def _style(figure: str) -> tuple[bool, bool]:
    """How a figure is written: (has thousands dots, has a decimal comma)."""
    return "." in figure, "," in figure


def _agrees(first: str, second: str, styles: set[tuple[bool, bool]], unsure: bool) -> bool:
    """UNSURE: the first reading was a guess (far below the bar) and the second is sure,
    so its digits may differ."""
    number = parse_vn_number(second)
    if number.status != "ok" or second == first:
        return False
    first_number = parse_vn_number(first)
    if (first_number.status == "ok" or regex.fullmatch(r"[\d.,]+", first)) and not unsure:
        # a number was read: the second look may move or add separators, not change digits
        if regex.sub(r"\D", "", first) != regex.sub(r"\D", "", second):
            return False
    elif len(regex.sub(r"\D", "", second)) < len(regex.findall(r"[\dOoIlSBgZ/]", first)):
        return False  # fewer digits than the first reading had characters standing for them
    return _style(second) in styles


def _band_words(grid: "_Grid", words: list["_Word"]) -> dict[float, list["_Word"]]:
    """The words of each row band of a ruled table, keyed by the band's top as rows() gives it."""
    from bisect import bisect_right

    bands: dict[float, list[_Word]] = {}
    for w in words:
        r = bisect_right(grid.ys, w.centre[1]) - 1
        if 0 <= r < len(grid.ys) - 1:
            bands.setdefault(grid.ys[r] + 0.1, []).append(w)
    return bands


def _text_lines(lines: list[list["_Word"]], settings: OcrSettings) -> list[str | None]:
    """Tesseract's lines as text; lines whose words stand in columns (a table without
    rulings, a header in two columns) as tab-joined cells (extract/layout.py); None for a
    line joined to the one above."""
    if settings.layout is None:
        return [" ".join(w.text for w in ws) for ws in lines]
    height = median([w.height for ws in lines for w in ws])
    layout = LayoutSettings(
        min_gap=settings.layout.min_gap * height,
        min_aligned_share=settings.layout.min_aligned_share,
        wide_gap=settings.layout.wide_gap * height if settings.layout.wide_gap else None,
    )
    as_words = [
        [Word(w.text, w.left, w.left + w.width, w.top, w.top + w.height, w.confidence) for w in ws]
        for ws in lines
    ]
    return table_text_lines(as_words, layout)


@dataclass(frozen=True)
class _Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    line: tuple  # Tesseract's (block, paragraph, line)
    confidence: float | None = None  # Tesseract's word confidence (0-100)

    @property
    def centre(self) -> tuple[float, float]:
        return self.left + self.width / 2, self.top + self.height / 2


def _words(
    tesseract: Reader,
    image: Image.Image,
    settings: OcrSettings,
    dpi: int,
    psm: int,
    confidences: list[float],
    dx: int = 0,
    dy: int = 0,
) -> list[_Word]:
    (data,) = tesseract([image], ["--psm", str(psm), "--dpi", str(dpi)])
    out = []
    for i, text in enumerate(data["text"]):
        if not text or not text.strip():
            continue
        out.append(
            _Word(
                text.strip(),
                data["left"][i] + dx,
                data["top"][i] + dy,
                data["width"][i],
                data["height"][i],
                (data["block_num"][i], data["par_num"][i], data["line_num"][i]),
                float(data["conf"][i]) if float(data["conf"][i]) >= 0 else None,
            )
        )
        if float(data["conf"][i]) >= 0:
            confidences.append(float(data["conf"][i]))
    return out


def tesseract_data(images: list[Image.Image], language: str, options: list[str]) -> list[dict[str, list]]:
    """Tesseract's word table (TSV) for each of IMAGES, from one `tesseract` process: the
    model is loaded once for all of them. The pixels go to it as an uncompressed TIFF
    file (the images its pages): written at memory speed, where a PNG's compression
    costs about 0.2 s a page, and read by Tesseract as fast as a PNG (not so a PGM, nor
    anything sent through its standard input, which it reads a byte at a time). The TSV
    comes back on its standard output and is parsed as pytesseract's image_to_data parses
    it (every column but the text as an integer: confidences truncated)."""
    import tempfile

    if not images:
        return []
    frames = [i if i.mode in ("L", "RGB") else i.convert("RGB") for i in images]
    with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as folder:
        path = os.path.join(folder, "pages.tif")
        frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:])
        command = ["tesseract", path, "stdout", "-l", language, *options, "-c", "tessedit_create_tsv=1"]
        done = subprocess.run(command, capture_output=True)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Tesseract failed ({said[-1] if said else f'exit code {done.returncode}'})")
    return _tsv_pages(done.stdout.decode("utf-8"), len(images))


# Reads images with Tesseract: (images, options as the `tesseract` command takes them) ->
# each image's word table, as tesseract_data gives it.
Reader = Callable[[list["Image.Image"], list[str]], list[dict[str, list]]]


def _cli_reader(language: str) -> Reader:
    """A `tesseract` process per call."""
    return lambda images, options: tesseract_data(images, language, options)


@contextmanager
def tesseract_reader(language: str) -> Iterator[Reader]:
    """A Tesseract for one thread's readings, until the block ends: an engine loaded in this
    process (libtesseract's C API), taken from the idle ones or loaded, and left idle
    after for the process's later pages. An engine reads exactly what a `tesseract`
    process given the same pixels and options reads (the command is a thin wrapper of the
    same library calls), without loading the model again for each reading: a process
    costs ~0.17 s of CPU before its first pixel, and a page took two or three. Without the
    library, or when it would not read as the command does (another version, other
    OpenMP threads), each reading runs a `tesseract` process."""
    library = _library()
    if library is None:
        yield _cli_reader(language)
        return
    engine = _IDLE.take(language) or _Engine(library, language)
    try:
        yield engine.read
    finally:
        _IDLE.give(engine)


class _IdleEngines:
    """The loaded engines no thread is reading with, by language: a cache of loaded models
    (about 15 MB each), as many as threads have read at once (ocr_pages: one per core).
    Nothing read depends on it: an engine sets every option of each reading anew. A
    process forked from this one starts with none (the parent's are the parent's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engines: dict[str, list[_Engine]] = {}
        self._pid = os.getpid()

    def take(self, language: str) -> "_Engine | None":
        with self._lock:
            if self._pid != os.getpid():
                self._engines, self._pid = {}, os.getpid()
            idle = self._engines.get(language)
            return idle.pop() if idle else None

    def give(self, engine: "_Engine") -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._engines.setdefault(engine.language, []).append(engine)


_IDLE = _IdleEngines()
_LOADING = threading.Lock()


# The header line of the `tesseract` command's TSV (its renderer's; the API gives the rows).
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


class _Engine:
    """One TessBaseAPI, initialised for LANGUAGE as the command initialises it."""

    def __init__(self, library: Any, language: str):
        self._lib, self.language = library, language
        with _LOADING:  # one at a time: the message file below is one for the whole library
            self._handle = library.TessBaseAPICreate()
            if library.TessBaseAPIInit3(self._handle, None, language.encode()) != 0:
                library.TessBaseAPIDelete(self._handle)
                raise RuntimeError(f"Tesseract could not load its '{language}' model")
            # its messages ("Detected 182 diacritics") went to the command's captured stderr
            library.TessBaseAPISetVariable(self._handle, b"debug_file", b"/dev/null")

    def read(self, images: list[Image.Image], options: list[str]) -> list[dict[str, list]]:
        """As tesseract_data(IMAGES, language, OPTIONS): every option the command was given
        is set before each call (page segmentation, resolution, character whitelist), so
        no call sees another's; options it does not know go to the command."""
        settings = _api_options(options)
        if settings is None:
            return tesseract_data(images, self.language, options)
        if not images:
            return []
        import ctypes

        lib, handle = self._lib, self._handle
        psm, variables = settings
        lib.TessBaseAPISetPageSegMode(handle, psm)
        for name, value in variables.items():
            if not lib.TessBaseAPISetVariable(handle, name.encode(), value.encode()):
                raise RuntimeError(f"Tesseract has no setting {name}")
        tables = [TSV_HEADER]
        for k, image in enumerate(images):
            frame = image if image.mode in ("L", "RGB") else image.convert("RGB")
            depth = 1 if frame.mode == "L" else 3
            pixels = frame.tobytes()
            lib.TessBaseAPISetImage(handle, pixels, frame.width, frame.height, depth, frame.width * depth)
            if lib.TessBaseAPIRecognize(handle, None) != 0:
                raise RuntimeError("Tesseract failed to read the image")
            tsv = lib.TessBaseAPIGetTsvText(handle, k)
            try:
                tables.append(ctypes.string_at(tsv).decode("utf-8"))
            finally:
                lib.TessDeleteText(tsv)
        lib.TessBaseAPIClear(handle)
        return _tsv_pages("".join(tables), len(images))


# The `-c` settings an engine takes from the command's options, with the value each has when
# the command is not given it (set so, a setting one call gave does not stay for the next).
_API_VARIABLES = {"tessedit_char_whitelist": "", "user_defined_dpi": "0"}


def _api_options(options: list[str]) -> tuple[int, dict[str, str]] | None:
    """The command's options as (page segmentation mode, settings), or None if one is
    not --psm, --dpi or a -c of _API_VARIABLES (or tessedit_create_tsv, the API's own)."""
    psm, variables = 3, dict(_API_VARIABLES)  # the command's default mode: 3, automatic
    k = 0
    while k < len(options):
        if k + 1 >= len(options):
            return None
        flag, value = options[k], options[k + 1]
        if flag == "--psm" and value.isdigit():
            psm = int(value)
        elif flag == "--dpi" and value.isdigit():
            variables["user_defined_dpi"] = value
        elif flag == "-c" and value.partition("=")[0] in _API_VARIABLES:
            name, _, setting = value.partition("=")
            variables[name] = setting
        elif not (flag == "-c" and value == "tessedit_create_tsv=1"):
            return None
        k += 2
    return psm, variables


@lru_cache(maxsize=1)
def _library() -> Any | None:
    """libtesseract with the C API's signatures, when it reads as the `tesseract` command
    does: the command's version, and (when it uses OpenMP) the thread limit the command
    would run with (OMP_THREAD_LIMIT as set now, which ocr_pages sets to 1 by default; the
    OpenMP runtime reads it once, when it is loaded). None otherwise."""
    import ctypes

    try:
        lib = ctypes.CDLL("libtesseract.so.5")
    except OSError:
        return None
    lib.TessVersion.restype = ctypes.c_char_p
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    said = (out.stdout or out.stderr).split()
    if len(said) < 2 or said[1] != lib.TessVersion().decode():
        return None
    try:
        omp = ctypes.CDLL("libgomp.so.1", mode=getattr(os, "RTLD_NOLOAD", 4))
    except OSError:
        omp = None  # built without OpenMP: one thread
    limit = os.environ.get("OMP_THREAD_LIMIT", "")
    if omp is not None and not (limit.isdigit() and omp.omp_get_thread_limit() == int(limit)):
        return None
    handle, text = ctypes.c_void_p, ctypes.c_char_p
    signatures: dict[str, tuple[list[Any], Any]] = {
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIInit3": ([handle, text, text], ctypes.c_int),
        "TessBaseAPISetVariable": ([handle, text, text], ctypes.c_int),
        "TessBaseAPISetPageSegMode": ([handle, ctypes.c_int], None),
        "TessBaseAPISetImage": (
            [handle, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int],
            None,
        ),
        "TessBaseAPIRecognize": ([handle, handle], ctypes.c_int),
        "TessBaseAPIGetTsvText": ([handle, ctypes.c_int], handle),
        "TessDeleteText": ([handle], None),
        "TessBaseAPIClear": ([handle], None),
        "TessBaseAPIDelete": ([handle], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = arguments, result
    return lib


def _tsv_pages(tsv: str, count: int) -> list[dict[str, list]]:
    """Tesseract's TSV split by page (page_num, 1-based), each page as columns."""
    rows = [row.split("\t") for row in tsv.strip().split("\n")]
    header = rows.pop(0) if rows else []
    pages: list[dict[str, list]] = [{name: [] for name in header} for _ in range(count)]
    if rows and len(rows[-1]) < len(header):
        rows[-1].append("")  # the last word's text is empty and the strip took its tab
    text = len(header) - 1
    for row in rows:
        page = pages[int(row[1]) - 1]
        for i, name in enumerate(header):
            if i < len(row):
                page[name].append(row[i] if i == text else _tsv_number(row[i]))
    return pages


def _tsv_number(cell: str) -> int | str:
    try:
        return int(float(cell))
    except ValueError:
        return cell


@dataclass(frozen=True)
class _Grid:
    """A ruled table: the positions of its horizontal and vertical lines."""

    ys: list[int]
    xs: list[int]

    @property
    def top(self) -> int:
        return self.ys[0]

    @property
    def bottom(self) -> int:
        return self.ys[-1]

    @property
    def left(self) -> int:
        return self.xs[0]

    @property
    def right(self) -> int:
        return self.xs[-1]

    @classmethod
    def find(cls, across: np.ndarray, down: np.ndarray) -> "_Grid | None":
        ys = _line_positions(across.sum(axis=1), across.shape[1] * 0.2)
        xs = _line_positions(down.sum(axis=0), 0)
        if len(ys) < 2 or len(xs) < 3:
            return None
        inside = [x for x in xs if down[ys[0] : ys[-1], x].mean() > 0.3]  # lines of this table only
        return cls(ys, inside) if len(inside) >= 3 else None

    def rows(self, words: list[_Word], down: np.ndarray) -> list[tuple[float, str]]:
        """(top, tab-joined cells) of each row band holding words. A cell whose left line
        is missing in that band is merged with the one before it (a spanning header):
        its text goes to the first column of the span and the others stay empty."""
        from bisect import bisect_right

        cells: dict[tuple[int, int], list[_Word]] = {}
        for w in words:
            cx, cy = w.centre
            r, c = bisect_right(self.ys, cy) - 1, bisect_right(self.xs, cx) - 1
            if 0 <= r < len(self.ys) - 1 and 0 <= c < len(self.xs) - 1:
                while c > 0 and not self._ruled(down, r, c):
                    c -= 1
                cells.setdefault((r, c), []).append(w)
        out = []
        for r in range(len(self.ys) - 1):
            texts = [_cell_text(cells.get((r, c), [])) for c in range(len(self.xs) - 1)]
            if any(texts):
                out.append((self.ys[r] + 0.1, "\t".join(texts)))
        return out

    def reading_order(self, words: list[_Word]) -> list[_Word]:
        """A row band's words as its text reads them: column by column, each top to
        bottom and left to right."""
        from bisect import bisect_right

        return sorted(words, key=lambda w: (bisect_right(self.xs, w.centre[0]), w.top, w.left))

    def _ruled(self, down: np.ndarray, r: int, c: int) -> bool:
        """Is there a vertical line at xs[c] through row band r?"""
        top, bottom, x = self.ys[r], self.ys[r + 1], self.xs[c]
        margin = max(1, (bottom - top) // 5)
        band = down[top + margin : bottom - margin, max(0, x - 3) : x + 4]
        return band.size > 0 and band.any(axis=1).mean() > 0.5


def _cell_text(words: list[_Word]) -> str:
    """A cell's words in reading order (Tesseract's lines top to bottom, words left to
    right), specks dropped (and, beside a figure, unsure letters); a figure a narrow
    column wrapped is joined back."""
    lines: dict[tuple, list[_Word]] = {}
    figure = any(regex.fullmatch(r"\d{1,3}(?:[.,]\d+)+|\d{3,}", w.text) for w in words)
    for w in words:
        speck = figure and len(w.text) <= 2 and not regex.search(r"\d", w.text) and (w.confidence or 0) < SURE
        if regex.search(r"\w", w.text) and not speck:
            lines.setdefault(w.line, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.top for w in ws))
    return join_cell_lines(
        "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in ordered)
    )


# A word confidence at or above which a reading is not doubted.
SURE = 90


def _line_positions(counts: np.ndarray, minimum: float) -> list[int]:
    """Centres of the runs of rows (or columns) whose ruling count exceeds MINIMUM."""
    positions, start = [], None
    for i, n in enumerate(list(counts) + [0]):
        if n > minimum and start is None:
            start = i
        elif n <= minimum and start is not None:
            positions.append((start + i - 1) // 2)
            start = None
    return positions


def _widen(mask: np.ndarray) -> np.ndarray:
    """A ruling mask grown by one pixel each way (the lines' anti-aliased edges)."""
    import numpy as np

    return (
        mask
        | np.roll(mask, 1, axis=0)
        | np.roll(mask, -1, axis=0)
        | np.roll(mask, 1, axis=1)
        | np.roll(mask, -1, axis=1)
    )


def _otsu(pixels: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's method)."""
    import numpy as np

    hist = np.bincount(pixels.ravel(), minlength=256).astype(float)
    total, levels = hist.sum(), np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.argmax(between))


def _long_runs(mask: np.ndarray, min_length: int) -> np.ndarray:
    """The runs of True along each row of MASK at least MIN_LENGTH long. Only the rows
    holding a whole aligned block of True (a run of 2B - 1 or more holds a block of B) can
    have one: rulings are few, so those rows alone are searched."""
    import numpy as np

    out = np.zeros(mask.shape, dtype=bool)
    rows = _rows_with_block(mask, min_length)
    if rows.size == 0:
        return out
    padded = np.pad(mask[rows], ((0, 0), (1, 1))).astype(np.int8)
    edges = np.diff(padded, axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)
    keep = (ends[:, 1] - starts[:, 1]) >= min_length
    for (row, start), (_, end) in zip(starts[keep], ends[keep]):
        out[rows[row], start:end] = True
    return out


def _rows_with_block(mask: np.ndarray, min_length: int) -> np.ndarray:
    """The indices of the rows of MASK that may hold a run of MIN_LENGTH: those with a
    whole aligned block of B True (bits packed, B the largest of 64, 32, 16, 8 with
    2B - 1 <= MIN_LENGTH), or every row when MIN_LENGTH is below 15."""
    import numpy as np

    bits = next((b for b in (64, 32, 16, 8) if 2 * b - 1 <= min_length), 0)
    if bits == 0 or mask.shape[1] < bits:
        return np.arange(mask.shape[0])
    packed = np.packbits(mask, axis=1)
    width = packed.shape[1] // (bits // 8) * (bits // 8)
    blocks = np.ascontiguousarray(packed[:, :width]).view(f"u{bits // 8}")
    return np.flatnonzero((blocks == np.iinfo(blocks.dtype).max).any(axis=1))


def _deskew(grey: Image.Image) -> Image.Image:
    """Rotate by the angle (within ±2°, to 0.1°) that makes text lines sharpest: the row
    profile of dark pixels varies most when lines are level. On a quarter-size copy: every
    step of 0.5°, then steps of 0.1° around the best, climbing from the middle (_climb):
    around its peak the sharpness rises and falls once (lines tilt by more than their
    height across the page within a degree or so), so the climb stops where the full
    search of those steps would, with about half the rotations. Not so at exactly 0°,
    the copy itself, unblurred by a rotation and so sharper than any angle beside it:
    steps that hold it are all tried."""
    import numpy as np
    from PIL import Image

    small = grey.resize((max(1, grey.width // 4), max(1, grey.height // 4)))

    def sharpness(angle: float) -> float:
        rotated = np.asarray(small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)) < INK
        return float(np.var(rotated.sum(axis=1)))

    best = max(np.arange(-2.0, 2.01, 0.5), key=sharpness)
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    best = float(max(fine, key=sharpness)) if 0 in fine else _climb(fine, sharpness)
    if abs(best) < 0.05:
        return grey
    return grey.rotate(best, resample=Image.Resampling.BICUBIC, fillcolor=255)


def _climb(angles: np.ndarray, score: Callable[[float], float]) -> float:
    """The angle a climb from the middle of ANGLES (in order) stops at: while a neighbour
    scores higher, move to the higher of them. On scores with a single peak this is the
    angle of the highest score; each angle is scored at most once."""
    scores: dict[int, float] = {}

    def at(k: int) -> float:
        if k not in scores:
            scores[k] = score(float(angles[k]))
        return scores[k]

    k = len(angles) // 2
    while True:
        higher = [j for j in (k - 1, k + 1) if 0 <= j < len(angles) and at(j) > at(k)]
        if not higher:
            return float(angles[k])
        k = max(higher, key=at)


@contextmanager
def pdf_page_loader(data: bytes, dpi: int, limits: PageLimits) -> Iterator[Callable[[int], LoadedPage]]:
    """A loader of the PDF's pages (1-based) for ocr_pages: each rendered alone (pdfium)
    at DPI, or lower to fit the pixel budget, or refused when even min_dpi does not fit."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        yield lambda number: _render_page(document, number, dpi, limits)
    finally:
        document.close()


def _render_page(document: pdfium.PdfDocument, number: int, dpi: int, limits: PageLimits) -> LoadedPage:
    page = document[number - 1]
    try:
        width, height = page.get_size()
        fit = limits.fit(width / 72 * dpi, height / 72 * dpi, dpi)
        problem = fit.problem(
            number,
            f"the page is {measure(width)} × {measure(height)} pt "
            f"({measure(width / 72 * 2.54)} × {measure(height / 72 * 2.54)} cm)",
            limits,
        )
        problems = (problem,) if problem else ()
        if fit.refused:
            return LoadedPage(None, problems)
        image = page.render(scale=dpi * fit.scale / 72).to_pil()
        image.info["dpi"] = (dpi * fit.scale, dpi * fit.scale)
        return LoadedPage(image, problems)
    finally:
        page.close()


class ImageFrames:
    """The frames of an image file (a multi-page TIFF has several), counted up to
    MAX_FRAMES and decoded one at a time, each within the pixel budget."""

    def __init__(self, data: bytes, default_dpi: int, limits: PageLimits, max_frames: int):
        from PIL import Image, UnidentifiedImageError

        self._default_dpi, self._limits = default_dpi, limits
        try:
            self._image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError as exc:
            raise ReadError("not a readable image (not in an image format that can be read)") from exc
        except Image.DecompressionBombError as exc:
            raise ReadError(f"the image is too large to decode ({plain_error(exc)})") from exc
        except Exception as exc:  # Pillow raises several types for broken files
            raise ReadError(f"not a readable image ({plain_error(exc)})") from exc
        self.count, self.truncated, self.broken_after = 1, False, None
        while True:
            try:
                self._image.seek(self.count)
            except EOFError:
                break
            except Exception as exc:  # a broken frame directory: the frames before it are read
                self.broken_after = plain_error(exc)
                break
            if self.count == max_frames:
                self.truncated = True
                break
            self.count += 1

    def load(self, number: int) -> LoadedPage:
        self._image.seek(number - 1)
        width, height = self._image.size
        # a stated resolution below what OCR needs is a placeholder (72, or 1 when a TIFF
        # has none), not the scan's: the usual scan resolution is assumed instead
        stated = self._image.info.get("dpi", (self._default_dpi,))[0]
        plausible = isinstance(stated, (int, float)) and self._limits.min_dpi <= stated <= 10_000
        dpi = float(stated) if plausible else float(self._default_dpi)
        if width * height > self._limits.max_decoded_pixels:
            return LoadedPage(
                None,
                (
                    PageProblem(
                        "unreadable_page",
                        number,
                        f"page {number}: the image is {width} × {height} pixels, over the "
                        f"{self._limits.max_decoded_pixels / 1e6:g} megapixels an image may have "
                        f"to be decoded; it was not OCR'd",
                    ),
                ),
            )
        fit = self._limits.fit(width, height, dpi, whole_factor=True)
        problem = fit.problem(
            number, "the image" if plausible else f"the image (taken as {dpi:g} dpi)", self._limits
        )
        problems = (problem,) if problem else ()
        if fit.refused:
            return LoadedPage(None, problems)
        if not fit.downsampled:
            return LoadedPage(self._image.copy(), problems)
        frame = self._image if self._image.mode in ("L", "RGB") else self._image.convert("L")
        image = frame.reduce(round(1 / fit.scale))  # a box filter by a whole factor: fast
        image.info["dpi"] = (dpi * fit.scale, dpi * fit.scale)
        return LoadedPage(image, problems)


def repair_confusions(
    page: OcrPage, number: int, settings: OcrSettings
) -> tuple[list[str], list[PageProblem]]:
    """The page's lines with the OCR confusions of rules/ocr.yaml repaired, each repair
    reported. A line opening with a unit sees the figure that ends the line before it."""
    lines: list[str] = []
    problems: list[PageProblem] = []
    for line in page.lines:
        before = lines[-1][-WRAP_CONTEXT:] + " " if lines and lines[-1][-1:].isdigit() else ""
        for name, pattern, replacement in settings.repairs:
            text = before + line
            for m in reversed([m for m in pattern.finditer(text) if m.start() >= len(before)]):
                problems.append(
                    PageProblem(
                        "ocr_repaired",
                        number,
                        f"page {number}: OCR read '{m.group(0)}' where the context needs "
                        f"'{replacement}' ({name}): '{text[max(0, m.start() - 25) : m.end() + 5]}'",
                        severity="info",
                    )
                )
                text = text[: m.start()] + replacement + text[m.end() :]
            line = text[len(before) :]
        lines.append(line)
    problems.extend(
        PageProblem("ocr_reread", number, f"page {number}: {said}", severity="info") for said in page.rereads
    )
    return lines, problems


# How much of the line before a repair may look back on (a figure wrapped from its unit).
WRAP_CONTEXT = 12


def figure_spans(lines: list[str], page: OcrPage) -> list[list[tuple[int, int, float]]]:
    """Where the figures of each of the page's lines stand once repaired (repairs never
    change a figure's digits): (start, end, word confidence), left to right."""
    out = []
    for k, line in enumerate(lines):
        spans, cursor = [], 0
        for text, confidence in page.figures[k] if k < len(page.figures) else ():
            core = _FIGURE_WORD.search(text).group()
            at = line.find(core, cursor)
            if at >= 0:
                spans.append((at, at + len(core), confidence))
                cursor = at + len(core)
        out.append(spans)
    return out


def low_confidence(number: int, confidence: float | None, settings: OcrSettings) -> list[PageProblem]:
    if confidence is not None and confidence >= settings.min_confidence:
        return []
    said = "no words recognised" if confidence is None else f"mean word confidence {confidence:g}"
    return [
        PageProblem(
            "ocr_low_confidence",
            number,
            f"page {number}: OCR is unsure of this page ({said}, below {settings.min_confidence:g}); "
            f"check its figures against the scan",
        )
    ]


def mean_confidence(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None
