#!/usr/bin/env python3
"""Scanned versions of our sample plans, with realistic scan damage.

    python scripts/make_scans.py corpus/generated corpus/generated/scans [--dpi 300] [--only STEM...]

Takes the text PDFs that make_corpus_formats.py wrote, rasterises every page (pdfium) at
DPI, and damages it as a scanner and an office would: a slight rotation, blur, speckle,
a red round stamp over the signer's title and a signature scrawl under it. Writes an image-only PDF
(`<stem>.scan.pdf`, no text layer) and a multi-page TIFF (`<stem>.tif`) per plan.
Deterministic: the damage is drawn from a seed per plan.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def rasterise(pdf_path: Path, dpi: int) -> list[Image.Image]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_path.read_bytes())
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def signature_spot(pdf_path: Path, dpi: int) -> tuple[int, float, float] | None:
    """(page index, x, y in pixels) of the signer's title ("CHỦ TỊCH"), where the stamp goes."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages):
            for word in page.extract_words():
                if word["text"].startswith("TỊCH"):
                    return i, word["x0"] * dpi / 72, word["top"] * dpi / 72
    return None


def damage(page: Image.Image, rng: random.Random, dpi: int, spot: tuple[float, float] | None) -> Image.Image:
    angle = rng.uniform(-0.8, 0.8)
    page = page.rotate(angle, resample=Image.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(radius=0.5 * dpi / 300))
    draw = ImageDraw.Draw(page)
    w, h = page.size
    for _ in range(int(w * h / 20000)):  # speckle: dust and toner dots
        x, y = rng.randrange(w), rng.randrange(h)
        r = rng.choice((0, 0, 1, 1, 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randint(0, 90),) * 3)
    if spot is not None:
        _stamp(page, rng, dpi, spot)
        _signature(draw, rng, spot)
    return page


def _stamp(page: Image.Image, rng: random.Random, dpi: int, spot: tuple[float, float]) -> None:
    """A red round office stamp, half transparent, over the signer's title."""
    size = int(1.3 * dpi)
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (200, 20, 30, 150)
    d.ellipse((4, 4, size - 4, size - 4), outline=red, width=max(3, dpi // 60))
    d.ellipse((size * 0.12, size * 0.12, size * 0.88, size * 0.88), outline=red, width=max(2, dpi // 100))
    font = ImageFont.truetype(str(FONT), max(12, dpi // 12)) if FONT.exists() else ImageFont.load_default()
    d.text((size / 2, size / 2), "ỦY BAN\nNHÂN DÂN", fill=red, font=font, anchor="mm", align="center")
    layer = layer.rotate(rng.uniform(-20, 20), resample=Image.BICUBIC)
    x, y = int(spot[0] - size * rng.uniform(0.6, 0.9)), int(spot[1] - size * rng.uniform(0.1, 0.3))
    page.paste(layer, (x, y), layer)


def _signature(draw: ImageDraw.ImageDraw, rng: random.Random, spot: tuple[float, float]) -> None:
    """A scrawl under the signer's title: a few loops of a pen."""
    x0, y0 = spot[0] - 40, spot[1] + 120
    points = []
    for i in range(60):
        t = i / 59
        points.append(
            (
                x0 + t * 500 + 25 * math.sin(t * 17 + rng.random()),
                y0 + 30 * math.sin(t * 9) + 12 * math.cos(t * 23),
            )
        )
    draw.line(points, fill=(20, 30, 120), width=4, joint="curve")


def write_scans(pdf_path: Path, out_dir: Path, dpi: int) -> tuple[Path, Path]:
    seed = int(hashlib.sha256(pdf_path.stem.encode()).hexdigest()[:8], 16)
    rng = random.Random(seed)
    pages = rasterise(pdf_path, dpi)
    where = signature_spot(pdf_path, dpi) or (len(pages) - 1, pages[-1].width * 0.55, pages[-1].height * 0.4)
    scans = [damage(p, rng, dpi, where[1:] if i == where[0] else None) for i, p in enumerate(pages)]
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_out = out_dir / f"{pdf_path.stem}.scan.pdf"
    tif_out = out_dir / f"{pdf_path.stem}.tif"
    buffer = io.BytesIO()
    # JPEG inside the PDF, as scanners write them; the TIFF keeps grey levels, compressed
    scans[0].save(
        buffer,
        "PDF",
        resolution=dpi,
        save_all=True,
        append_images=scans[1:],
        quality=80,
        creationDate=None,
        modDate=None,
    )
    pdf_out.write_bytes(buffer.getvalue())
    grey = [s.convert("L") for s in scans]
    grey[0].save(
        tif_out, "TIFF", save_all=True, append_images=grey[1:], compression="tiff_lzw", dpi=(dpi, dpi)
    )
    return pdf_out, tif_out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="folder with the text PDFs of make_corpus_formats.py")
    ap.add_argument("dst", type=Path)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--only", nargs="*", help="plan stems to scan (default: all)")
    args = ap.parse_args(argv)
    pdfs = sorted(p for p in args.src.glob("*.pdf") if not p.name.endswith(".scan.pdf"))
    if args.only:
        pdfs = [p for p in pdfs if p.stem in args.only]
    for pdf in pdfs:
        write_scans(pdf, args.dst, args.dpi)
    print(f"{len(pdfs)} plans scanned into {args.dst} ({args.dpi} dpi, PDF and TIFF)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
