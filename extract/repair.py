"""PDF page-order damage: converted text can carry page fragments out of order. A
fragment is recognised by a lettered item that restarts out of sequence inside a
section ("d)" again after "e)"), or by a paragraph that starts in lower case after a
finished sentence. Its blocks are given back to the section they continue: the earlier
sibling whose own lettered items stop short, or whose last sentence was left open."""
from __future__ import annotations


def repair_page_order(sections, blocks, block_section, lines, rules) -> dict[str, int]:
    """Reassign misplaced blocks in block_section. Returns {section_id: line moved from}."""
    return {}
