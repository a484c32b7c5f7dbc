"""`kehoach review`: one self-contained HTML page per document, to check any figure against
its source in seconds.

The page shows the document's extracted text line by line (anchors `#L<n>`), every amount,
target and heading highlighted by kind at its `char_start`/`char_end`, each highlight's
attributes on hover (title) and click (side panel), the section tree as an outline, the
document's checks at the top with links to their lines, filters (only lines with checks,
one program, only money), and for PDFs and scans the page images beside the text; a fact
whose row has a box (`bbox_page`, `bbox_x0` … `bbox_y1` in points from the page's top
left, extract/boxes.py) gets a box on its page image, placed as fractions of the page's
size (the documents row's `page_widths` and `page_heights`, in the same points). An OCR'd
figure shows its word confidence.

Nothing leaves the page: CSS, script and images are inline. The same view gives the same
bytes. All document text goes through html.escape, and the facts' JSON is made safe to
embed in a <script> element.

Why not displaCy's manual mode: it renders one label per span, so a fact's attributes, its
line anchors, spans that nest or cross (an amount inside a target) and facts whose offsets
do not match the text cannot be expressed; the markup here follows displaCy's (a <mark> per
span, coloured by kind) with those added.
"""

from __future__ import annotations

import base64
import bisect
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .show import COMPARATOR_SIGN
from .view import DocumentView, header_fields, row_label

FACT_KINDS = ("amount", "target", "heading")
PAGE_IMAGE_WIDTH = 760  # pixels: legible at a glance, light enough to inline
PAGE_IMAGE_QUALITY = 55  # JPEG; grey pages of text stay readable
TITLE_MAX = 140
# headings drawn lighter: there are many, and the structure is in the parts and projects
MINOR_HEADING_KINDS = frozenset({"item", "activity", "content"})


@dataclass
class Fact:
    """One highlight: a row of amounts, targets or sections with its place in the text."""

    fact_id: str  # the row's id (amount_id, target_id, section_id)
    kind: str  # amount | target | heading
    line: int | None
    page: int | None
    start: int | None  # offsets in the document text
    end: int | None
    raw_text: str
    program: str | None
    summary: str  # one line, for the hover title
    attributes: list[tuple[str, str]]  # shown in the panel, in this order
    problem: str | None = None  # why the fact is not drawn at its offsets
    bbox: list[float] | None = None  # x0, y0, x1, y1 as fractions of the page, origin top left
    bbox_page: int | None = None
    check_ids: list[str] = field(default_factory=list)
    minor: bool = False  # a list item or activity heading: drawn lighter than parts and projects

    @property
    def placed(self) -> bool:
        return self.problem is None


def vn_number(value: float | None) -> str:
    """A value the Vietnamese way: '.' groups thousands, ',' marks decimals."""
    if value is None:
        return "?"
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _short(fact_id: str | None) -> str:
    return (fact_id or "").rsplit(":", 1)[-1]


