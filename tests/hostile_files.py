"""Hostile files, each small on disk and quick to make, that once made a reader eat
gigabytes or lose text silently. `write_hostile_files(folder)` writes them all:

    huge_page.pdf       one blank page of 20,000 x 20,000 pt (rendered whole at 300 dpi: 16 GiB)
    blank_pages.pdf     60 blank A4 pages (every page image held at once: 2.4 GB)
    counts.docx         a table cell with gridSpan 500,000,000, a list starting at 10^9 at level 10^9
    declared_size.docx  a part whose zip entry declares 4 GB
    zip_bomb.docx       an image part that really inflates to 1.3 GB (bzip2, 2 KB on disk)
    big_frames.tif      40 frames of 9000 x 9000 px (all frames decoded at once: 3.6 GB)
    invalid_byte.txt    a UTF-8 plan with one byte that is not UTF-8 (was read as TCVN3)
    nul_bytes.txt       a UTF-8 plan with NUL bytes in it (was refused as binary)
    corrupt.pdf         a PDF header over broken objects
    not_an_image.png    text with an image suffix

Used by tests/test_hostile_inputs.py and by batch-level tests (all of them in one batch).
"""

from __future__ import annotations

import bz2
import struct
import zlib
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PLAN = CORPUS / "kh_son_la_giam_ngheo_2024.txt"


