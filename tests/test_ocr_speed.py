"""The cheaper ways OCR does its work must read exactly what the plain ways read: Tesseract
fed raw pixels on its standard input, several second looks in one process, rulings found
only in the rows that can hold one."""

import random
from pathlib import Path

import numpy as np
import pytest

from extract.readers.ocr import _long_runs, ocr_available, tesseract_data

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _runs_one_by_one(mask: np.ndarray, min_length: int) -> np.ndarray:
    """The plain definition: walk each row, keep the runs of True at least MIN_LENGTH long."""
    out = np.zeros(mask.shape, dtype=bool)
    for r, row in enumerate(mask.tolist()):
        start = None
        for c, dark in enumerate(row + [False]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                if c - start >= min_length:
                    out[r, start:c] = True
                start = None
    return out


@pytest.mark.parametrize("seed", range(6))
def test_long_runs_are_those_of_the_plain_walk(seed):
    rng = random.Random(seed)
    for _ in range(40):
        height, width = rng.randint(1, 30), rng.randint(1, 400)
        mask = np.array([[rng.random() < 0.5 for _ in range(width)] for _ in range(height)])
        for _ in range(rng.randint(0, 4)):  # rulings: long runs at any offset, any length
            r, start = rng.randrange(height), rng.randrange(width)
            mask[r, start : start + rng.randint(1, 300)] = True
        for min_length in (1, 2, 7, 15, 16, 31, 32, 63, 64, 100, 127, 128, 180, 255):
            assert (_long_runs(mask, min_length) == _runs_one_by_one(mask, min_length)).all(), min_length
            assert (_long_runs(mask.T, min_length) == _runs_one_by_one(mask.T, min_length)).all()


def _figures_image(texts: list[str]):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 40)
    image = Image.new("L", (900, 70 * len(texts) + 40), 255)
    draw = ImageDraw.Draw(image)
    for k, text in enumerate(texts):
        draw.text((30, 30 + 70 * k), text, font=font, fill=0)
    return image


needs_tesseract = pytest.mark.skipif(
    not ocr_available("vie") or not FONT.exists(), reason="Tesseract's Vietnamese model or the font"
)


@needs_tesseract
def test_pixels_on_stdin_read_as_pytesseract_reads_a_file():
    import pytesseract

    image = _figures_image(["Tổng vốn 1.254,5 triệu đồng", "Năm 2025: 352,2 tỷ", "Hỗ trợ 45 hộ"])
    ours = tesseract_data([image], "vie", ["--psm", "4", "--dpi", "300"])
    theirs = pytesseract.image_to_data(
        image, lang="vie", config="--psm 4 --dpi 300", output_type=pytesseract.Output.DICT
    )
    assert ours == [theirs]
    assert "1.254,5" in ours[0]["text"]


@needs_tesseract
def test_second_looks_in_one_process_read_as_one_process_each():
    image = _figures_image(["1.254,5", "352,2", "3522", "12.000"])
    crops = [image.crop((20, 20 + 70 * k, 400, 90 + 70 * k)) for k in range(4)]
    crops.append(image.crop((0, 0, 5, 5)))  # a blank one: no words
    options = ["--psm", "7", "--dpi", "300", "-c", "tessedit_char_whitelist=0123456789.,"]
    together = tesseract_data(crops, "vie", options)
    alone = [tesseract_data([c], "vie", options)[0] for c in crops]
    assert len(together) == len(crops)
    for k, (a, b) in enumerate(zip(together, alone)):
        assert a["page_num"] == [k + 1] * len(a["page_num"])
        assert {n: v for n, v in a.items() if n != "page_num"} == {
            n: v for n, v in b.items() if n != "page_num"
        }
    assert [w for w in together[1]["text"] if w] == ["352,2"]
    assert tesseract_data([], "vie", options) == []