# ---------------------------------------------------------------------------------- facts
def collect_facts(view: DocumentView) -> list[Fact]:
    sections = {s["section_id"]: s for s in view.sections}
    amounts = {a["amount_id"]: a for a in view.amounts}

    def section_path(section_id: str | None) -> str:
        """The labels from the top heading down, then the innermost heading's title."""
        chain = []
        node = sections.get(section_id) if section_id else None
        while node is not None:
            chain.append(node)
            node = sections.get(node["parent_id"]) if node["parent_id"] else None
        if not chain:
            return "(before the first heading)"
        labels = " › ".join((s["label"] or "·") for s in reversed(chain))
        title = chain[0]["title"] or ""
        return f"{labels}: {title if len(title) <= 70 else title[:69] + '…'}"

    facts: list[Fact] = []
    for a in view.amounts:
        parent = amounts.get(a["parent_amount_id"]) if a["parent_amount_id"] else None
        attributes = [
            ("value", f"{vn_number(a['value_million_vnd'])} triệu đồng"),
            ("as written", a["raw_text"] or ""),
            ("unit", (a["unit_raw"] or "—") + (" (inferred)" if a.get("unit_inferred") else "")),
            ("source", a["funding_source"] or "—"),
            ("capital type", a["capital_type"] or "—"),
            ("measure", a["measure"] or "—"),
            ("fiscal year", str(a["fiscal_year"]) if a["fiscal_year"] else "—"),
            ("program", a["program"] or "—"),
            ("project / subproject", f"{a['project'] or '—'} / {a['subproject'] or '—'}"),
            ("canonical code", a["canonical_code"] or "—"),
            (
                "parent",
                f"{_short(parent['amount_id'])}: {parent['raw_text']} (line {parent['line']})"
                if parent
                else "—",
            ),
        ]
        label = row_label(a.get("context"))
        if label:
            attributes.append(("table row", label))
        facts.append(
            _fact(
                a,
                "amount_id",
                "amount",
                a["program"],
                attributes,
                section_path(a["section_id"]),
                f"{vn_number(a['value_million_vnd'])} trđ · {a['funding_source'] or '-'} · "
                f"{a['capital_type'] or '-'} · {a['measure'] or '-'}",
            )
        )
    for t in view.targets:
        rng = f"–{vn_number(t['value_max'])}" if t["value_max"] is not None else ""
        sign = COMPARATOR_SIGN.get(t["comparator"] or "", t["comparator"] or "")
        value = f"{sign}{vn_number(t['value'])}{rng} {t['unit'] or ''}".strip()
        attributes = [
            ("value", value),
            ("as written", t["raw_text"] or ""),
            ("comparator", t["comparator"] or "—"),
            ("direction", t["direction"] or "—"),
            ("kind", t["kind"] or "—"),
            ("indicator", t["indicator"] or "—"),
            ("program", t["program"] or "—"),
            ("year", t["year"] or "—"),
        ]
        if t["numerator"] is not None:
            attributes.append(("ratio", f"{vn_number(t['numerator'])}/{vn_number(t['denominator'])}"))
        facts.append(
            _fact(
                t,
                "target_id",
                "target",
                t["program"],
                attributes,
                section_path(t["section_id"]),
                f"{value} · {t['kind']} · {(t['indicator'] or '')[:60]}",
            )
        )
    for s in view.sections:
        attributes = [
            ("label", s["label"] or "—"),
            ("kind", s["kind"]),
            ("title", s["title"] or ""),
            ("role", s["role"] or "—"),
            ("program", s["program"] or "—"),
            ("canonical code", s["canonical_code"] or "—"),
            ("lines", f"{s['line_start']}–{s['line_end']}"),
        ]
        facts.append(
            Fact(
                fact_id=s["section_id"],
                kind="heading",
                line=s["line_start"],
                page=s["page_start"],
                start=None,
                end=None,
                raw_text=s["title"] or "",
                program=s["program"],
                summary=f"{s['kind']} · {s['role'] or '-'} · {s['canonical_code'] or s['program'] or '-'}",
                attributes=attributes,
                minor=s["kind"] in MINOR_HEADING_KINDS,
            )
        )
    for fact, row in zip(facts, [*view.amounts, *view.targets, *view.sections], strict=True):
        _boxed(fact, row, view.document)
    by_id = {f.fact_id: f for f in facts}
    for c in view.checks:
        if c["amount_id"] in by_id:
            by_id[c["amount_id"]].check_ids.append(c["check_id"])
    return facts


def _fact(
    row: dict,
    id_column: str,
    kind: str,
    program: str | None,
    attributes: list[tuple[str, str]],
    where: str,
    summary: str,
) -> Fact:
    attributes = attributes + [
        ("section", where),
        ("line / page", f"{row['line']} / {row['page'] or '—'}"),
        ("id", row[id_column]),
    ]
    if row.get("ocr_confidence") is not None:  # an OCR'd figure: the word confidence it was read with
        attributes.append(("OCR confidence", f"{row['ocr_confidence']:g} / 100"))
    if row.get("rules"):  # the rules that gave the value and the attributes (show --why)
        attributes.append(("rules", str(row["rules"])))
    return Fact(
        fact_id=row[id_column],
        kind=kind,
        line=row["line"],
        page=row["page"],
        start=row["char_start"],
        end=row["char_end"],
        raw_text=row["raw_text"] or "",
        program=program,
        summary=summary,
        attributes=attributes,
    )


