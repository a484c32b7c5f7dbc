"""Scanned images (.png, .jpg, .tif, multi-page TIFF): every frame OCR'd as a page."""
from __future__ import annotations

from .base import PageProblem, SourceText
from .ocr import OcrSettings, figure_spans, image_frames, low_confidence, mean_confidence, ocr_images, repair_confusions


def read_image(data: bytes, rules) -> SourceText:
    settings = OcrSettings.from_rules(rules)
    frames = image_frames(data)
    pages = ocr_images(frames, settings)
    lines: list[str] = []
    numbers: list[int | None] = []
    problems: list[PageProblem] = []
    figure_confidence: dict[int, list[tuple[int, int, float]]] = {}
    for number, page in enumerate(pages, start=1):
        page_lines, repairs = repair_confusions(page, number, settings)
        figure_confidence.update((len(lines) + k, spans) for k, spans in enumerate(figure_spans(page_lines, page))
                                 if spans)
        lines.extend(page_lines)
        numbers.extend([number] * len(page_lines))
        problems.extend(repairs + low_confidence(number, page.confidence, settings))
    return SourceText(lines=lines, pages=numbers, format="image", method="ocr", page_count=len(frames),
                      notes=[f"{len(frames)} pages OCR'd"], problems=problems,
                      ocr_confidence=mean_confidence([p.confidence for p in pages]),
                      ocr_pages=list(range(1, len(frames) + 1)), figure_confidence=figure_confidence)
