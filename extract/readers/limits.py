"""Bounds on what the readers take from a file (rules/inputs.yaml): page images for OCR,
page and frame counts, DOCX packages and the counts inside them, text decoding.

A value beyond a bound never stops the document: it is clamped, downsampled or left
unread, and said so in a PageProblem (a check)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .base import PageProblem

if TYPE_CHECKING:
    from ..rules import Rules


@dataclass(frozen=True)
class PageLimits:
    """Page images given to OCR."""

    max_pixels: int
    max_side: int
    min_dpi: float
    max_decoded_pixels: int

    def fit(self, width_px: float, height_px: float, dpi: float, whole_factor: bool = False) -> PageFit:
        """How a page of WIDTH_PX x HEIGHT_PX pixels at DPI fits the budget; WHOLE_FACTOR:
        shrink by a whole factor (1/2, 1/3, …), which decoded images reduce fast."""
        if not (math.isfinite(width_px) and math.isfinite(height_px)) or width_px <= 0 or height_px <= 0:
            return PageFit(width_px, height_px, dpi, 0.0, refused=True)
        scale = min(
            1.0, math.sqrt(self.max_pixels / (width_px * height_px)), self.max_side / max(width_px, height_px)
        )
        if whole_factor and scale < 1.0:
            scale = 1.0 / math.ceil(1.0 / scale - 1e-9)
        # only a page that must be shrunk can be refused: an image's own low dpi is its own
        return PageFit(width_px, height_px, dpi, scale, refused=scale < 1.0 and dpi * scale < self.min_dpi)


@dataclass(frozen=True)
class PageFit:
    width_px: float
    height_px: float
    dpi: float
    scale: float  # 1.0: the page as asked; below: downsampled by this factor
    refused: bool

    @property
    def downsampled(self) -> bool:
        return not self.refused and self.scale < 1.0

    def problem(self, number: int, what: str, limits: PageLimits) -> PageProblem | None:
        """The check for page NUMBER (WHAT: the page's own size, in its units), if any."""
        size = f"{measure(self.width_px)} × {measure(self.height_px)} pixels at {self.dpi:g} dpi"
        if self.refused:
            return PageProblem(
                "unreadable_page",
                number,
                f"page {number}: {what}, {size}; it cannot be brought within "
                f"{limits.max_pixels / 1e6:g} megapixels and {limits.max_side} pixels a side at "
                f"{limits.min_dpi:g} dpi or more, so it was not OCR'd",
            )
        if self.downsampled:
            return PageProblem(
                "page_downsampled",
                number,
                f"page {number}: {what}, {size}, over the limit of {limits.max_pixels / 1e6:g} "
                f"megapixels or {limits.max_side} pixels a side; OCR'd at {self.dpi * self.scale:.0f} "
                f"dpi instead (small type may be read less well)",
            )
        return None


@dataclass(frozen=True)
class DocxLimits:
    max_parts: int
    max_part_bytes: int
    max_package_bytes: int
    max_grid_span: int
    max_row_cells: int
    max_list_level: int
    max_list_number: int


@dataclass(frozen=True)
class DecodingLimits:
    max_control_share: float
    utf16_min_nul_share: float
    utf16_min_nul_parity: float


@dataclass(frozen=True)
class InputLimits:
    pages: PageLimits
    max_pdf_pages: int
    max_image_frames: int
    docx: DocxLimits
    decoding: DecodingLimits
    max_reported_positions: int
    max_message_chars: int

    @classmethod
    def from_rules(cls, rules: Rules) -> InputLimits:
        return cls.from_section(rules.section("inputs"))

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> InputLimits:
        """From rules/inputs.yaml; a missing or malformed entry raises KeyError/ValueError/TypeError."""
        limits, decoding = section["limits"], section["decoding"]
        pages, docx = limits["pages"], limits["docx"]
        return cls(
            pages=PageLimits(
                int(pages["max_pixels"]),
                int(pages["max_side"]),
                float(pages["min_dpi"]),
                int(pages["max_decoded_pixels"]),
            ),
            max_pdf_pages=int(limits["max_pdf_pages"]),
            max_image_frames=int(limits["max_image_frames"]),
            docx=DocxLimits(**{name: int(docx[name]) for name in DocxLimits.__dataclass_fields__}),
            decoding=DecodingLimits(
                **{name: float(decoding[name]) for name in DecodingLimits.__dataclass_fields__}
            ),
            max_reported_positions=int(limits["max_reported_positions"]),
            max_message_chars=int(limits["max_message_chars"]),
        )


def measure(value: float) -> str:
    """A size in words: whole units up to a million, three figures beyond (a hostile file
    can state 10^30)."""
    return f"{value:.0f}" if abs(value) < 1e6 else f"{value:.3g}"


def listed(positions: list[int], total: int, what: str = "byte") -> str:
    """'at byte 12, 40 and 99', or 'first at byte 12, 40, …' when POSITIONS are the first of TOTAL."""
    shown = ", ".join(str(p) for p in positions)
    if total > len(positions):
        return f"the first {len(positions)} at {what} {shown}"
    return f"at {what} {shown}"