def write_hostile_files(folder: Path, plan: Path = PLAN) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plan_bytes = plan.read_bytes()
    contents = {
        "huge_page.pdf": pdf_bytes([(20_000, 20_000)]),
        "blank_pages.pdf": pdf_bytes([(595, 842)] * 60),
        "counts.docx": docx_bytes(
            table_cell_span=500_000_000, list_start=1_000_000_000, list_level=1_000_000_000
        ),
        "declared_size.docx": docx_bytes(declared_media_size=4_000_000_000),
        "zip_bomb.docx": docx_bytes(media_bomb_bytes=128 * 10_000_000),
        "big_frames.tif": tiff_bytes(9000, 9000, frames=40),
        "invalid_byte.txt": insert_after_lines(plan_bytes, b"\xff", every=len(plan_bytes) // 2, limit=1),
        "nul_bytes.txt": insert_after_lines(plan_bytes, b"\x00\x00", every=len(plan_bytes) // 5, limit=4),
        "corrupt.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj << /Kids [3 0 R"
        + bytes(range(256))
        + b"\n%%EOF\n",
        "not_an_image.png": b"Ke hoach 2024: this is text, not a picture\n",
    }
    paths = {}
    for name, data in contents.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def insert_after_lines(data: bytes, insert: bytes, every: int, limit: int) -> bytes:
    """DATA with INSERT after the first line break past every EVERY bytes, LIMIT times
    (after a line break, so no UTF-8 sequence is cut)."""
    out, start = bytearray(), 0
    for _ in range(limit):
        cut = data.find(b"\n", start + every)
        if cut < 0:
            break
        out += data[start : cut + 1] + insert
        start = cut + 1
    return bytes(out + data[start:])


# --------------------------------------------------------------------------------------
def pdf_bytes(page_sizes: list[tuple[float, float]]) -> bytes:
    """A minimal PDF of blank pages of the given sizes (points)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(len(page_sizes)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(page_sizes)} >>",
    ]
    objects += [
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:f} {h:f}] /Resources << >> >>" for w, h in page_sizes
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --------------------------------------------------------------------------------------
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_bytes(
    table_cell_span: int = 1,
    list_start: int = 1,
    list_level: int = 0,
    media: bytes = b"\x89PNG\r\n\x1a\n" + bytes(64),
    declared_media_size: int | None = None,
    media_bomb_bytes: int | None = None,
) -> bytes:
    """A minimal DOCX: a numbered heading, a paragraph, a two-row table and an image part
    (MEDIA, deflated). The image part can declare a size it does not have, or really
    inflate to MEDIA_BOMB_BYTES (bzip2, which Python's zipfile inflates in one gulp)."""
    body = (
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{list_level}"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        "<w:r><w:t>MỤC TIÊU</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Kinh phí thực hiện năm 2024 là 1.200 triệu đồng.</w:t></w:r></w:p>"
        f'<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="{table_cell_span}"/></w:tcPr>'
        "<w:p><w:r><w:t>Nội dung</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Tổng số</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>Dự án 1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>300</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl>"
    )
    numbering = (
        f'<w:numbering {_W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="{list_level}">'
        f'<w:start w:val="{list_start}"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%{min(list_level, 8) + 1}."/>'
        '</w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    )
    parts: list[tuple[str, bytes]] = [
        (
            "[Content_Types].xml",
            (
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                b'<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
                b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                b'wordprocessingml.document.main+xml"/><Override PartName="/word/numbering.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>'
            ),
        ),
        (
            "_rels/.rels",
            (
                f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ).encode(),
        ),
        (
            "word/_rels/document.xml.rels",
            (
                f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/numbering" Target="numbering.xml"/>'
                f'<Relationship Id="rId2" Type="{_REL}/image" Target="media/image1.png"/></Relationships>'
            ).encode(),
        ),
        ("word/document.xml", f"<w:document {_W} {_R}><w:body>{body}</w:body></w:document>".encode()),
        ("word/numbering.xml", numbering.encode()),
    ]
    entries = [deflated_entry(name, data) for name, data in parts]
    if media_bomb_bytes is not None:
        entries.append(
            (
                "word/media/image1.png",
                12,
                _bz2_zeros(media_bomb_bytes),
                _crc_of_zeros(media_bomb_bytes),
                media_bomb_bytes,
            )
        )
    else:
        name, method, payload, crc, size = deflated_entry("word/media/image1.png", media)
        entries.append((name, method, payload, crc, declared_media_size or size))
    return zip_bytes(entries)


def deflated_entry(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, 8, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def zip_bytes(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip archive of (name, method, compressed bytes, crc, declared size) entries,
    written by hand so that a size can be declared that the data does not have."""
    out, central = bytearray(), bytearray()
    for name, method, payload, crc, size in entries:
        raw = name.encode()
        version = 46 if method == 12 else 20
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                version,
                version,
                0,
                method,
                0,
                0x21,
                crc,
                len(payload),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + raw
        )
        out += (
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, version, 0, method, 0, 0x21, crc, len(payload), size, len(raw), 0
            )
            + raw
            + payload
        )
    start = len(out)
    out += central + struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


def _crc_of_zeros(size: int) -> int:
    crc, chunk = 0, bytes(1 << 22)
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return zlib.crc32(bytes(size % len(chunk)), crc)


def _bz2_zeros(size: int, block: int = 10_000_000) -> bytes:
    """A bzip2 stream of SIZE zero bytes (a multiple of BLOCK), made without compressing
    them all: one block of zeros is compressed once and its bits repeated."""
    if size % block:
        raise ValueError("size must be a multiple of block")
    one = bz2.compress(bytes(block), 9)
    bits, nbits = int.from_bytes(one, "big"), len(one) * 8
    # the stream ends with a 48-bit end marker, the 32-bit combined CRC and 0-7 padding bits
    for pad in range(8):
        end_marker_at = nbits - pad - 80
        if (bits >> (nbits - end_marker_at - 48)) & (1 << 48) - 1 == 0x177245385090:
            break
    else:
        raise ValueError("no bzip2 end marker")
    block_bits = end_marker_at - 32  # after the 4-byte "BZh9" header
    block_value = (bits >> (nbits - end_marker_at)) & ((1 << block_bits) - 1)
    block_crc = (block_value >> (block_bits - 80)) & 0xFFFFFFFF  # follows the block's 48-bit marker
    value, length, combined = int.from_bytes(b"BZh9", "big"), 32, 0
    for _ in range(size // block):
        value, length = (value << block_bits) | block_value, length + block_bits
        combined = (((combined << 1) | (combined >> 31)) & 0xFFFFFFFF) ^ block_crc
    value, length = (value << 80) | (0x177245385090 << 32) | combined, length + 80
    pad = -length % 8
    return (value << pad).to_bytes((length + pad) // 8, "big")


# --------------------------------------------------------------------------------------
def tiff_bytes(width: int, height: int, frames: int) -> bytes:
    """A multi-page TIFF of FRAMES white WIDTH x HEIGHT bilevel frames (CCITT G4, where a
    white row under a white row is the one bit '1'): the strip is stored once and every
    page's directory points at it."""
    strip = b"\xff" * -(-height // 8)
    first = 8 + len(strip) + len(strip) % 2
    out = bytearray(b"II*\x00" + struct.pack("<I", first) + strip + b"\x00" * (len(strip) % 2))
    entries = [
        (256, 4, width),
        (257, 4, height),
        (258, 3, 1),
        (259, 3, 4),
        (262, 3, 0),
        (273, 4, 8),
        (277, 3, 1),
        (278, 4, height),
        (279, 4, len(strip)),
    ]  # G4, white is zero, one strip
    size = 2 + 12 * len(entries) + 4
    for k in range(frames):
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            out += struct.pack("<HHI", tag, kind, 1) + struct.pack(
                "<HH" if kind == 3 else "<I", *((value, 0) if kind == 3 else (value,))
            )
        out += struct.pack("<I", first + (k + 1) * size if k + 1 < frames else 0)
    return bytes(out)