def page_box(row: dict, document: dict) -> tuple[int, list[float]] | None:
    """The row's box as (page, [x0, y0, x1, y1] as fractions of that page's width and
    height, origin top left), from its bbox columns in points and the document's page
    sizes; None when either is missing."""
    page = row.get("bbox_page")
    widths, heights = document.get("page_widths") or [], document.get("page_heights") or []
    if page is None or not 1 <= page <= min(len(widths), len(heights)):
        return None
    width, height = widths[page - 1], heights[page - 1]
    corners = [row.get(c) for c in ("bbox_x0", "bbox_y0", "bbox_x1", "bbox_y1")]
    if not width or not height or any(v is None for v in corners):
        return None
    x0, y0, x1, y1 = corners
    return page, [round(x0 / width, 5), round(y0 / height, 5), round(x1 / width, 5), round(y1 / height, 5)]


def _boxed(fact: Fact, row: dict, document: dict) -> Fact:
    box = page_box(row, document)
    if box is not None:
        fact.bbox_page, fact.bbox = box
    return fact


def place_facts(facts: list[Fact], view: DocumentView) -> None:
    """Check each fact's offsets against the text: its slice must equal its raw_text, and its
    line must be the line the offsets fall on. A fact that fails is marked, not moved."""
    text, lines = view.text, view.lines
    if text is None or lines is None:
        for f in facts:
            f.problem = view.text_note or "no text"
        return
    line_starts = [ln.offset for ln in lines]
    for f in facts:
        if f.kind == "heading":
            if not f.line or not 1 <= f.line <= len(lines):
                f.problem = f"line {f.line} is not in the text"
                continue
            line = lines[f.line - 1]
            lead = len(line.raw) - len(line.raw.lstrip())
            f.start, f.end = line.offset + lead, line.offset + len(line.raw.rstrip())
            if f.end <= f.start:
                f.problem = f"line {f.line} is empty"
            continue
        if f.start is None or f.end is None or not 0 <= f.start < f.end <= len(text):
            f.problem = f"offsets {f.start}–{f.end} are outside the text"
        elif text[f.start : f.end] != f.raw_text:
            f.problem = (
                f"the text at offsets {f.start}–{f.end} is '{text[f.start : f.end][:40]}', "
                f"not its raw_text '{f.raw_text[:40]}'"
            )
        elif f.line is not None and _line_of(line_starts, f.start) != f.line:
            f.problem = (
                f"offset {f.start} is on line {_line_of(line_starts, f.start)}, not on its line {f.line}"
            )


def _line_of(line_starts: list[int], offset: int) -> int:
    """The 1-based number of the line holding OFFSET."""
    return bisect.bisect_right(line_starts, offset)


# ---------------------------------------------------------------------------------- HTML
def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _script_json(payload: object) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _mark_open(f: Fact, first: bool) -> str:
    classes = f"fact {f.kind}" + (" checked" if f.check_ids else "") + (" minor" if f.minor else "")
    anchor = f' id="f-{_e(f.fact_id)}"' if first else ""
    return (
        f'<mark class="{classes}"{anchor} data-f="{_e(f.fact_id)}" tabindex="0" '
        f'title="{_e(f.kind + ": " + f.summary)}">'
    )


