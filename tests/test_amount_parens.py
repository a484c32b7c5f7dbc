"""amounts._Parens keeps a paragraph's bracket structure as a step function: it must give,
at every position, the depth and innermost opening bracket of the plain per-character
reading (an opening bracket counts as inside; a bracket never closed ends at the first
semicolon after it)."""

from __future__ import annotations

import random

from extract.amounts import _Parens


def _per_character(text: str) -> tuple[list[int], list[int | None], list[tuple[int, int]]]:
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            stack.pop()
    unclosed = set(stack)
    depth: list[int] = []
    opener: list[int | None] = []
    pairs: list[tuple[int, int]] = []
    stack = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        depth.append(len(stack))
        opener.append(stack[-1] if stack else None)
        if ch == ")" and stack:
            pairs.append((stack.pop(), i))
        elif ch == ";" and stack and stack[-1] in unclosed:
            pairs.append((stack.pop(), i))
    depth.append(len(stack))
    opener.append(stack[-1] if stack else None)
    pairs.extend((open_pos, len(text)) for open_pos in stack)
    return depth, opener, pairs


def test_parens_agree_with_the_per_character_reading():
    rnd = random.Random(7)
    texts = ["", "(", ")", ";", "a (b; c) d", "x 478.100 triệu đồng (trong đó …; vốn sự nghiệp …"]
    texts += ["".join(rnd.choice("(();; ab)") for _ in range(rnd.randrange(60))) for _ in range(3000)]
    for text in texts:
        depth, opener, pairs = _per_character(text)
        parens = _Parens.scan(text)
        assert parens.pairs == pairs, text
        assert [parens.depth(i) for i in range(len(text) + 1)] == depth, text
        assert [parens.opener(i) for i in range(len(text) + 1)] == opener, text
