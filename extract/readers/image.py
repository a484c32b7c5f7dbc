"""Scanned images (.png, .jpg, .tif, multi-page TIFF): every frame OCR'd as a page, one
frame decoded at a time and each within the pixel budget (rules/inputs.yaml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..boxes import Glyph
from .base import PageProblem, SourceText
from .limits import InputLimits
from .ocr import (
    ImageFrames,
    OcrSettings,
    figure_spans,
    low_confidence,
    mean_confidence,
    ocr_pages,
    repair_confusions,
)

if TYPE_CHECKING:
    from ..rules import Rules


def read_image(data: bytes, rules: Rules) -> SourceText:
    settings = OcrSettings.from_rules(rules)
    limits = InputLimits.from_rules(rules)
    frames = ImageFrames(data, settings.dpi, limits.pages, limits.max_image_frames)
    results = ocr_pages(list(range(1, frames.count + 1)), frames.load, settings)
    lines: list[str] = []
    numbers: list[int | None] = []
    problems: list[PageProblem] = []
    if frames.truncated:
        problems.append(
            PageProblem(
                "input_truncated",
                None,
                f"the image has more than {frames.count} frames; only the first {frames.count} were read",
            )
        )
    if frames.broken_after is not None:
        problems.append(
            PageProblem(
                "input_truncated",
                None,
                f"the image's frames after frame {frames.count} could not be found ({frames.broken_after})",
            )
        )
    figure_confidence: dict[int, list[tuple[int, int, float]]] = {}
    glyphs: dict[int, tuple[Glyph, ...]] = {}
    sizes: dict[int, tuple[float, float]] = {}
    for result in results:
        problems.extend(result.problems)
        if result.page is None:
            continue
        page_lines, repairs = repair_confusions(result.page, result.number, settings)
        figure_confidence.update(
            (len(lines) + k, spans) for k, spans in enumerate(figure_spans(page_lines, result.page)) if spans
        )
        if len(result.page.glyphs) == len(page_lines):
            glyphs.update((len(lines) + k, g) for k, g in enumerate(result.page.glyphs) if g)
        if result.page.size is not None:
            sizes[result.number] = result.page.size
        lines.extend(page_lines)
        numbers.extend([result.number] * len(page_lines))
        problems.extend(repairs + low_confidence(result.number, result.page.confidence, settings))
    read = [r.number for r in results if r.page is not None]
    return SourceText(
        lines=lines,
        pages=numbers,
        format="image",
        method="ocr",
        page_count=frames.count,
        notes=[f"{len(read)} of {frames.count} pages OCR'd"],
        problems=problems,
        ocr_confidence=mean_confidence([r.page.confidence for r in results if r.page is not None]),
        ocr_pages=read,
        figure_confidence=figure_confidence,
        glyphs=glyphs,
        page_sizes=sizes,
    )