def render_line(raw: str, offset: int, facts: list[Fact], opened: set[str]) -> str:
    """One line's text with its facts as nested <mark>s. Spans that cross are split into
    pieces (each carries the fact's id), so the markup always nests."""
    spans = []
    for f in facts:
        if f.start is None or f.end is None:
            continue
        s, e = max(f.start - offset, 0), min(f.end - offset, len(raw))
        if s < e:
            spans.append((s, e, f))
    if not spans:
        return _e(raw)
    bounds = sorted({0, len(raw), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    order = {id(f): i for i, (_, _, f) in enumerate(sorted(spans, key=lambda x: (x[0], -x[1])))}
    out: list[str] = []
    stack: list[Fact] = []
    for a, b in zip(bounds, bounds[1:]):
        active = sorted((f for s, e, f in spans if s <= a and b <= e), key=lambda f: order[id(f)])
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        out.extend("</mark>" for _ in stack[keep:])
        stack = stack[:keep]
        for f in active[keep:]:
            out.append(_mark_open(f, f.fact_id not in opened))
            opened.add(f.fact_id)
            stack.append(f)
        out.append(_e(raw[a:b]))
    out.extend("</mark>" for _ in stack)
    return "".join(out)


def _badge(f: Fact) -> str:
    """A fact that cannot be drawn at its offsets: shown beside its line, with the reason."""
    classes = f"fact {f.kind} unplaced" + (" checked" if f.check_ids else "")
    return (
        f'<mark class="{classes}" id="f-{_e(f.fact_id)}" data-f="{_e(f.fact_id)}" tabindex="0" '
        f'title="{_e("not at its offsets: " + (f.problem or ""))}">{_e(f.raw_text[:60] or f.kind)}</mark>'
    )


def _outline(view: DocumentView) -> str:
    children: dict[str | None, list[dict]] = {}
    for s in view.sections:
        children.setdefault(s["parent_id"], []).append(s)

    def branch(parent: str | None) -> str:
        items = []
        for s in children.get(parent, []):
            title = s["title"] or ""
            title = title if len(title) <= 70 else title[:69] + "…"
            code = f' <span class="code">{_e(s["canonical_code"])}</span>' if s["canonical_code"] else ""
            items.append(
                f'<li><a href="#L{s["line_start"]}" data-line="{s["line_start"]}">'
                f"<b>{_e(s['label'] or '·')}</b> {_e(title)}</a>{code}{branch(s['section_id'])}</li>"
            )
        return f"<ul>{''.join(items)}</ul>" if items else ""

    return branch(None) or '<p class="muted">no headings found</p>'


def _checks(view: DocumentView) -> str:
    if not view.checks:
        return '<p class="muted">no checks</p>'
    items = []
    for c in view.checks:
        where = (
            f'<a class="goto" href="#L{int(c["line"])}">line {int(c["line"])}</a>'
            if c["line"]
            else '<span class="muted">document</span>'
        )
        fact = f' data-f="{_e(c["amount_id"])}"' if c["amount_id"] else ""
        items.append(
            f'<li class="check sev-{_e(c["severity"])}" id="c-{_e(c["check_id"])}"{fact}>{where} '
            f"<b>{_e(c['severity'])}</b> <code>{_e(c['kind'])}</code> {_e(c['message'])}</li>"
        )
    return f'<ul class="checks">{"".join(items)}</ul>'


def _lines_html(view: DocumentView, facts: list[Fact]) -> str:
    check_lines: dict[int, list[str]] = {}
    for c in view.checks:
        if c["line"]:
            check_lines.setdefault(int(c["line"]), []).append(c["severity"])
    placed_by_line: dict[int, list[Fact]] = {}
    unplaced_by_line: dict[int, list[Fact]] = {}
    line_starts = [ln.offset for ln in view.lines] if view.lines is not None else []
    for f in facts:
        if f.placed and f.start is not None and f.end is not None:  # index a span on each of its lines
            first, last = _line_of(line_starts, f.start), _line_of(line_starts, max(f.end - 1, f.start))
            for n in range(first, last + 1):
                placed_by_line.setdefault(n, []).append(f)
        else:
            unplaced_by_line.setdefault(f.line or 0, []).append(f)
    if view.lines is not None:
        numbers = [ln.number for ln in view.lines]
    else:  # no text: one row per line that something points at, so every link lands
        numbers = sorted({n for n in [*check_lines, *unplaced_by_line] if n > 0})
    rows = []
    opened: set[str] = set()
    for n in numbers:
        line_facts = placed_by_line.get(n, []) + unplaced_by_line.get(n, [])
        kinds = sorted({f.kind for f in line_facts})
        programs = sorted({f.program for f in line_facts if f.program})
        classes = ["ln", *(f"has-{k}" for k in kinds)]
        if n in check_lines:
            classes.append("has-check")
            classes.extend(sorted({f"sev-{s}" for s in check_lines[n]}))
        page = view.lines[n - 1].page if view.lines is not None else None
        attrs = f' data-programs="{_e(" ".join(programs))}"' + (f' data-page="{page}"' if page else "")
        if view.lines is not None:
            line = view.lines[n - 1]
            body = render_line(line.raw, line.offset, placed_by_line.get(n, []), opened)
        else:
            body = ""
        badges = "".join(_badge(f) for f in unplaced_by_line.get(n, []))
        badges = f'<span class="badges">{badges}</span>' if badges else ""
        rows.append(
            f'<div class="{" ".join(classes)}" id="L{n}"{attrs}><a class="no" href="#L{n}">{n}</a>'
            f'<span class="tx">{badges}{body}</span></div>'
        )
    orphans = unplaced_by_line.get(0, [])
    if orphans:
        rows.append(
            f'<div class="ln has-unplaced" id="L0"><a class="no">?</a><span class="tx">'
            f'<span class="badges">{"".join(_badge(f) for f in orphans)}</span></span></div>'
        )
    return "\n".join(rows)


# ------------------------------------------------------------------------------- pages
def page_images(view: DocumentView) -> list[str]:
    """The source's pages as inline JPEG data URLs (PDFs and images whose text was read;
    none when the file cannot be rendered)."""
    if view.source_bytes is None or view.lines is None or view.format not in ("pdf", "image"):
        return []
    try:
        return _render_pages(view.source_bytes, view.format)
    except Exception:  # noqa: BLE001 - a file the reader managed but the renderer does not: text only
        return []


def _render_pages(data: bytes, fmt: str) -> list[str]:
    from PIL import Image, ImageSequence

    frames: list[Image.Image] = []
    if fmt == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            for page in pdf:
                scale = PAGE_IMAGE_WIDTH / page.get_width()
                frames.append(page.render(scale=scale, grayscale=True).to_pil())
        finally:
            pdf.close()
    else:
        with Image.open(io.BytesIO(data)) as image:
            for frame in ImageSequence.Iterator(image):
                frames.append(frame.convert("L").copy())
    urls = []
    for frame in frames:
        frame = frame.convert("L")
        if frame.width != PAGE_IMAGE_WIDTH:
            frame = frame.resize(
                (PAGE_IMAGE_WIDTH, max(1, round(frame.height * PAGE_IMAGE_WIDTH / frame.width))),
                Image.Resampling.LANCZOS,
            )
        buffer = io.BytesIO()
        frame.save(buffer, format="JPEG", quality=PAGE_IMAGE_QUALITY, optimize=False, progressive=False)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
    return urls


def _pages_html(urls: list[str]) -> str:
    return "".join(
        f'<figure class="page" id="P{i}" data-page="{i}"><figcaption>page {i}</figcaption>'
        f'<div class="sheet"><img alt="page {i}" src="{url}"><div class="boxes"></div></div></figure>'
        for i, url in enumerate(urls, 1)
    )


# ---------------------------------------------------------------------------------- page
def render_review(view: DocumentView) -> str:
    facts = collect_facts(view)
    place_facts(facts, view)
    doc = view.document
    images = page_images(view)
    programs = sorted({f.program for f in facts if f.program})
    payload = {
        "facts": {
            f.fact_id: {
                "kind": f.kind,
                "line": f.line,
                "page": f.page,
                "attributes": f.attributes,
                "problem": f.problem,
                "bbox": f.bbox,
                "bboxPage": f.bbox_page,
                "checks": f.check_ids,
            }
            for f in facts
        },
        "checks": {
            c["check_id"]: {
                "line": c["line"],
                "severity": c["severity"],
                "kind": c["kind"],
                "message": c["message"],
            }
            for c in view.checks
        },
    }
    counts = {k: sum(1 for f in facts if f.kind == k) for k in FACT_KINDS}
    unplaced = [f for f in facts if not f.placed and view.text is not None]
    meta = [
        *header_fields(doc),
        ", ".join(doc.get("programs") or []) or None,
        doc.get("format"),
        doc.get("method"),
        f"status {doc.get('status')}",
    ]
    title = doc.get("title") or doc.get("source_name") or doc["doc_id"]
    title = title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"
    notes = []
    if view.text_note:
        notes.append(
            f'<p class="note">No text: {_e(view.text_note)}. '
            "The facts are listed by line from the tables.</p>"
        )
    if doc.get("error"):
        notes.append(f'<p class="note">{_e(doc["error"])}</p>')
    if unplaced:
        notes.append(
            f'<p class="note">{len(unplaced)} fact(s) could not be drawn at their offsets; '
            f"they are shown beside their line with a dashed border.</p>"
        )
    program_options = "".join(f'<option value="{_e(p)}">{_e(p)}</option>' for p in programs)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{_e(doc.get("source_name") or doc["doc_id"])} · kehoach review</title>
<style>{_CSS}</style></head>
<body class="{"with-pages" if images else "no-pages"}">
<header>
<h1>{_e(title)}</h1>
<p class="meta"><b>{_e(doc.get("source_name"))}</b> · {_e(" · ".join(m for m in meta if m))}
 · <code>{_e(doc["doc_id"])}</code></p>
<p class="counts"><span class="key amount">{counts["amount"]} amounts</span>
 <span class="key target">{counts["target"]} targets</span>
 <span class="key heading">{counts["heading"]} headings</span>
 <span class="key check">{len(view.checks)} checks</span>
 <span class="legend"><mark class="amount checked">outlined</mark> has a check ·
 <mark class="amount unplaced">dashed</mark> not at its offsets ·
 click a highlight for its attributes</span></p>
{"".join(notes)}
<details open id="checks"><summary>Checks ({len(view.checks)})</summary>{_checks(view)}</details>
<form id="filters" onsubmit="return false">
<label><input type="checkbox" id="only-checks"> only lines with checks</label>
<label><input type="checkbox" id="only-money"> only money</label>
<label>program <select id="program"><option value="">all</option>{program_options}</select></label>
</form>
</header>
<main>
<nav id="outline"><h2>Sections</h2>{_outline(view)}</nav>
<section id="text" aria-label="document text">
{_lines_html(view, facts)}
</section>
<aside id="side">
<div id="panel"><h2>Fact</h2><p class="muted">Click a highlight to see its attributes.</p></div>
<div id="pages">{_pages_html(images)}</div>
</aside>
</main>
<script type="application/json" id="data">{_script_json(payload)}</script>
<script>{_JS}</script>
</body></html>
"""


def write_review(view: DocumentView, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{view.doc_id}.html"
    path.write_text(render_review(view), encoding="utf-8")
    return path


_CSS = """
:root{--amount:#b7ebc6;--target:#bde0ff;--heading:#ffe98a;--minor:#fff8dc;--error:#d93025;--warning:#e8a200;--info:#8a8a8a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,"DejaVu Sans",sans-serif;color:#1d1d1d;background:#fafafa}
header{padding:10px 16px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:17px;margin:0 0 4px}
h2{font-size:13px;margin:0 0 6px;text-transform:uppercase;color:#555}
.meta,.counts{margin:2px 0;color:#444}
.key{padding:1px 6px;border-radius:3px;margin-right:4px}
.key.amount{background:var(--amount)}.key.target{background:var(--target)}.key.heading{background:var(--heading)}
.key.check{border:1px solid var(--warning)}
.legend{color:#666;font-size:12.5px;margin-left:8px}.legend mark{cursor:default}
.note{margin:4px 0;padding:4px 8px;background:#fff4e5;border-left:3px solid var(--warning)}
.muted{color:#888}
#checks summary{cursor:pointer;font-weight:600;margin-top:6px}
ul.checks{margin:4px 0;padding-left:18px;max-height:9em;overflow:auto}
.check.sev-error b{color:var(--error)}.check.sev-warning b{color:var(--warning)}
.check.sev-info b{color:var(--info)}
#filters{margin-top:6px;display:flex;gap:16px;flex-wrap:wrap}
main{display:grid;grid-template-columns:240px minmax(0,1fr) 340px;gap:0;
height:calc(100vh - var(--header,180px))}
body.with-pages main{grid-template-columns:220px minmax(0,1fr) 480px}
#outline,#text,#side{overflow:auto;padding:8px 12px}
#outline{border-right:1px solid #ddd;font-size:12.5px}
#outline ul{list-style:none;margin:0;padding-left:12px}
#outline>ul{padding-left:0}
#outline a{color:#1d1d1d;text-decoration:none}#outline a:hover{text-decoration:underline}
.code{font-size:11px;color:#2a62c9}
#text{background:#fff;font-size:13px;tab-size:6}
.ln{display:flex;white-space:pre-wrap;scroll-margin-top:40vh;border-left:3px solid transparent}
.ln .no{flex:0 0 3.5em;text-align:right;padding-right:8px;color:#aaa;text-decoration:none;user-select:none}
.ln .tx{flex:1;min-width:0;overflow-wrap:anywhere}
.ln.has-check{border-left-color:var(--warning)}.ln.sev-error{border-left-color:var(--error)}
.ln:target,.ln.current{background:#fff6d6}
.ln[hidden]{display:none}
mark.fact{border-radius:2px;padding:0 1px;cursor:pointer;color:inherit}
mark.amount{background:var(--amount)}mark.target{background:var(--target)}
mark.heading{background:var(--heading);font-weight:600}
mark.heading.minor{background:var(--minor);font-weight:inherit}
mark.checked{outline:2px solid var(--warning)}
mark.unplaced{border:1px dashed var(--error);margin-right:4px}
mark.selected{box-shadow:0 0 0 2px #222}
body.money-only mark.target,body.money-only mark.heading{background:none;font-weight:inherit}
body.money-only mark.target.checked,body.money-only mark.heading.checked{outline:none}
#panel{background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px 10px;margin-bottom:10px}
#panel table{border-collapse:collapse;width:100%;font-size:12.5px}
#panel th{text-align:left;vertical-align:top;color:#555;font-weight:500;padding:2px 8px 2px 0;
white-space:nowrap}
#panel td{padding:2px 0;overflow-wrap:anywhere}
#panel .problem{color:var(--error)}
.page{margin:0 0 12px}
.page figcaption{font-size:11px;color:#777}
.sheet{position:relative;border:1px solid #ccc;background:#fff}
.sheet img{display:block;width:100%;height:auto}
.box{position:absolute;border:1.5px solid #0a7f35;background:rgba(10,127,53,.08)}
.box.target{border-color:#1b6fd1;background:rgba(27,111,209,.08)}
.box.heading{border-color:#8a8a8a;border-style:dashed;background:none}
.box.selected{border-width:3px;border-color:#d93025}
"""

_JS = r"""
(function(){
"use strict";
var data=JSON.parse(document.getElementById("data").textContent);
var panel=document.getElementById("panel");
var head=document.querySelector("header");
function fitHeader(){document.documentElement.style.setProperty("--header",head.offsetHeight+"px");}
fitHeader();window.addEventListener("resize",fitHeader);
document.getElementById("checks").addEventListener("toggle",fitHeader);
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;
  if(text!==undefined)e.textContent=text;return e;}
function drawBoxes(){
  Object.keys(data.facts).forEach(function(id){
    var f=data.facts[id];if(!f.bbox||!f.bboxPage)return;
    var fig=document.getElementById("P"+f.bboxPage);if(!fig)return;
    var b=el("div","box "+f.kind);b.dataset.f=id;
    b.style.left=(f.bbox[0]*100)+"%";b.style.top=(f.bbox[1]*100)+"%";
    b.style.width=((f.bbox[2]-f.bbox[0])*100)+"%";b.style.height=((f.bbox[3]-f.bbox[1])*100)+"%";
    b.addEventListener("click",function(){select(id,true);});
    fig.querySelector(".boxes").appendChild(b);
  });
}
function select(id,scroll){
  var f=data.facts[id];if(!f)return;
  document.querySelectorAll(".selected").forEach(function(e){e.classList.remove("selected");});
  document.querySelectorAll('[data-f="'+CSS.escape(id)+'"]').forEach(function(e){
    if(e.tagName==="MARK"||e.classList.contains("box"))e.classList.add("selected");});
  panel.textContent="";
  panel.appendChild(el("h2",null,f.kind));
  if(f.problem)panel.appendChild(el("p","problem","Not drawn at its offsets: "+f.problem));
  var t=el("table");
  f.attributes.forEach(function(kv){var tr=el("tr");tr.appendChild(el("th",null,kv[0]));
    var td=el("td",kv[0]==="value"?"value":null,kv[1]);tr.appendChild(td);t.appendChild(tr);});
  panel.appendChild(t);
  f.checks.forEach(function(cid){var c=data.checks[cid];
    panel.appendChild(el("p","problem",c.severity+": "+c.kind+": "+c.message));});
  var onPage=f.bboxPage||f.page;
  if(onPage){var fig=document.getElementById("P"+onPage);
    if(fig){var box=fig.querySelector('.box[data-f="'+CSS.escape(id)+'"]');
      (box||fig).scrollIntoView({block:"nearest"});}}
  if(scroll){var m=document.getElementById("f-"+id);if(m)m.scrollIntoView({block:"center"});}
}
document.getElementById("text").addEventListener("click",function(ev){
  var m=ev.target.closest("mark.fact");if(m){ev.stopPropagation();select(m.dataset.f,false);}
});
document.getElementById("text").addEventListener("keydown",function(ev){
  if(ev.key==="Enter"){var m=ev.target.closest("mark.fact");if(m)select(m.dataset.f,false);}
});
function showPageOf(line){
  if(!line||!line.dataset.page)return;
  var fig=document.getElementById("P"+line.dataset.page);if(fig)fig.scrollIntoView({block:"nearest"});
}
function goToHash(){
  var m=/^#L(\d+)$/.exec(location.hash);if(!m)return;
  var line=document.getElementById("L"+m[1]);if(!line)return;
  if(line.hidden){resetFilters();}
  line.scrollIntoView({block:"center"});showPageOf(line);
}
window.addEventListener("hashchange",goToHash);
document.getElementById("checks").addEventListener("click",function(ev){
  var item=ev.target.closest("li.check");if(item&&item.dataset.f)select(item.dataset.f,false);
});
var onlyChecks=document.getElementById("only-checks"),onlyMoney=document.getElementById("only-money"),
    program=document.getElementById("program");
function applyFilters(){
  document.body.classList.toggle("money-only",onlyMoney.checked);
  var p=program.value;
  document.querySelectorAll("#text .ln").forEach(function(line){
    var show=true;
    if(onlyChecks.checked&&!line.classList.contains("has-check"))show=false;
    if(onlyMoney.checked&&!line.classList.contains("has-amount"))show=false;
    if(p&&(" "+line.dataset.programs+" ").indexOf(" "+p+" ")<0)show=false;
    line.hidden=!show;
  });
}
function resetFilters(){onlyChecks.checked=false;onlyMoney.checked=false;program.value="";applyFilters();}
[onlyChecks,onlyMoney,program].forEach(function(c){c.addEventListener("change",applyFilters);});
drawBoxes();
goToHash();
})();
"""
