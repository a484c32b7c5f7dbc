"""`kehoach show`: a document's section tree with the facts found under each heading.

On a terminal it is a `rich` tree with guide lines and colour; piped, the same tree as plain
text (no escape codes, no wrapping). `--facts-only` keeps only the branches that hold
facts; `--why` prints under each fact the rules that gave its value and attributes (the
`rules` column: file, key, entry and phrase); `--json` prints the tree as JSON for programs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from .view import DocumentView, header_fields, row_label
from .vnnumbers import format_vn_number

TITLE_MAX = 80
INDICATOR_MAX = 70
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}

LEGEND = (
    (
        "💰",
        "green",
        "amount: L<line> <as written> = <value> trđ (triệu đồng) [source · capital type · measure]",
    ),
    ("", "green", "  ‹row label›: the funding-table row the figure sits in"),
    ("", "green", "  ⊂ aN: a part of amount aN (the total it breaks down)"),
    ("🎯", "cyan", "target: L<line> <comparator> <value>[–max] <unit> <direction> (<kind>) <indicator>"),
    ("§", "bold", "heading: <label> <kind>: <title> [role, program] ⟨canonical code⟩ L<line>"),
    ("⚠", "yellow", "check: <severity>: <kind>: <message>"),
)
WHY_LEGEND = ("↳", "dim", 'why (--why): <attribute>: <rules file> <key>[<entry>] "<phrase>" that gave it')
COMPARATOR_SIGN = {"eq": "=", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "range": "", "approx": "≈"}


@dataclass
class _Node:
    section: dict | None  # None: the document itself
    children: list["_Node"] = field(default_factory=list)
    facts: list[tuple[str, dict]] = field(default_factory=list)  # (table, row)

    def holds_facts(self) -> bool:
        return bool(self.facts) or any(c.holds_facts() for c in self.children)


def build_tree(view: DocumentView) -> _Node:
    root = _Node(None)
    nodes = {s["section_id"]: _Node(s) for s in view.sections}
    for s in view.sections:
        parent = nodes.get(s["parent_id"]) if s["parent_id"] else None
        (parent or root).children.append(nodes[s["section_id"]])
    for table in ("amounts", "targets"):
        for row in getattr(view, table):
            (nodes.get(row["section_id"]) or root).facts.append((table, row))
    for node in [root, *nodes.values()]:
        node.facts.sort(key=lambda f: (f[1]["line"] or 0, f[1]["char_start"] or 0))
    return root


# ---------------------------------------------------------------------------------- text
def _num(value: float | None) -> str:
    """A figure as a plan writes it: '.' groups thousands, ',' marks decimals (never 2.864e+07).

    >>> _num(28640000.0), _num(51.2), _num(8.12), _num(None)
    ('28.640.000', '51,2', '8,12', '?')
    """
    if value is None:
        return "?"
    return format_vn_number(value, 6).rstrip("0").rstrip(",")


def amount_text(a: dict) -> Text:
    out = Text()
    out.append("💰 ", style="green")
    out.append(f"L{a['line']} ", style="dim")
    out.append(a["raw_text"] or "", style="bold green")
    out.append(f" = {_num(a['value_million_vnd'])} trđ  ")
    out.append(
        f"[{a['funding_source'] or '-'} · {a['capital_type'] or '-'} · {a['measure'] or '-'}]", style="green"
    )
    label = row_label(a.get("context"))
    if label:
        out.append(f"  ‹{label}›", style="italic")
    if a["parent_amount_id"]:
        out.append(f"  ⊂ {a['parent_amount_id'].rsplit(':', 1)[-1]}", style="magenta")
    out.append(f"  {a['amount_id'].rsplit(':', 1)[-1]}", style="dim")
    return out


def target_text(t: dict) -> Text:
    out = Text()
    out.append("🎯 ", style="cyan")
    out.append(f"L{t['line']} ", style="dim")
    rng = f"–{t['value_max']:g}" if t["value_max"] is not None else ""
    sign = COMPARATOR_SIGN.get(t["comparator"] or "", t["comparator"] or "")
    out.append(f"{sign}{_num(t['value'])}{rng} {t['unit'] or ''}", style="bold cyan")
    if t["direction"]:
        out.append(f" {t['direction']}")
    out.append(f" ({t['kind']}) ", style="cyan")
    out.append((t["indicator"] or "")[:INDICATOR_MAX])
    return out


def section_text(s: dict) -> Text:
    out = Text()
    out.append(f"{s['label'] or '·'} ", style="bold")
    out.append(f"{s['kind']}: ", style="dim")
    title = s["title"] or ""
    out.append(title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…", style="bold")
    out.append(f"  [{s['role'] or '-'}, {s['program'] or '-'}]", style="dim")
    if s["canonical_code"]:
        out.append(f"  ⟨{s['canonical_code']}⟩", style="blue")
    out.append(f"  L{s['line_start']}", style="dim")
    return out


def check_text(c: dict) -> Text:
    out = Text()
    style = SEVERITY_STYLE.get(c["severity"], "")
    out.append(f"⚠ {c['severity']}: {c['kind']}: ", style=style)
    out.append(c["message"] or "")
    return out


def header_text(view: DocumentView) -> Text:
    doc = view.document
    out = Text()
    out.append(doc["source_name"] or doc["doc_id"], style="bold")
    out.append(f"  [{doc['status']}]", style="red" if doc["status"] == "failed" else "green")
    parts = [
        *header_fields(doc),
        f"programs {', '.join(doc.get('programs') or [])}" if doc.get("programs") else None,
    ]
    out.append("  " + "  ".join(p for p in parts if p))
    return out


def why_texts(row: dict) -> list[Text]:
    """The rules that gave a fact's value and attributes, one line each."""
    return [Text(f"↳ {rule.strip()}", style="dim") for rule in (row.get("rules") or "").split("; ") if rule]


