"""OCR with Tesseract's Vietnamese model: scanned PDF pages and images -> text lines with a
mean word confidence per page. Pages are OCR'd in parallel (Tesseract runs as a separate
process, one thread each). Settings: rules/ocr.yaml.

A text layer is used when it reads as Vietnamese; a page without one, or with a garbage
one (legacy-font mojibake, diacritics split by spaces), is OCR'd (`--ocr auto`)."""
from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import regex

from .base import PageProblem, ReadError

OCR_MODES = ("auto", "always", "never")
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]
    confidence: float | None  # mean word confidence, 0-100 (None: no words)


@dataclass(frozen=True)
class OcrSettings:
    language: str
    dpi: int
    psm: int
    min_confidence: float
    min_letters: int
    min_common_share: float
    common_words: frozenset[str]

    @classmethod
    def from_rules(cls, rules) -> "OcrSettings":
        o = rules.section("ocr")
        layer = o.get("text_layer", {})
        return cls(o.get("language", "vie"), int(o.get("dpi", 300)), int(o.get("page_segmentation", 4)),
                   float(o.get("min_confidence", 75)), int(layer.get("min_letters", 20)),
                   float(layer.get("min_common_share", 0.12)),
                   frozenset(rules.section("legacy_encodings").get("common_words", [])))

    def text_layer_usable(self, text: str) -> bool:
        if len(regex.findall(r"\p{L}", text)) < self.min_letters:
            return False
        words = regex.findall(r"\w+", text.lower())
        letters = [w for w in words if not w.isdigit()]
        return bool(letters) and sum(w in self.common_words for w in letters) / len(letters) >= self.min_common_share


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


def ocr_images(images, settings: OcrSettings) -> list[OcrPage]:
    """OCR PIL images in parallel, in order."""
    if not ocr_available(settings.language):
        raise ReadError(f"OCR needs Tesseract with the '{settings.language}' model, which is not installed "
                        f"(install it with: {INSTALL_HINT})")
    # one thread per Tesseract process: pages run in parallel instead
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    workers = max(1, min(len(images), os.cpu_count() or 1))
    if workers == 1:
        return [_ocr_one(img, settings) for img in images]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda img: _ocr_one(img, settings), images))


def _ocr_one(image, settings: OcrSettings) -> OcrPage:
    import pytesseract

    dpi = image.info.get("dpi", (settings.dpi,))[0] or settings.dpi
    data = pytesseract.image_to_data(image.convert("L"), lang=settings.language,
                                     config=f"--psm {settings.psm} --dpi {int(round(float(dpi)))}",
                                     output_type=pytesseract.Output.DICT)
    lines: list[str] = []
    confidences: list[float] = []
    current: tuple | None = None
    words: list[str] = []
    for i, word in enumerate(data["text"]):
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current:
            if words:
                lines.append(" ".join(words))
            if current is not None and key[:2] != current[:2]:
                lines.append("")  # a new paragraph
            current, words = key, []
        if word and word.strip():
            words.append(word.strip())
            conf = float(data["conf"][i])
            if conf >= 0:
                confidences.append(conf)
    if words:
        lines.append(" ".join(words))
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrPage(lines, confidence)


def render_pdf_pages(data: bytes, page_numbers: list[int], dpi: int):
    """PIL images of the given 1-based pages of a PDF (pdfium)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [document[n - 1].render(scale=dpi / 72).to_pil() for n in page_numbers]
    finally:
        document.close()


def image_frames(data: bytes):
    """Every frame of an image file (a multi-page TIFF has several)."""
    import io

    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        return [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError) as exc:
        raise ReadError(f"not a readable image ({type(exc).__name__}: {exc})") from exc


def low_confidence(number: int, confidence: float | None, settings: OcrSettings) -> list[PageProblem]:
    if confidence is not None and confidence >= settings.min_confidence:
        return []
    said = "no words recognised" if confidence is None else f"mean word confidence {confidence:g}"
    return [PageProblem("ocr_low_confidence", number,
                        f"page {number}: OCR is unsure of this page ({said}, below {settings.min_confidence:g}); "
                        f"check its figures against the scan")]


def mean_confidence(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None
