"""The cheaper ways OCR does its work must read exactly what the plain ways read: Tesseract
given uncompressed TIFF files, several second looks in one process, Tesseract loaded in
this process and kept for later readings, rulings found only in the rows that can hold one,
the levelling's climb."""

import os
import random
from pathlib import Path

import numpy as np
import pytest

from extract.readers.ocr import (
    _api_options,
    _climb,
    _deskew,
    _library,
    _long_runs,
    ocr_available,
    tesseract_data,
    tesseract_reader,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# as ocr_pages runs Tesseract (one thread), before the engine's OpenMP runtime is loaded
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


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
def test_a_tiff_reads_as_pytesseracts_png_reads():
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


needs_library = pytest.mark.skipif(
    _library() is None, reason="libtesseract (as the command's version) to load in this process"
)


@needs_tesseract
@needs_library
def test_an_engine_in_this_process_reads_as_the_command_reads():
    """Each reading's options are set anew: a page read after digits-only second looks (a
    whitelist, another page segmentation) reads as a fresh `tesseract` process reads it,
    and so do the looks after it; the engine is kept and taken again."""
    page = _figures_image(["Tổng vốn 1.254,5 triệu đồng", "Năm 2025: 352,2 tỷ", "Hỗ trợ 45 hộ"])
    crops = [page.crop((20, 20 + 70 * k, 700, 90 + 70 * k)) for k in range(3)]
    crops.append(page.crop((0, 0, 5, 5)))  # a blank one: no words
    looks = ["--psm", "7", "--dpi", "300", "-c", "tessedit_char_whitelist=0123456789.,"]
    plain = ["--psm", "4", "--dpi", "300"]
    expected = [
        tesseract_data(crops, "vie", looks),
        tesseract_data([page], "vie", plain),
        tesseract_data([page], "vie", ["--psm", "6"]),  # no resolution given: Tesseract's own guess
    ]
    engines = []
    for _ in range(2):
        with tesseract_reader("vie") as read:
            engines.append(read.__self__)
            assert read(crops, looks) == expected[0]
            assert read([page], plain) == expected[1]
            assert read([page], ["--psm", "6"]) == expected[2]
            assert read(crops, looks) == expected[0]
            assert read([], plain) == []
    assert engines[0] is engines[1]
    # the whitelist held for the looks and only for them
    assert all(set(w.strip()) <= set("0123456789.,") for look in expected[0] for w in look["text"])
    assert "352,2" in "".join(expected[0][1]["text"]) and "Tổng" in expected[1][0]["text"]


def test_options_an_engine_does_not_know_go_to_the_command():
    assert _api_options(["--psm", "7", "--dpi", "300", "-c", "tessedit_char_whitelist=0123"]) == (
        7,
        {"tessedit_char_whitelist": "0123", "user_defined_dpi": "300"},
    )
    assert _api_options(["--psm", "4", "-c", "tessedit_create_tsv=1"]) == (
        4,
        {"tessedit_char_whitelist": "", "user_defined_dpi": "0"},
    )
    assert _api_options(["--oem", "0"]) is None
    assert _api_options(["-c", "preserve_interword_spaces=1"]) is None
    assert _api_options(["--psm"]) is None


@pytest.mark.parametrize("seed", range(4))
def test_the_levelling_climb_finds_the_peak_a_full_search_finds(seed):
    rng = random.Random(seed)
    for _ in range(300):
        angles = np.arange(-2.0, 2.01, rng.choice([0.5, 0.1, 0.25]))
        peak, width = rng.uniform(-2.5, 2.5), rng.uniform(0.2, 3)

        def score(angle: float, peak: float = peak, width: float = width) -> float:
            return 1000 / (1 + ((angle - peak) / width) ** 2)  # one peak, anywhere (even outside)

        climbed: list[float] = []
        found = _climb(angles, lambda a, climbed=climbed: climbed.append(a) or score(a))
        assert found == float(max(angles, key=score))
        assert len(set(climbed)) == len(climbed) <= len(angles)  # no angle scored twice


def _levelled_by_full_search(grey):
    """The levelling as it was before the climb: every angle of both steps tried."""
    from PIL import Image

    small = grey.resize((max(1, grey.width // 4), max(1, grey.height // 4)))

    def sharpness(angle: float) -> float:
        rotated = np.asarray(small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)) < 160
        return float(np.var(rotated.sum(axis=1)))

    best = max(np.arange(-2.0, 2.01, 0.5), key=sharpness)
    best = float(max(np.arange(best - 0.4, best + 0.41, 0.1), key=sharpness))
    return grey if abs(best) < 0.05 else grey.rotate(best, resample=Image.Resampling.BICUBIC, fillcolor=255)


def test_a_tilted_page_is_levelled_as_the_full_search_levels_it():
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 28) if FONT.exists() else ImageFont.load_default()
    page = Image.new("L", (1600, 2000), 255)
    draw = ImageDraw.Draw(page)
    for k in range(30):
        text = "Tổng vốn ngân sách trung ương năm 2025: 1.254,5 triệu đồng"
        draw.text((100 + 40 * (k % 3), 100 + 60 * k), text[: 20 + k], font=font)
    assert _deskew(page) is page  # a level page is not rotated
    levelled = 0
    for tilt in (-2.2, -1.3, -0.6, -0.25, 0.3, 0.75, 1.7):
        tilted = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
        ours, theirs = _deskew(tilted), _levelled_by_full_search(tilted)
        assert ours.tobytes() == theirs.tobytes(), tilt
        levelled += ours is not tilted
    # crisp drawn text: the unrotated copy's sharpness wins for the small tilts (both searches)
    assert levelled >= 2