def render_tree(view: DocumentView, facts_only: bool = False, why: bool = False) -> Tree:
    root = build_tree(view)
    tree = Tree(header_text(view), guide_style="dim")

    def add(branch: Tree, node: _Node) -> None:
        for table, row in node.facts:
            fact = branch.add(amount_text(row) if table == "amounts" else target_text(row))
            for line in why_texts(row) if why else []:
                fact.add(line)
        for child in node.children:
            if facts_only and not child.holds_facts():
                continue
            assert child.section is not None  # only the root has no section
            add(branch.add(section_text(child.section)), child)

    add(tree, root)
    return tree


def legend(why: bool = False) -> Text:
    out = Text("legend\n", style="bold")
    for mark, style, words in LEGEND + ((WHY_LEGEND,) if why else ()):
        out.append(f"  {mark:<2} " if mark else "     ", style=style)
        out.append(words + "\n")
    return out


def show(view: DocumentView, console: Console, facts_only: bool = False, why: bool = False) -> None:
    if view.document.get("error"):
        console.print(Text(f"error: {view.document['error']}", style="red"))
    console.print(render_tree(view, facts_only, why))
    for c in view.checks:
        console.print(check_text(c))
    console.print(legend(why))


def console_for(stream: TextIO, is_terminal: bool) -> Console:
    """Colour and the terminal's width on a terminal; plain text of any width when piped."""
    if is_terminal:
        return Console(file=stream, force_terminal=True)
    return Console(
        file=stream,
        force_terminal=False,
        no_color=True,
        highlight=False,
        width=10_000,
        emoji=False,
        soft_wrap=True,
    )


# ---------------------------------------------------------------------------------- JSON
def as_json(view: DocumentView, facts_only: bool = False) -> str:
    """The same tree as `show`, for programs: sections nest, each with its facts' rows."""

    def node_json(node: _Node) -> dict:
        out = dict(node.section) if node.section else {}
        out["amounts"] = [
            dict(row, row_label=row_label(row.get("context")))
            for table, row in node.facts
            if table == "amounts"
        ]
        out["targets"] = [row for table, row in node.facts if table == "targets"]
        out["children"] = [node_json(c) for c in node.children if not facts_only or c.holds_facts()]
        return out

    root = node_json(build_tree(view))
    payload = {
        "document": view.document,
        "amounts": root["amounts"],
        "targets": root["targets"],
        "sections": root["children"],
        "checks": view.checks,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
